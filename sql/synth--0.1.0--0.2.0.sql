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
-- tails: the column whose lowest and highest 5% of values get models of their
-- own (README "What it models", Groups); NULL lets the fit choose.
-- bounds: public ranges of numeric, date and timestamp columns for a
-- differentially private fit, {"column": [low, high], ...}, which then spends
-- no budget on finding them.
CREATE FUNCTION synth_fit(
    source          regclass,
    model           text DEFAULT NULL,
    exclude         text[] DEFAULT NULL,
    min_group_size  integer DEFAULT 5,
    epsilon         float8 DEFAULT NULL,
    delta           float8 DEFAULT NULL,
    tails           text DEFAULT NULL,
    bounds          jsonb DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'synth_fit'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION synth_fit(regclass, text, text[], integer, float8, float8, text, jsonb) IS
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

-- synth_evaluate() leaves out a key column of the real table (alone its
-- primary key or unique): sampled keys are unique and spread over the
-- learnt range, which is not a distribution to compare.
CREATE OR REPLACE FUNCTION synth_evaluate("real" regclass, synthetic regclass)
RETURNS TABLE (metric text, columns text, score float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    real_rel regclass := $1;      -- "real" is also a type name: use the alias
    synth_rel regclass := $2;
    col record;
    kinds jsonb := '{}';          -- column name -> 'num' | 'cat' | 'id'
    exprs jsonb := '{}';          -- column name -> SQL expression giving float8 (num)
    lows jsonb := '{}';
    highs jsonb := '{}';
    names text[] := '{}';
    a text;
    b text;
    i integer;
    j integer;
    distinct_n bigint;
    nonnull_n bigint;
    s float8;
    shape_sum float8 := 0;
    shape_n integer := 0;
    trend_sum float8 := 0;
    trend_n integer := 0;
    r_n bigint;
    s_n bigint;
    r_sd_a float8;
    r_sd_b float8;
    s_sd_a float8;
    s_sd_b float8;
    r_corr float8;
    s_corr float8;
    is_empty boolean;
BEGIN
    IF real_rel IS NULL OR synth_rel IS NULL THEN
        RAISE EXCEPTION 'real and synthetic tables must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- an empty table has no shapes to compare (0 would look like a score)
    FOR i IN 1 .. 2 LOOP
        EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM %s)', CASE i WHEN 1 THEN real_rel ELSE synth_rel END)
            INTO is_empty;
        IF is_empty THEN
            RAISE EXCEPTION 'cannot compare relation "%" because it is empty',
                CASE i WHEN 1 THEN real_rel ELSE synth_rel END
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END LOOP;

    -- the kind of each real column present in both tables
    FOR col IN
        SELECT ra.attname::text AS name, format_type(ra.atttypid, NULL) AS type,
               t.typcategory AS category,
               (SELECT st.typcategory FROM pg_attribute sa JOIN pg_type st ON st.oid = sa.atttypid
                WHERE sa.attrelid = synth_rel AND sa.attname = ra.attname AND sa.attnum > 0
                  AND NOT sa.attisdropped) AS synth_category,
               (SELECT format_type(sa.atttypid, NULL) FROM pg_attribute sa
                WHERE sa.attrelid = synth_rel AND sa.attname = ra.attname AND sa.attnum > 0
                  AND NOT sa.attisdropped) AS synth_type,
               ra.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
               AND EXISTS (SELECT 1 FROM pg_index x
                           WHERE x.indrelid = real_rel AND x.indisunique AND x.indnkeyatts = 1
                             AND x.indkey[0] = ra.attnum AND x.indpred IS NULL
                             AND x.indexprs IS NULL) AS is_key
        FROM pg_attribute ra
        JOIN pg_type t ON t.oid = ra.atttypid
        WHERE ra.attrelid = real_rel AND ra.attnum > 0 AND NOT ra.attisdropped
          AND EXISTS (SELECT 1 FROM pg_attribute sa WHERE sa.attrelid = synth_rel
                      AND sa.attname = ra.attname AND sa.attnum > 0 AND NOT sa.attisdropped)
        ORDER BY ra.attnum
    LOOP
        -- numbers with numbers, dates and timestamps with each other, booleans
        -- with booleans; text, enums and uuids compare by their text
        IF col.category <> col.synth_category
           AND NOT (col.category IN ('S', 'E', 'U') AND col.synth_category IN ('S', 'E', 'U')) THEN
            RAISE EXCEPTION 'column "%" is % in "%" but % in "%"',
                col.name, col.type, real_rel, col.synth_type, synth_rel
                USING ERRCODE = 'datatype_mismatch',
                      HINT = 'Compare a view that casts one of them.';
        END IF;
        EXECUTE format('SELECT count(DISTINCT %1$I), count(%1$I) FROM %2$s', col.name, real_rel)
            INTO distinct_n, nonnull_n;
        IF col.is_key THEN
            -- an integer key (alone a primary key or unique, as synth_fit
            -- finds them): sampled unique, not a distribution to compare
            kinds := kinds || jsonb_build_object(col.name, 'id');
        ELSIF col.category = 'B' THEN
            kinds := kinds || jsonb_build_object(col.name, 'cat');
        ELSIF col.category = 'N' THEN
            kinds := kinds || jsonb_build_object(col.name, CASE WHEN distinct_n > 10 THEN 'num' ELSE 'cat' END);
            -- NaN and infinities are no number to compare (synth models them as NULL)
            exprs := exprs || jsonb_build_object(col.name,
                format('nullif(nullif(nullif(%I::float8, ''NaN''), ''Infinity''), ''-Infinity'')', col.name));
        ELSIF col.category = 'D' AND col.type IN ('date', 'timestamp without time zone', 'timestamp with time zone') THEN
            kinds := kinds || jsonb_build_object(col.name, 'num');
            exprs := exprs || jsonb_build_object(col.name,
                format('nullif(nullif((extract(epoch FROM %I::timestamp) / 86400)::float8, ''Infinity''), ''-Infinity'')', col.name));
        ELSIF distinct_n > greatest(20, 0.5 * nonnull_n) THEN
            kinds := kinds || jsonb_build_object(col.name, 'id');
        ELSE
            kinds := kinds || jsonb_build_object(col.name, 'cat');
        END IF;
        IF kinds ->> col.name <> 'id' THEN
            names := names || col.name;
        END IF;
        IF kinds ->> col.name = 'num' THEN
            EXECUTE format('SELECT min(%1$s), max(%1$s) FROM %2$s', exprs ->> col.name, real_rel)
                INTO r_sd_a, r_sd_b;
            lows := lows || jsonb_build_object(col.name, coalesce(r_sd_a, 0));
            highs := highs || jsonb_build_object(col.name,
                CASE WHEN r_sd_b IS NULL OR r_sd_b <= coalesce(r_sd_a, 0) THEN coalesce(r_sd_a, 0) + 1 ELSE r_sd_b END);
        END IF;
    END LOOP;

    -- column shapes: 1 - KS statistic (numbers, dates), 1 - TVD (categories)
    FOREACH a IN ARRAY names LOOP
        -- (a number's NaN and infinities count as NULL)
        EXECUTE format('SELECT count(%1$s) FROM %2$s', CASE WHEN kinds ->> a = 'num' THEN exprs ->> a ELSE quote_ident(a) END, real_rel) INTO r_n;
        EXECUTE format('SELECT count(%1$s) FROM %2$s', CASE WHEN kinds ->> a = 'num' THEN exprs ->> a ELSE quote_ident(a) END, synth_rel) INTO s_n;
        IF r_n = 0 OR s_n = 0 THEN
            s := CASE WHEN r_n = s_n THEN 1 ELSE 0 END;
        ELSIF kinds ->> a = 'num' THEN
            EXECUTE format($q$
                SELECT 1 - max(abs(fr - fs)) FROM (
                    SELECT sum(cr) OVER w / %3$s AS fr, sum(cs) OVER w / %4$s AS fs
                    FROM (SELECT x, sum(cr) AS cr, sum(cs) AS cs FROM (
                              SELECT %1$s AS x, 1.0 AS cr, 0.0 AS cs FROM %5$s
                              UNION ALL SELECT %1$s, 0.0, 1.0 FROM %6$s) u
                          WHERE x IS NOT NULL GROUP BY x) p
                    WINDOW w AS (ORDER BY x)) c$q$,
                exprs ->> a, NULL, r_n, s_n, real_rel, synth_rel) INTO s;
        ELSE
            EXECUTE format($q$
                SELECT 1 - 0.5 * sum(abs(coalesce(pr, 0) - coalesce(ps, 0))) FROM
                    (SELECT %1$I::text AS v, count(*)::float8 / %2$s AS pr FROM %4$s WHERE %1$I IS NOT NULL GROUP BY 1) r
                    FULL JOIN
                    (SELECT %1$I::text AS v, count(*)::float8 / %3$s AS ps FROM %5$s WHERE %1$I IS NOT NULL GROUP BY 1) s
                    USING (v)$q$,
                a, r_n, s_n, real_rel, synth_rel) INTO s;
        END IF;
        s := least(1, greatest(0, s));    -- (rounding: -2e-16 for identical columns)
        metric := 'column_shape'; columns := a; score := s;
        RETURN NEXT;
        shape_sum := shape_sum + s;
        shape_n := shape_n + 1;
    END LOOP;

    -- pair trends: 1 - |corr_real - corr_synth| / 2 for two numbers, else
    -- 1 - TVD of the joint table (numbers in 10 equal-width bins of the real
    -- range, NULL a level of its own)
    FOR i IN 1 .. coalesce(array_length(names, 1), 0) LOOP
        FOR j IN i + 1 .. array_length(names, 1) LOOP
            a := names[i];
            b := names[j];
            IF kinds ->> a = 'num' AND kinds ->> b = 'num' THEN
                EXECUTE format('SELECT count(*), stddev_samp(%1$s), stddev_samp(%2$s), corr(%1$s, %2$s)
                                FROM %3$s WHERE %1$s IS NOT NULL AND %2$s IS NOT NULL',
                               exprs ->> a, exprs ->> b, real_rel)
                    INTO r_n, r_sd_a, r_sd_b, r_corr;
                EXECUTE format('SELECT count(*), stddev_samp(%1$s), stddev_samp(%2$s), corr(%1$s, %2$s)
                                FROM %3$s WHERE %1$s IS NOT NULL AND %2$s IS NOT NULL',
                               exprs ->> a, exprs ->> b, synth_rel)
                    INTO s_n, s_sd_a, s_sd_b, s_corr;
                CONTINUE WHEN r_n < 3 OR s_n < 3 OR coalesce(r_sd_a, 0) = 0 OR coalesce(r_sd_b, 0) = 0;
                IF coalesce(s_sd_a, 0) = 0 OR coalesce(s_sd_b, 0) = 0 OR s_corr IS NULL THEN
                    s_corr := 0;
                END IF;
                s := 1 - abs(r_corr - s_corr) / 2;
            ELSE
                EXECUTE format($q$
                    WITH r AS (SELECT %1$s AS ka, %2$s AS kb, count(*)::float8 / sum(count(*)) OVER () AS p
                               FROM %3$s GROUP BY 1, 2),
                         s AS (SELECT %1$s AS ka, %2$s AS kb, count(*)::float8 / sum(count(*)) OVER () AS p
                               FROM %4$s GROUP BY 1, 2)
                    SELECT 1 - 0.5 * sum(abs(coalesce(r.p, 0) - coalesce(s.p, 0)))
                    FROM r FULL JOIN s ON r.ka = s.ka AND r.kb = s.kb$q$,
                    CASE WHEN kinds ->> a = 'num'
                         THEN format('coalesce(least(greatest(width_bucket(%s, %L::float8, %L::float8, 10) - 1, 0), 9)::text, ''-1'')',
                                     exprs ->> a, lows ->> a, highs ->> a)
                         ELSE format('coalesce(%I::text, ''<null>'')', a) END,
                    CASE WHEN kinds ->> b = 'num'
                         THEN format('coalesce(least(greatest(width_bucket(%s, %L::float8, %L::float8, 10) - 1, 0), 9)::text, ''-1'')',
                                     exprs ->> b, lows ->> b, highs ->> b)
                         ELSE format('coalesce(%I::text, ''<null>'')', b) END,
                    real_rel, synth_rel) INTO s;
            END IF;
            s := least(1, greatest(0, s));
            metric := 'pair_trend'; columns := a || '|' || b; score := s;
            RETURN NEXT;
            trend_sum := trend_sum + s;
            trend_n := trend_n + 1;
        END LOOP;
    END LOOP;

    IF shape_n = 0 THEN
        RAISE EXCEPTION 'relations "%" and "%" have no column to compare', real_rel, synth_rel
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The synthetic table needs columns of the same names as the real one; '
                         'identifiers (text with more distinct values than max(20, half the rows)) '
                         'and keys are left out.';
    END IF;
    metric := 'column_shapes'; columns := NULL; score := shape_sum / shape_n;
    RETURN NEXT;
    metric := 'pair_trends'; columns := NULL;
    score := CASE WHEN trend_n > 0 THEN trend_sum / trend_n ELSE shape_sum / shape_n END;
    RETURN NEXT;
    metric := 'quality'; columns := NULL;
    score := (shape_sum / shape_n + CASE WHEN trend_n > 0 THEN trend_sum / trend_n ELSE shape_sum / shape_n END) / 2;
    RETURN NEXT;
END
$fn$;
