-- synth_privacy: exact copies and distances to the closest record, on tables
-- whose answers can be worked out by hand, then on a real sample.
\set VERBOSITY terse
SET extra_float_digits = 0;

-- 21 rows: x = 0 .. 20 (more than 10 values: a number, scaled by its range
-- 20), c = 'a' for even x, 'b' for odd x (a category)
CREATE TABLE pv_real AS
SELECT i::float8 AS x, CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END AS c
FROM generate_series(0, 20) AS i;

-- a copy of the real rows: every row copied, at distance 0
SELECT metric, round(score::numeric, 4) AS score FROM synth_privacy('pv_real', 'pv_real');

-- one row beyond the range: x = 25 is 5/20 = 0.25 from x = 20 ('a'), and
-- c = 'z' is no real value (+0.5 squared): sqrt(0.0625 + 0.5) = 0.75
CREATE TABLE pv_far AS SELECT 25::float8 AS x, 'z'::text AS c;
SELECT metric, round(score::numeric, 4) AS score FROM synth_privacy('pv_real', 'pv_far');

-- x = 10 with c = 'b': the real row x = 10 has c = 'a' (distance sqrt(0.5)),
-- x = 9 and x = 11 have c = 'b' and are 1/20 = 0.05 away
CREATE TABLE pv_near AS SELECT 10::float8 AS x, 'b'::text AS c;
SELECT metric, round(score::numeric, 4) AS score FROM synth_privacy('pv_real', 'pv_near');

-- a NULL number is -1 plus a NULL flag: from x = 0 ('a'), sqrt(1 + 1)
CREATE TABLE pv_null AS SELECT NULL::float8 AS x, 'a'::text AS c;
SELECT metric, round(score::numeric, 4) AS score FROM synth_privacy('pv_real', 'pv_null');

-- a number column with at most 10 distinct values is a category: 3 is one
-- mismatch (sqrt(0.5)), not 1 away from 2 on the scale
CREATE TABLE pv_levels AS SELECT 1 + i % 2 AS k FROM generate_series(1, 20) AS i;
CREATE TABLE pv_level3 AS SELECT 3 AS k;
SELECT metric, round(score::numeric, 4) AS score FROM synth_privacy('pv_levels', 'pv_level3');
-- numbers of another type compare by value: bigint 2 copies integer 2
CREATE TABLE pv_level2 AS SELECT 2::bigint AS k;
SELECT metric, round(score::numeric, 4) AS score FROM synth_privacy('pv_levels', 'pv_level2');

-- dates are always scaled: 5 dates two days apart (range 8 days); a date 2
-- days past the last is 2/8 = 0.25 away
CREATE TABLE pv_dates AS SELECT date '2024-01-01' + 2 * i AS d FROM generate_series(0, 4) AS i;
CREATE TABLE pv_date_after AS SELECT date '2024-01-11' AS d;
SELECT metric, round(score::numeric, 4) AS score FROM synth_privacy('pv_dates', 'pv_date_after');
-- a date or timestamp column of one real value is scaled by one day, as
-- the scorer does (in days); a timestamp was scaled by one microsecond, so
-- a day apart was 86,400,000,000 away
CREATE TABLE pv_snapshot AS SELECT date '2024-01-01' AS d, timestamptz '2024-01-01 00:00+00' AS t;
CREATE TABLE pv_snapshot_next AS SELECT date '2024-01-02' AS d, timestamptz '2024-01-01 00:00+00' AS t
UNION ALL SELECT date '2024-01-01', timestamptz '2024-01-02 00:00+00';
SELECT metric, round(score::numeric, 4) AS score FROM synth_privacy('pv_snapshot', 'pv_snapshot_next');

-- With a holdout.  Real: x = 0, 2, .., 38; holdout: x = 1, 3, .., 39, with
-- the same c (so no holdout row equals a real row); range 0 .. 39.
CREATE TABLE pv_train AS
SELECT (2 * i)::float8 AS x, CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END AS c
FROM generate_series(0, 19) AS i;
CREATE TABLE pv_holdout AS
SELECT (2 * i + 1)::float8 AS x, CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END AS c
FROM generate_series(0, 19) AS i;

-- a copier: every synthetic row is a real row, closer to real than to the
-- holdout: DCR share 1
SELECT metric, round(score::numeric, 4) AS score
FROM synth_privacy('pv_train', 'pv_train', 'pv_holdout');

