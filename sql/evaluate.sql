-- synth_evaluate: SDMetrics-style quality inside the database.
\set VERBOSITY terse
SET extra_float_digits = 0;

-- a table against itself is perfect
SELECT metric, columns, round(score::numeric, 4) AS score
FROM synth_evaluate('penguins', 'penguins') WHERE columns IS NULL ORDER BY metric;

-- a hand-made case with known answers
CREATE TABLE ev_real (x double precision, c text, d date, id text);
INSERT INTO ev_real SELECT i, CASE WHEN i <= 50 THEN 'a' ELSE 'b' END, date '2024-01-01' + i, 'id' || i
FROM generate_series(1, 100) i;
-- x shifted by 10 (KS 0.1), c 60/40 instead of 50/50 (TVD 0.1), dates equal
CREATE TABLE ev_syn AS
SELECT x + 10 AS x, CASE WHEN x <= 60 THEN 'a' ELSE 'b' END AS c, d, id FROM ev_real;
SELECT metric, columns, round(score::numeric, 4) AS score
FROM synth_evaluate('ev_real', 'ev_syn') ORDER BY metric, columns;

-- a synthetic table from a model scores well but not perfectly
SELECT synth_fit('penguins', model => 'ev_penguins');
CREATE TEMP TABLE ev_penguins_syn AS SELECT * FROM synth_sample(NULL::penguins, 344, model => 'ev_penguins', seed => 5);
SELECT metric, score BETWEEN 0.85 AND 0.999 AS plausible
FROM synth_evaluate('penguins', 'ev_penguins_syn') WHERE columns IS NULL ORDER BY metric;
SELECT setseed(0.5);
-- and a sample that ignores the dependence (each column shuffled on its
-- own) keeps the shapes but loses the pair trends
CREATE TEMP TABLE shuffled AS
SELECT s.species, i.island, b.beak_length_mm, d.beak_depth_mm, f.flipper_length_mm, m.body_mass_g, x.sex
FROM (SELECT species, row_number() OVER (ORDER BY md5(species || beak_length_mm::text || random()::text)) r FROM penguins) s
JOIN (SELECT island, row_number() OVER (ORDER BY md5(island || random()::text)) r FROM penguins) i USING (r)
JOIN (SELECT beak_length_mm, row_number() OVER (ORDER BY random()) r FROM penguins) b USING (r)
JOIN (SELECT beak_depth_mm, row_number() OVER (ORDER BY random()) r FROM penguins) d USING (r)
JOIN (SELECT flipper_length_mm, row_number() OVER (ORDER BY random()) r FROM penguins) f USING (r)
JOIN (SELECT body_mass_g, row_number() OVER (ORDER BY random()) r FROM penguins) m USING (r)
JOIN (SELECT sex, row_number() OVER (ORDER BY random()) r FROM penguins) x USING (r);
SELECT (SELECT score FROM synth_evaluate('penguins', 'shuffled') WHERE metric = 'column_shapes') = 1 AS shapes_kept,
       (SELECT score FROM synth_evaluate('penguins', 'shuffled') WHERE metric = 'pair_trends')
     < (SELECT score FROM synth_evaluate('penguins', 'ev_penguins_syn') WHERE metric = 'pair_trends') AS trends_lost;

-- a key column of the real table is left out: sampled keys are unique and
-- spread over the learnt range, so ten times the rows reach far past it
CREATE TABLE ev_keyed (id integer PRIMARY KEY, x double precision, g text);
INSERT INTO ev_keyed SELECT i, (i * 37 % 101) / 10.0, (ARRAY['a', 'b', 'c'])[1 + i % 3]
FROM generate_series(1, 300) i;
SELECT synth_fit('ev_keyed');
CREATE TEMP TABLE ev_keyed_syn AS SELECT * FROM synth_sample(NULL::ev_keyed, 3000, seed => 3);
SELECT max(id) > 300 AS keys_past_real_range,
       (SELECT count(*) FROM synth_evaluate('ev_keyed', 'ev_keyed_syn') WHERE columns ~ 'id') AS id_rows,
       (SELECT score FROM synth_evaluate('ev_keyed', 'ev_keyed_syn') WHERE metric = 'quality') > 0.9 AS quality_high
FROM ev_keyed_syn;

