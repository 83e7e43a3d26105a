-- synth 0.1.0 -> 0.2.0.  The model format is unchanged: models fitted with
-- 0.1.0 keep sampling the same rows.
\echo Use "ALTER EXTENSION synth UPDATE TO '0.2.0'" to load this file. \quit

-- Inserts through COPY FROM's bulk path (see README "synth_populate").
-- Not STRICT: a NULL target or n is an error, as in synth_sample.
-- VOLATILE PARALLEL UNSAFE: it writes to the target.
-- workers => k: k background workers, each inserting one stream of the n
-- rows and committing it on its own.
CREATE FUNCTION synth_populate(
    target   regclass,
    n        bigint,
    model    text DEFAULT NULL,
    seed     bigint DEFAULT NULL,
    stream   integer DEFAULT 0,
    streams  integer DEFAULT 1,
    workers  integer DEFAULT 1)
RETURNS bigint
AS 'MODULE_PATHNAME', 'synth_populate'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION synth_populate(regclass, bigint, text, bigint, integer, integer, integer) IS
    'insert n synthetic rows into a table through COPY''s bulk path; returns the rows inserted';