-- rows that never saw the real ones (the holdout itself): DCR share 0, and
-- the smallest distance is 1/39 (x = 2i + 1 next to x = 2i, same c)
SELECT metric, round(score::numeric, 4) AS score
FROM synth_privacy('pv_train', 'pv_holdout', 'pv_holdout');

-- equally close to both: ties count one half
SELECT metric, round(score::numeric, 4) AS score
FROM synth_privacy('pv_train', 'pv_train', 'pv_train');

-- a smaller holdout: real is subsampled to its size, which changes nothing
-- for rows at distance 0 from the holdout and none from real
CREATE TABLE pv_holdout_small AS SELECT * FROM pv_holdout WHERE x < 20;
SELECT metric, round(score::numeric, 4) AS score
FROM synth_privacy('pv_train', 'pv_holdout_small', 'pv_holdout_small') WHERE metric = 'dcr_share';
-- a larger holdout is subsampled instead; copies of real rows stay nearer
-- real
CREATE TABLE pv_holdout_large AS SELECT * FROM pv_holdout UNION ALL SELECT x + 100, c FROM pv_holdout;
SELECT metric, round(score::numeric, 4) AS score
FROM synth_privacy('pv_train', 'pv_train', 'pv_holdout_large') WHERE metric = 'dcr_share';

-- NULLs equal NULLs in exact copies
CREATE TABLE pv_with_null AS SELECT * FROM pv_real UNION ALL SELECT NULL, NULL;
SELECT metric, round(score::numeric, 4) AS score
FROM synth_privacy('pv_with_null', 'pv_with_null') WHERE metric = 'exact_copies';

-- A real sample (the penguins of dependence.sql): fit on one half, sample,
-- and compare with the other half.  Exact copies are no more than chance
-- (real penguins repeat no other penguin), and the DCR share is near 0.5.
CREATE TABLE pv_penguins_train AS SELECT * FROM penguins WHERE md5(penguins::text) < '8';
CREATE TABLE pv_penguins_holdout AS SELECT * FROM penguins WHERE md5(penguins::text) >= '8';
SELECT (SELECT count(*) FROM pv_penguins_train) AS train, (SELECT count(*) FROM pv_penguins_holdout) AS holdout;
SELECT synth_fit('pv_penguins_train');
CREATE TABLE pv_penguins_syn AS SELECT * FROM synth_sample(NULL::pv_penguins_train, 1000, seed => 3);
SELECT metric,
       CASE metric
           WHEN 'exact_copies' THEN score = 0
           WHEN 'exact_copies_holdout' THEN score = 0
           WHEN 'holdout_in_real' THEN score = 0
           WHEN 'dcr_share' THEN score BETWEEN 0.4 AND 0.65
           WHEN 'min_dcr' THEN score > 0
       END AS expected
FROM synth_privacy('pv_penguins_train', 'pv_penguins_syn', 'pv_penguins_holdout');
SELECT synth_drop('pv_penguins_train');
-- and against the copier, the same check fails loudly
SELECT metric, round(score::numeric, 4) AS score
FROM synth_privacy('pv_penguins_train', 'pv_penguins_train', 'pv_penguins_holdout')
WHERE metric IN ('exact_copies', 'dcr_share');

-- The nearest record is found by a search that visits the rows in order
-- of one column's scaled value and stops once that difference alone is as
-- far as the nearest found; it finds what a visit of every row finds.
-- Here distances computed by brute force in SQL, with the definitions of
-- the README, for 100 synthetic rows against 600 real rows and a holdout
-- of 600 or of 300 (then 300 of the real rows count for the DCR share:
-- those with the smallest SplitMix64 hashes of their place in the table,
-- rebuilt here) give the same DCR shares, the same smallest distance, and
-- row by row (each synthetic row alone) the same distance to the nearest
-- real row.  Column c has NULLs (-1 and a flag), g is a category (0.5 when
-- it differs).
SELECT setseed(0.3125);
CREATE FUNCTION pv_search_rows(n integer) RETURNS TABLE (a float8, b float8, c float8, g text)
    LANGUAGE sql AS $$
    SELECT random() * 10, random() + random(),
           CASE WHEN random() < 0.1 THEN NULL ELSE random() * 100 END,
           (ARRAY['x', 'y', 'z'])[1 + floor(random() * 3)::int]
    FROM generate_series(1, n) $$;
