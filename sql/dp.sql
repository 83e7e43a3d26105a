-- Differentially private fits: synth_fit(..., epsilon => e).  The noise is
-- drawn from the operating system's strong random source, never from a
-- seed, so every check here is a property that holds for any noise draw
-- (or fails with a probability far below 1e-6).
\set VERBOSITY terse
SET extra_float_digits = 0;
CREATE TABLE dp_people AS SELECT id, age, city, active, feeling, height, born FROM people;
SELECT synth_fit('dp_people', epsilon => 5);
SELECT synth_fit('people');

-- the model says it is differentially private, with its budget
SELECT (m->'differential_privacy'->>'epsilon')::float8 AS epsilon,
       (m->'differential_privacy'->>'delta')::float8 AS delta,
       abs((m->'differential_privacy'->'budget'->>'row_count')::float8
           + (m->'differential_privacy'->'budget'->>'columns')::float8
           + (m->'differential_privacy'->'budget'->>'dependence')::float8 - 1) < 1e-9 AS budget_adds_up,
       m->'grouped_by' IS NULL AS no_groups,
       m->'differential_privacy' IS NOT NULL AND (SELECT m2->'differential_privacy' FROM synth_model('people') m2) = 'null' AS only_dp_models
FROM synth_model('dp_people') m;

-- the values of city seen once ('Village 2973', ...) are not in the model
-- (delta bounds the chance, 1e-6), the frequent ones are; the boolean and
-- the enum keep their whole public domain
SELECT count(*) FILTER (WHERE c->>'value' LIKE 'Village%') AS rare_kept,
       count(*) FILTER (WHERE c->>'value' IN ('Oslo', 'Bergen', 'Trondheim')) AS frequent_kept
FROM jsonb_array_elements(synth_model('dp_people')->'columns'->2->'categories') c;
SELECT jsonb_array_length(synth_model('dp_people')->'columns'->3->'categories') AS booleans,
       jsonb_array_length(synth_model('dp_people')->'columns'->4->'categories') AS moods;
-- ... and 100,000 sampled rows never carry one
SELECT count(*) AS rows, count(*) FILTER (WHERE city IN (SELECT city FROM people WHERE city LIKE 'Village%')) AS rare_sampled,
       bool_and(feeling IS NULL OR feeling IN ('calm', 'busy', 'tired')) AS moods_real,
       bool_and(age = round(age)) AS ages_whole
FROM synth_sample(NULL::dp_people, 100000, seed => 1);

-- The noise is there, at the scale the budget sets: 200 fits of a 500-row
-- table at epsilon 1 release 200 row counts, each with two-sided geometric
-- noise of epsilon 0.05 (5 % of the budget): standard deviation
-- sqrt(2 a) / (1 - a), a = exp(-0.05), = 28.3.  The sample standard
-- deviation of 200 such draws is within 4 of its standard errors
-- (sqrt((kurtosis - 1) / 4n) = 0.079 relative, kurtosis 6) of that; the mean
-- within 4 standard errors (28.3 / sqrt(200) = 2.0) of 500.
CREATE TABLE dp_small AS SELECT id, age, height FROM people WHERE id <= 500;
CREATE TEMP TABLE dp_counts (n float8);
-- (each of these fits warns that its private ranges will likely miss: below)
SET client_min_messages = error;
DO $$
BEGIN
    FOR i IN 1..200 LOOP
        PERFORM synth_fit('dp_small', epsilon => 1);
        INSERT INTO dp_counts SELECT row_count FROM synth_models WHERE name = 'dp_small';
    END LOOP;
END $$;
RESET client_min_messages;
SELECT count(DISTINCT n) >= 20 AS fits_differ,
       stddev(n) / (sqrt(2 * exp(-0.05)) / (1 - exp(-0.05))) BETWEEN 1 - 4 * 0.079 AND 1 + 4 * 0.079 AS noise_scale_ok,
       abs(avg(n) - 500) < 4 * 28.3 / sqrt(200) AS unbiased
FROM dp_counts;

-- a numeric's declared precision bounds a private model's range: prices
-- near the top of numeric(6, 2), whose upper bound was the first power of
-- two above them (16384), so that rows beyond 9999.99 failed with "numeric
-- field overflow" (and at times, when the private bound missed the data,
-- it was 2^40); now the type's largest value is the last candidate
CREATE TABLE dp_prices (price numeric(6, 2));
INSERT INTO dp_prices SELECT 9000 + (i % 100) * 9.99 FROM generate_series(1, 2000) i;
SELECT synth_fit('dp_prices', epsilon => 1);
SELECT bool_and(coalesce((d->>'from')::float8, (d->>'value')::float8) >= -9999.99 AND
                coalesce((d->>'to')::float8, (d->>'value')::float8) <= 9999.99) AS bounds_within_type
