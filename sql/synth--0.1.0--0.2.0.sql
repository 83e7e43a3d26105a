-- synth 0.1.0 -> 0.2.0.  The model format is unchanged: models fitted with
-- 0.1.0 keep sampling the same rows.
\echo Use "ALTER EXTENSION synth UPDATE TO '0.2.0'" to load this file. \quit

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