-- errors
\set ON_ERROR_STOP 0
SELECT * FROM synth_evaluate(NULL, 'ev_syn');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE ev_other (zzz integer);
INSERT INTO ev_other VALUES (1);
SELECT * FROM synth_evaluate('ev_real', 'ev_other');
\echo :LAST_ERROR_SQLSTATE
-- an empty table is an error, not a score of 0
CREATE TABLE ev_empty (LIKE ev_real);
SELECT * FROM synth_evaluate('ev_real', 'ev_empty');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM synth_evaluate('ev_real', 'no_such_table');
\echo :LAST_ERROR_SQLSTATE
-- shared columns that are all identifiers or keys leave nothing to compare
CREATE TABLE ev_names AS SELECT 'name ' || i AS name FROM generate_series(1, 100) i;
SELECT * FROM synth_evaluate('ev_names', 'ev_names');
\echo :LAST_ERROR_SQLSTATE
-- a unique column that is no integer key is compared like any other
CREATE TABLE ev_unique_float (x double precision UNIQUE, g text);
INSERT INTO ev_unique_float SELECT i / 7.0, (ARRAY['a', 'b'])[1 + i % 2] FROM generate_series(1, 200) i;
SELECT synth_fit('ev_unique_float');
CREATE TEMP TABLE ev_unique_float_syn AS SELECT * FROM synth_sample(NULL::ev_unique_float, 200, seed => 4);
SELECT count(*) AS x_shape_rows FROM synth_evaluate('ev_unique_float', 'ev_unique_float_syn')
WHERE metric = 'column_shape' AND columns = 'x';
-- NaN and infinities are no number to compare (synth models them as NULL):
-- a table compared with itself scores 1 (it failed on the range's bounds
-- pasted into a query, 'column "infinity" does not exist', or scored NaN)
CREATE TABLE ev_odd (a numeric, b text, c float8, d date);
INSERT INTO ev_odd
SELECT CASE WHEN i = 1 THEN 'Infinity'::numeric WHEN i = 2 THEN 'NaN' ELSE i END,
       'x' || i % 2,
       CASE WHEN i = 3 THEN 'NaN'::float8 WHEN i = 4 THEN '-Infinity' ELSE i * 2 END,
       CASE WHEN i = 5 THEN 'infinity'::date ELSE date '2020-01-01' + i END
FROM generate_series(1, 100) i;
SELECT metric, round(min(score)::numeric, 6) AS lowest, round(max(score)::numeric, 6) AS highest
FROM synth_evaluate('ev_odd', 'ev_odd') GROUP BY 1 ORDER BY 1;
-- ... and a synthetic table with NULL where the real one has NaN or an
-- infinity matches it (the shares were of counts that held them)
CREATE TABLE ev_odd_nulls AS
SELECT nullif(nullif(a, 'NaN'), 'Infinity') AS a, b,
       nullif(nullif(c, 'NaN'), '-Infinity') AS c, nullif(d, 'infinity') AS d
FROM ev_odd;
SELECT metric, round(min(score)::numeric, 6) AS lowest
FROM synth_evaluate('ev_odd', 'ev_odd_nulls') WHERE metric IN ('column_shape', 'quality') GROUP BY 1 ORDER BY 1;
-- every score is in [0, 1]: an all-NULL real column against a filled one
-- scored -4e-16 (rounding)
CREATE TABLE ev_nulls AS SELECT NULL::float8 AS x, (ARRAY['a', 'b'])[1 + i % 2] AS g FROM generate_series(1, 50) i;
CREATE TABLE ev_filled AS SELECT i::float8 AS x, (ARRAY['a', 'b'])[1 + i % 2] AS g FROM generate_series(1, 50) i;
SELECT bool_and(score BETWEEN 0 AND 1) AS all_in_0_1 FROM synth_evaluate('ev_nulls', 'ev_filled');
-- columns of the same name must be comparable: a boolean against an
-- integer was scored (1e-16) without a word
CREATE TABLE ev_flag AS SELECT (i % 2 = 0) AS f, i AS x FROM generate_series(1, 50) i;
CREATE TABLE ev_flag_int AS SELECT i % 2 AS f, i AS x FROM generate_series(1, 50) i;
SELECT * FROM synth_evaluate('ev_flag', 'ev_flag_int');
\echo :LAST_ERROR_SQLSTATE
-- ... while text against an enum compares by the text
CREATE TYPE ev_mood AS ENUM ('calm', 'busy');
CREATE TABLE ev_moods AS SELECT (ARRAY['calm', 'busy'])[1 + i % 2]::ev_mood AS m FROM generate_series(1, 50) i;
CREATE TABLE ev_mood_text AS SELECT (ARRAY['calm', 'busy'])[1 + i % 2] AS m FROM generate_series(1, 50) i;
SELECT metric, round(score::numeric, 4) AS score FROM synth_evaluate('ev_moods', 'ev_mood_text') WHERE metric = 'quality';
