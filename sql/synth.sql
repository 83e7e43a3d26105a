-- synth: learn the statistics of a table and sample synthetic rows of its type.
\echo Use "CREATE EXTENSION synth" to load this file. \quit

-- One row per fitted model.  The model itself is a versioned binary blob (see
-- README "Model format"); the other columns describe it for humans and tools.
CREATE TABLE synth_models (
    name            text PRIMARY KEY,
    source          text NOT NULL,
    fitted_at       timestamptz NOT NULL DEFAULT now(),
    row_count       bigint NOT NULL,
    columns         text[] NOT NULL,
    format_version  integer NOT NULL,
    model           bytea NOT NULL
);
COMMENT ON TABLE synth_models IS 'models fitted by synth_fit(); kept by pg_dump';

-- Models are user data: pg_dump must keep them.
SELECT pg_catalog.pg_extension_config_dump('synth_models', '');

-- Models describe real tables; nobody reads them unless a DBA grants it.
REVOKE ALL ON synth_models FROM PUBLIC;

CREATE FUNCTION synth_fit(
    source          regclass,
    model           text DEFAULT NULL,
    exclude         text[] DEFAULT NULL,
    min_group_size  integer DEFAULT 5)
RETURNS text
AS 'MODULE_PATHNAME', 'synth_fit'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION synth_fit(regclass, text, text[], integer) IS
    'read a table once and store a model of it; returns the model name';

-- Not STRICT: NULL::tablename is the normal template.
CREATE FUNCTION synth_sample(
    template  anyelement,
    n         bigint,
    model     text DEFAULT NULL,
    seed      bigint DEFAULT NULL)
RETURNS SETOF anyelement
AS 'MODULE_PATHNAME', 'synth_sample'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION synth_sample(anyelement, bigint, text, bigint) IS
    'sample n synthetic rows of the template''s row type';

-- The untyped form: a string cannot name a row type, so each row is a jsonb
-- object (turn it into columns with jsonb_populate_record or jsonb_to_record).
CREATE FUNCTION synth_sample(
    model  text,
    n      bigint,
    seed   bigint DEFAULT NULL)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'synth_sample_jsonb'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION synth_sample(text, bigint, bigint) IS
    'sample n synthetic rows of a model, each as a jsonb object';

CREATE FUNCTION synth_model(model text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'synth_model'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION synth_model(text) IS
    'the stored model as jsonb, for review';

CREATE FUNCTION synth_drop(model text, if_exists boolean DEFAULT false)
RETURNS boolean
AS 'MODULE_PATHNAME', 'synth_drop'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION synth_drop(text, boolean) IS
    'delete a stored model; returns false for a missing model only with if_exists';