CREATE TABLE pv_search_real AS SELECT * FROM pv_search_rows(600);
CREATE TABLE pv_search_holdout AS SELECT * FROM pv_search_rows(600);
CREATE TABLE pv_search_syn AS SELECT * FROM pv_search_rows(100);
CREATE TABLE pv_search_holdout_300 AS SELECT * FROM pv_search_holdout LIMIT 300;
CREATE TABLE pv_search_one (LIKE pv_search_syn);
CREATE FUNCTION pv_scaled(x float8, lo float8, span float8) RETURNS float8
    LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce((x - lo) / span, -1) $$;
CREATE FUNCTION pv_distance(sa float8, sb float8, sc float8, sg text,
                            ra float8, rb float8, rc float8, rg text,
                            lo float8[], span float8[]) RETURNS float8
    LANGUAGE sql IMMUTABLE AS $$
    SELECT sqrt((pv_scaled(sa, lo[1], span[1]) - pv_scaled(ra, lo[1], span[1]))^2
                + (pv_scaled(sb, lo[2], span[2]) - pv_scaled(rb, lo[2], span[2]))^2
                + (pv_scaled(sc, lo[3], span[3]) - pv_scaled(rc, lo[3], span[3]))^2
                + ((sc IS NULL)::int - (rc IS NULL)::int)^2
                + CASE WHEN sg IS DISTINCT FROM rg THEN 0.5 ELSE 0 END) $$;
-- SplitMix64's finaliser (numerics.c) in unsigned 64-bit arithmetic
CREATE FUNCTION pv_u64(b bit(64)) RETURNS numeric LANGUAGE sql IMMUTABLE AS
    $$ SELECT b::int8::numeric + CASE WHEN b::int8 < 0 THEN 18446744073709551616 ELSE 0 END $$;
CREATE FUNCTION pv_b64(x numeric) RETURNS bit(64) LANGUAGE sql IMMUTABLE AS
    $$ SELECT (CASE WHEN x >= 9223372036854775808 THEN x - 18446744073709551616 ELSE x END)::int8::bit(64) $$;