FROM jsonb_array_elements(synth_model('dp_prices')->'columns') c, jsonb_array_elements(c->'distribution') d;
SELECT count(*) AS rows, coalesce(max(abs(price)) <= 9999.99, true) AS within_type
FROM synth_sample(NULL::dp_prices, 20000, seed => 1);
SELECT synth_drop('dp_prices');
DROP TABLE dp_prices;
-- a negative scale (numeric(5, -2): whole hundreds) is no scale of -2 or
-- 2046 decimals (before: the private fit stored 2046 and could not be read)
CREATE TABLE dp_hundreds (v numeric(5, -2));
INSERT INTO dp_hundreds SELECT i * 100 FROM generate_series(1, 2000) i;
SELECT synth_fit('dp_hundreds', epsilon => 5);
SELECT c->>'decimals' AS decimals FROM jsonb_array_elements(synth_model('dp_hundreds')->'columns') c;
SELECT count(*) AS rows, bool_and(v % 100 = 0) AS whole_hundreds
FROM synth_sample(NULL::dp_hundreds, 1000, seed => 1);
SELECT synth_drop('dp_hundreds');
DROP TABLE dp_hundreds;

-- a boolean column learns its shares (its public domain is the fit's own
-- spelling, 'false' and 'true'; it was 'f' and 't', which no row matched,
-- so every private boolean came out half and half): 90 % true
CREATE TABLE dp_flags AS SELECT (g % 10 <> 0) AS flag, g AS x FROM generate_series(1, 5000) g;
SELECT synth_fit('dp_flags', epsilon => 5);
SELECT abs(avg(flag::int) - 0.9) < 0.03 AS true_share_learnt
FROM synth_sample(NULL::dp_flags, 10000, seed => 1);
SELECT synth_drop('dp_flags');
DROP TABLE dp_flags;
-- an all-NULL column stays NULL: the non-NULL count is the unclamped sum of
-- the noisy bins (clamping each of the 32 at 0 added about 95 made-up
-- values to 400 NULLs: a NULL share near 0.81); mean of 20 private fits
CREATE TABLE dp_nulls AS SELECT NULL::float8 AS gone, g AS x FROM generate_series(1, 400) g;
CREATE TEMP TABLE dp_null_shares (share float8);
SET client_min_messages = error;
DO $$
BEGIN
    FOR i IN 1..20 LOOP
        PERFORM synth_fit('dp_nulls', epsilon => 1);
        INSERT INTO dp_null_shares
        SELECT (c->>'null_fraction')::float8
        FROM jsonb_array_elements(synth_model('dp_nulls')->'columns') c WHERE c->>'name' = 'gone';
    END LOOP;
END $$;
RESET client_min_messages;
SELECT avg(share) > 0.9 AS null_share_kept FROM dp_null_shares;
SELECT synth_drop('dp_nulls');
DROP TABLE dp_nulls;
-- a value far above the upper bound is counted in the top bin (its bin
-- number overflowed an int and landed in the bottom one: about 300 of
-- 20,000 rows below 0.25, where no real value lies)
CREATE TABLE dp_outliers AS
SELECT CASE WHEN g % 67 = 0 THEN 1e11 ELSE 0.5 + (g % 100) / 200.0 END::float8 AS v
FROM generate_series(1, 20000) g;
SELECT synth_fit('dp_outliers', epsilon => 10);
SELECT count(*) FILTER (WHERE v < 0.25) < 60 AS none_in_the_empty_bottom
FROM synth_sample(NULL::dp_outliers, 20000, seed => 1);
SELECT synth_drop('dp_outliers');
DROP TABLE dp_outliers;

-- public bounds (bounds => ...): the range is the user's, not read from the
-- rows, so whatever the noise every piece of a bounded column lies on the
-- grid of 32 equal bins between its bounds (dates: in days, as the model
-- shows them); a column without bounds still finds its own
CREATE TABLE dp_bounded AS
SELECT (20 + g % 60)::smallint AS age, 150 + (g % 50) / 2.0::float8 AS height,
       date '2000-01-01' + g % 3650 AS born, (g % 1000)::float8 AS free
FROM generate_series(1, 2000) g;
SELECT synth_fit('dp_bounded', epsilon => 2,
                 bounds => '{"age": [0, 120], "height": ["100", 250.5], "born": ["1990-01-01", "2030-01-01"]}');
SELECT c->>'name' AS col,
       bool_and(lo <= (d->>'from')::float8 AND (d->>'to')::float8 <= hi + 1e-9 * abs(hi)
                AND abs(((d->>'from')::float8 - lo) / ((hi - lo) / 32)
                        - round(((d->>'from')::float8 - lo) / ((hi - lo) / 32))) < 1e-6) AS on_the_bounds_grid
FROM jsonb_array_elements(synth_model('dp_bounded')->'columns') c,
     jsonb_array_elements(c->'distribution') d,
     (VALUES ('age', 0, 120), ('height', 100, 250.5),
             ('born', date '1990-01-01' - date '2000-01-01', date '2030-01-01' - date '2000-01-01')) b(name, lo, hi)
