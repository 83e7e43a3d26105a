-- synth 0.1.0 -> 0.2.0.  The model format moves to version 2 (privacy
-- fields); version 1 models, fitted with 0.1.0, are still read and keep
-- sampling the same rows.
\echo Use "ALTER EXTENSION synth UPDATE TO '0.2.0'" to load this file. \quit

-- synth_sample() takes a condition (README "Sampling the rare case").
DROP FUNCTION synth_sample(anyelement, bigint, text, bigint, integer, integer);
DROP FUNCTION synth_sample(text, bigint, bigint, integer, integer);

-- Not STRICT: NULL::tablename is the normal template.
-- stream/streams: this call returns part "stream" (0-based) of n rows split
-- into "streams" parts with independent randomness, so that several sessions
-- can fill one table in parallel, reproducibly.
-- condition: a boolean SQL expression over the columns; every row returned
-- satisfies it (README "Sampling the rare case").
CREATE FUNCTION synth_sample(
    template  anyelement,
    n         bigint,
    model     text DEFAULT NULL,
    seed      bigint DEFAULT NULL,
    stream    integer DEFAULT 0,
    streams   integer DEFAULT 1,
    condition text DEFAULT NULL)
RETURNS SETOF anyelement
AS 'MODULE_PATHNAME', 'synth_sample'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION synth_sample(anyelement, bigint, text, bigint, integer, integer, text) IS
    'sample n synthetic rows of the template''s row type';

-- The untyped form: a string cannot name a row type, so each row is a jsonb
-- object (turn it into columns with jsonb_populate_record or jsonb_to_record).
CREATE FUNCTION synth_sample(
    model     text,
    n         bigint,
    seed      bigint DEFAULT NULL,
    stream    integer DEFAULT 0,
    streams   integer DEFAULT 1,
    condition text DEFAULT NULL)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'synth_sample_jsonb'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION synth_sample(text, bigint, bigint, integer, integer, text) IS
    'sample n synthetic rows of a model, each as a jsonb object';

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

-- Privacy check of a synthetic table before release: exact copies of real
-- rows and distances to the closest real record, with the definitions of the
-- project's independent scorer.  See README "Checking a sample before
-- release".  Not STRICT: a NULL holdout means none.  Runs with the caller's
-- rights on every table; stable because it only reads them.
CREATE FUNCTION synth_privacy(
    "real"     regclass,
    synthetic  regclass,
    holdout    regclass DEFAULT NULL)
RETURNS TABLE (metric text, score float8)
AS 'MODULE_PATHNAME', 'synth_privacy'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION synth_privacy(regclass, regclass, regclass) IS
    'how close a synthetic table comes to the real rows: exact copies, distance to closest record, DCR share against a holdout';

-- synth_fit() takes epsilon and delta (README "Differential privacy").
DROP FUNCTION synth_fit(regclass, text, text[], integer);
-- epsilon: fit an epsilon-differentially private model (README "Differential
-- privacy"); delta: its delta, spent only on text columns' values.
CREATE FUNCTION synth_fit(
    source          regclass,
    model           text DEFAULT NULL,
    exclude         text[] DEFAULT NULL,
    min_group_size  integer DEFAULT 5,
    epsilon         float8 DEFAULT NULL,
    delta           float8 DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'synth_fit'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION synth_fit(regclass, text, text[], integer, float8, float8) IS
    'read a table once and store a model of it; returns the model name';

-- Access per model: an owner (existing models: the role running this update)
-- and readers.  Grant existing models to their users again with synth_grant().
ALTER TABLE synth_models ADD COLUMN owner regrole NOT NULL DEFAULT current_user::regrole;
ALTER TABLE synth_models ADD COLUMN readers regrole[] NOT NULL DEFAULT '{}';

-- Models are compressed with lz4 where the server was built with it: a fit
-- stores, and a sample loads, its model several times faster than with
-- PostgreSQL's default pglz (which stays where lz4 is missing).  Models
-- stored before keep their compression until they are fitted again.
DO $$
BEGIN
    ALTER TABLE synth_models ALTER COLUMN model SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL;
END
$$;

-- Access per model (README "Privileges"): a model belongs to the role that
-- fitted it; only its members may replace, drop or grant it, and besides
-- them only the roles it is granted to (synth_grant) see it.  Table
-- privileges still decide who may read or write synth_models at all.
-- is the current user a member of role r?  false for a role since dropped
-- (pg_has_role would fail, and with it every read of synth_models)
CREATE FUNCTION synth_role_member(r regrole)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $fn$
    SELECT CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_roles WHERE oid = r)
                THEN pg_catalog.pg_has_role(r, 'MEMBER') ELSE false END
$fn$;

ALTER TABLE synth_models ENABLE ROW LEVEL SECURITY;
CREATE POLICY synth_models_read ON synth_models FOR SELECT
    USING (@extschema@.synth_role_member(owner)
           OR EXISTS (SELECT FROM unnest(readers) AS r WHERE @extschema@.synth_role_member(r)));
CREATE POLICY synth_models_insert ON synth_models FOR INSERT
    WITH CHECK (@extschema@.synth_role_member(owner));
CREATE POLICY synth_models_update ON synth_models FOR UPDATE
    USING (@extschema@.synth_role_member(owner)) WITH CHECK (@extschema@.synth_role_member(owner));
CREATE POLICY synth_models_delete ON synth_models FOR DELETE
    USING (@extschema@.synth_role_member(owner));

CREATE FUNCTION synth_grant(model text, reader regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE
AS $fn$
BEGIN
    IF synth_grant.model IS NULL OR synth_grant.reader IS NULL THEN
        RAISE EXCEPTION 'model and reader must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    UPDATE @extschema@.synth_models m
       SET readers = array_append(array_remove(m.readers, synth_grant.reader), synth_grant.reader)
     WHERE m.name = synth_grant.model AND @extschema@.synth_role_member(m.owner);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'synth model "%" does not exist or is not yours to grant', synth_grant.model
            USING ERRCODE = 'undefined_object',
                  HINT = 'Only the role that fitted a model, or a member of it, can grant it.';
    END IF;
END
$fn$;
COMMENT ON FUNCTION synth_grant(text, regrole) IS
    'let a role sample and inspect one model (it also needs SELECT on synth_models)';

CREATE FUNCTION synth_revoke(model text, reader regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE
AS $fn$
BEGIN
    IF synth_revoke.model IS NULL OR synth_revoke.reader IS NULL THEN
        RAISE EXCEPTION 'model and reader must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    UPDATE @extschema@.synth_models m
       SET readers = array_remove(m.readers, synth_revoke.reader)
     WHERE m.name = synth_revoke.model AND @extschema@.synth_role_member(m.owner);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'synth model "%" does not exist or is not yours to revoke', synth_revoke.model
            USING ERRCODE = 'undefined_object',
                  HINT = 'Only the role that fitted a model, or a member of it, can revoke it.';
    END IF;
END
$fn$;
COMMENT ON FUNCTION synth_revoke(text, regrole) IS
    'take back synth_grant()';