CREATE FUNCTION pv_xorshift(x numeric, k integer) RETURNS numeric LANGUAGE sql IMMUTABLE AS
    $$ SELECT pv_u64(pv_b64(x) # (pv_b64(x) >> k)) $$;
CREATE FUNCTION pv_mix(x numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT pv_xorshift(mod(pv_xorshift(mod(pv_xorshift(mod(x + 11400714819323198485,
               18446744073709551616), 30) * 13787848793156543929, 18446744073709551616), 27)
               * 10723151780598845931, 18446744073709551616), 31) $$;
-- each synthetic row's nearest real row, all of them or the subsample of
-- the size of the holdout, and its nearest holdout row
CREATE FUNCTION pv_nearest(holdout regclass)
    RETURNS TABLE (a float8, b float8, c float8, g text, to_real float8, to_members float8, to_holdout float8)
    LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format($q$
        WITH u AS (SELECT a, b, c FROM pv_search_real UNION ALL SELECT a, b, c FROM %1$s),
             ends AS (SELECT ARRAY[min(u.a), min(u.b), min(u.c)] AS lo,
                             ARRAY[max(u.a) - min(u.a), max(u.b) - min(u.b), max(u.c) - min(u.c)] AS span
                      FROM u),
             placed AS (SELECT r.*, pv_mix(pv_u64(pv_b64(104372257831710) #
                                   pv_b64(row_number() OVER (ORDER BY ctid) - 1))) AS hash
                        FROM pv_search_real r),
             members AS (SELECT * FROM placed ORDER BY hash LIMIT (SELECT count(*) FROM %1$s))
        SELECT s.a, s.b, s.c, s.g,
               (SELECT min(pv_distance(s.a, s.b, s.c, s.g, r.a, r.b, r.c, r.g, lo, span))
                FROM pv_search_real r),
               (SELECT min(pv_distance(s.a, s.b, s.c, s.g, m.a, m.b, m.c, m.g, lo, span))
                FROM members m),
               (SELECT min(pv_distance(s.a, s.b, s.c, s.g, h.a, h.b, h.c, h.g, lo, span))
                FROM %1$s h)
        FROM pv_search_syn s, ends $q$, holdout);
END $$;
CREATE TABLE pv_search_near AS SELECT * FROM pv_nearest('pv_search_holdout');
CREATE FUNCTION pv_search_check(holdout regclass)
    RETURNS TABLE (dcr_share_same boolean, min_dcr_same boolean, dcr_share numeric)
    LANGUAGE sql AS $$
    WITH near AS (SELECT * FROM pv_search_near WHERE holdout = 'pv_search_holdout'::regclass
                  UNION ALL
                  SELECT * FROM pv_nearest(holdout) WHERE holdout <> 'pv_search_holdout'::regclass),
         got AS (SELECT * FROM synth_privacy('pv_search_real', 'pv_search_syn', holdout))
    SELECT (SELECT avg(CASE WHEN to_members < to_holdout THEN 1 WHEN to_members = to_holdout THEN 0.5 ELSE 0 END)
            FROM near) = (SELECT score FROM got WHERE metric = 'dcr_share'),
           (SELECT abs(min(to_real) - (SELECT score FROM got WHERE metric = 'min_dcr')) < 1e-12 FROM near),
           (SELECT round(score::numeric, 3) FROM got WHERE metric = 'dcr_share') $$;
SELECT * FROM pv_search_check('pv_search_holdout');
SELECT * FROM pv_search_check('pv_search_holdout_300');
-- row by row: synth_privacy of each synthetic row alone, against SQL's
CREATE FUNCTION pv_rows_differing() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    s record;
    differing integer := 0;
BEGIN
    FOR s IN SELECT * FROM pv_search_near LOOP
        TRUNCATE pv_search_one;
        INSERT INTO pv_search_one VALUES (s.a, s.b, s.c, s.g);
        IF abs((SELECT score FROM synth_privacy('pv_search_real', 'pv_search_one', 'pv_search_holdout')
                WHERE metric = 'min_dcr') - s.to_real) >= 1e-12 THEN
            differing := differing + 1;
        END IF;
    END LOOP;
    RETURN differing;
END $$;
SELECT pv_rows_differing() AS rows_differing;
DROP FUNCTION pv_rows_differing();
DROP FUNCTION pv_search_check(regclass);
DROP FUNCTION pv_nearest(regclass);
DROP FUNCTION pv_mix(numeric);
DROP FUNCTION pv_xorshift(numeric, integer);
DROP FUNCTION pv_b64(numeric);
DROP FUNCTION pv_u64(bit);
DROP FUNCTION pv_distance(float8, float8, float8, text, float8, float8, float8, text, float8[], float8[]);
DROP FUNCTION pv_scaled(float8, float8, float8);
DROP FUNCTION pv_search_rows(integer);
DROP TABLE pv_search_real, pv_search_holdout, pv_search_holdout_300, pv_search_syn, pv_search_one,
    pv_search_near;

-- Names are never copied.  The 3,201 film titles and their directors of
-- data/movies.csv: every title is near-unique and comes back made up; a
-- director seen in at least min_group_size films is a category, the others
-- are pooled into made-up names.  In 100,000 sampled rows no title and no
-- pooled director equals a real one, and the model's text holds neither.
CREATE TEMP TABLE pv_movies_csv (title text, us_gross text, worldwide_gross text, us_dvd_sales text,
    production_budget text, release_date text, mpaa_rating text, running_time_min text,
    distributor text, source text, major_genre text, creative_type text, director text,
    rotten_tomatoes_rating text, imdb_rating text, imdb_votes text);
\copy pv_movies_csv FROM 'data/movies.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE pv_names AS SELECT title, nullif(director, '') AS director FROM pv_movies_csv;
CREATE TEMP TABLE pv_rare_directors AS
SELECT director FROM pv_names WHERE director IS NOT NULL GROUP BY 1 HAVING count(*) < 5;
SELECT count(DISTINCT title) AS real_titles, (SELECT count(*) FROM pv_rare_directors) AS rare_directors
FROM pv_names;
SELECT synth_fit('pv_names');
CREATE TEMP TABLE pv_names_syn AS SELECT * FROM synth_sample(NULL::pv_names, 100000, seed => 8);
SELECT count(DISTINCT title) > 90000 AS titles_made_up,
       (SELECT count(*) FROM pv_names_syn s JOIN pv_names r USING (title)) AS real_titles_sampled,
       (SELECT count(*) FROM pv_names_syn s JOIN pv_rare_directors r USING (director)) AS rare_directors_sampled,
       (SELECT count(*) FROM pv_names_syn s JOIN (SELECT DISTINCT director FROM pv_names) r USING (director)) > 25000 AS common_directors_kept
FROM pv_names_syn;
SELECT (SELECT count(*) FROM pv_names r WHERE strpos(m::text, to_jsonb(r.title)::text) > 0) AS titles_in_model,
       (SELECT count(*) FROM pv_rare_directors r WHERE strpos(m::text, to_jsonb(r.director)::text) > 0) AS rare_directors_in_model
FROM synth_model('pv_names') m;
SELECT synth_drop('pv_names');
DROP TABLE pv_names;

-- Errors
\set ON_ERROR_STOP 0
SELECT * FROM synth_privacy(NULL, 'pv_real');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM synth_privacy('pv_real', NULL);
\echo :LAST_ERROR_SQLSTATE
-- a NULL holdout is no holdout
SELECT count(*) FROM synth_privacy('pv_real', 'pv_real', NULL);
SELECT * FROM synth_privacy('pv_real', 'no_such_table');
\echo :LAST_ERROR_SQLSTATE
CREATE INDEX pv_real_x ON pv_real (x);
SELECT * FROM synth_privacy('pv_real', 'pv_real_x');
\echo :LAST_ERROR_SQLSTATE
-- empty tables
CREATE TABLE pv_empty (x float8, c text);
SELECT * FROM synth_privacy('pv_empty', 'pv_real');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM synth_privacy('pv_real', 'pv_empty');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM synth_privacy('pv_train', 'pv_train', 'pv_empty');
\echo :LAST_ERROR_SQLSTATE
-- the same columns, by name, of comparable types
CREATE TABLE pv_no_c AS SELECT x FROM pv_real;
SELECT * FROM synth_privacy('pv_real', 'pv_no_c');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE pv_extra AS SELECT x, c, 1 AS y FROM pv_real;
SELECT * FROM synth_privacy('pv_real', 'pv_extra');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM synth_privacy('pv_train', 'pv_train', 'pv_no_c');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE pv_text_x AS SELECT x::text AS x, c FROM pv_real;
SELECT * FROM synth_privacy('pv_real', 'pv_text_x');
\echo :LAST_ERROR_SQLSTATE
-- the column order does not matter, nor varchar against text
CREATE TABLE pv_reordered AS SELECT c::varchar(1) AS c, x FROM pv_real;
SELECT metric, round(score::numeric, 4) AS score FROM synth_privacy('pv_real', 'pv_reordered');
-- unsupported types
CREATE TABLE pv_json AS SELECT x, c, '{}'::jsonb AS j FROM pv_real;
SELECT * FROM synth_privacy('pv_json', 'pv_json');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE pv_json2 AS SELECT x, c, '{}'::jsonb AS j, ARRAY[1] AS a FROM pv_real;
SELECT * FROM synth_privacy('pv_json2', 'pv_json2');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT * FROM synth_privacy('pv_json2', 'pv_json2');
\set VERBOSITY terse

-- privileges: the tables are read with the caller's rights
CREATE ROLE synth_privacy_nobody;
SET ROLE synth_privacy_nobody;
SELECT * FROM synth_privacy('pv_real', 'pv_far');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
GRANT SELECT ON pv_real TO synth_privacy_nobody;
SET ROLE synth_privacy_nobody;
SELECT * FROM synth_privacy('pv_real', 'pv_far');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
GRANT SELECT ON pv_far TO synth_privacy_nobody;
SET ROLE synth_privacy_nobody;
SELECT metric, round(score::numeric, 4) AS score FROM synth_privacy('pv_real', 'pv_far');
RESET ROLE;
-- and row-level security applies: a role that sees only the even rows of
-- real (c = 'a') finds x = 10 with c = 'b' sqrt(0.5) away, not 0.05 (the
-- rows x = 9 and x = 11 are hidden from it)
ALTER TABLE pv_real ENABLE ROW LEVEL SECURITY;
CREATE POLICY pv_even ON pv_real TO synth_privacy_nobody USING (c = 'a');
GRANT SELECT ON pv_near TO synth_privacy_nobody;
SET ROLE synth_privacy_nobody;
SELECT metric, round(score::numeric, 4) AS score FROM synth_privacy('pv_real', 'pv_near');
RESET ROLE;
DROP POLICY pv_even ON pv_real;
ALTER TABLE pv_real DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON pv_real, pv_far, pv_near FROM synth_privacy_nobody;
DROP ROLE synth_privacy_nobody;

-- a long comparison can be cancelled at once (categories only, and the
-- synthetic ones never seen in the real rows: nothing can be ruled out, so
-- every synthetic row is compared with every real row)
CREATE TABLE pv_big AS SELECT (i % 7)::text AS c, (i % 11)::text AS d FROM generate_series(1, 50000) AS i;
CREATE TABLE pv_big_unseen AS SELECT 'u' || (i % 7) AS c, 'u' || (i % 11) AS d FROM generate_series(1, 50000) AS i;
SET statement_timeout = '200ms';
SELECT * FROM synth_privacy('pv_big', 'pv_big_unseen');
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
\set ON_ERROR_STOP 1