WHERE b.name = c->>'name'
GROUP BY 1 ORDER BY 1;
-- the ages, 20 to 79 evenly, come back so: each of the 2,000 rows' 32 bins
-- gets two-sided geometric noise of epsilon 2 * 0.55 / 4: a standard
-- deviation of 5 rows a bin, so the mean moves by well under a year;
-- 10,000 rows' own spread of the mean is 0.2; the test allows 4 years
SELECT abs(avg(age) - 49.5) < 4 AS ages_learnt,
       count(*) FILTER (WHERE age BETWEEN 20 AND 79) > 0.9 * count(*) AS ages_where_they_were
FROM synth_sample(NULL::dp_bounded, 10000, seed => 1);
SELECT synth_drop('dp_bounded');
-- public bounds are kept as given, however narrow against their magnitude
-- (keys a hundred apart from 10^15: they were widened a thousandfold, since
-- a collapsed private range is widened)
CREATE TABLE dp_far_keys AS SELECT 1000000000000000 + g * 100 AS k, g::float8 AS amount FROM generate_series(1, 1000) g;
SELECT synth_fit('dp_far_keys', epsilon => 1,
                 bounds => '{"k": [1000000000000000, 1000000000100000], "amount": [0, 1000]}');
SELECT min(k) >= 1000000000000000 AND max(k) <= 1000000000100000 AS within_bounds
FROM synth_sample(NULL::dp_far_keys, 500, seed => 1);
SELECT synth_drop('dp_far_keys');
DROP TABLE dp_far_keys;
-- min_group_size holds in a private fit too, on the noisy counts: a name in
-- 3 rows is not kept at epsilon 200 with min_group_size 50 (the stability
-- threshold alone let it through, and the model said min_group_size 50)
CREATE TABLE dp_names AS SELECT 'common' AS name FROM generate_series(1, 2000)
UNION ALL SELECT 'Jane Q. Rareperson' FROM generate_series(1, 3);
SELECT synth_fit('dp_names', epsilon => 200, min_group_size => 50);
SELECT c->>'value' AS kept FROM jsonb_array_elements(synth_model('dp_names')->'columns'->0->'categories') c;
SELECT count(*) FILTER (WHERE name = 'Jane Q. Rareperson') AS rare_sampled
FROM synth_sample(NULL::dp_names, 10000, seed => 1);
SELECT synth_drop('dp_names');
DROP TABLE dp_names;
-- a fit whose budget leaves each bound's search too little for its rows
-- (about 500 rows at epsilon 1: each bound's scan stops early on a bound far
-- from the data in most fits) says so and names the columns; with public
-- bounds for them it has nothing to say
SELECT synth_fit('dp_small', epsilon => 1);
SELECT synth_fit('dp_small', epsilon => 1, bounds => '{"id": [0, 1000], "age": [0, 120], "height": [0, 300]}');

-- errors
\set ON_ERROR_STOP 0
SELECT synth_fit('dp_bounded', bounds => '{"age": [0, 120]}');
SELECT synth_fit('dp_bounded', epsilon => 1, bounds => '[0, 120]');
SELECT synth_fit('dp_bounded', epsilon => 1, bounds => '{"weight": [0, 120]}');
SELECT synth_fit('dp_bounded', epsilon => 1, exclude => '{age}', bounds => '{"age": [0, 120]}');
SELECT synth_fit('dp_people', epsilon => 1, bounds => '{"city": [0, 120]}');
SELECT synth_fit('dp_bounded', epsilon => 1, bounds => '{"age": [0]}');
SELECT synth_fit('dp_bounded', epsilon => 1, bounds => '{"age": 120}');
SELECT synth_fit('dp_bounded', epsilon => 1, bounds => '{"age": [true, 120]}');
SELECT synth_fit('dp_bounded', epsilon => 1, bounds => '{"age": [0, 100000]}');
SELECT synth_fit('dp_bounded', epsilon => 1, bounds => '{"born": ["soon", "2030-01-01"]}');
SELECT synth_fit('dp_bounded', epsilon => 1, bounds => '{"height": ["-infinity", 250]}');
SELECT synth_fit('dp_bounded', epsilon => 1, bounds => '{"age": [120, 0]}');
SELECT synth_fit('dp_bounded', epsilon => 1, bounds => '{"age": [5, 5]}');
SELECT synth_fit('dp_bounded', epsilon => 1, bounds => '{"height": [-1e308, 1e308]}');
DROP TABLE dp_bounded;
SELECT synth_fit('dp_small', epsilon => 0);
SELECT synth_fit('dp_small', epsilon => -1);
SELECT synth_fit('dp_small', epsilon => 'NaN');
SELECT synth_fit('dp_small', epsilon => 1001);
SELECT synth_fit('dp_small', delta => 1e-6);
SELECT synth_fit('dp_small', epsilon => 1, delta => 0);
SELECT synth_fit('dp_small', epsilon => 1, delta => 1);
SET synth.fit_sample_rows = 1000;
SELECT synth_fit('dp_people', epsilon => 1);
RESET synth.fit_sample_rows;
\set ON_ERROR_STOP 1
SELECT synth_drop('dp_small'), synth_drop('dp_people');
DROP TABLE dp_small, dp_people;
