-- Every supported type comes back with its own type, precision and limits.
\set VERBOSITY terse
SET extra_float_digits = 0;
SELECT synth_fit('people');

CREATE TEMP TABLE s AS SELECT * FROM synth_sample(NULL::people, 5000, seed => 1);

-- the row type is the table's own
SELECT pg_typeof(x) FROM synth_sample(NULL::people, 1, seed => 1) AS x;
SELECT count(*) FROM s;

-- integer columns stay integral and inside the modelled range
SELECT bool_and(age BETWEEN 18 AND 90) AS age_in_range,
       bool_and(visits >= 0) AS visits_non_negative
FROM s;

-- numeric keeps its scale; real and double keep the recorded precision
SELECT max(scale(income)) AS income_scale,
       bool_and(height = round(height::numeric, 1)::float8) AS height_one_decimal,
       bool_and(ratio = round(ratio::numeric, 3)::real) AS ratio_three_decimals
FROM s;

-- varchar(n) and char(n) lengths are respected, categories are real ones
SELECT code, grade, octet_length(grade) FROM s GROUP BY 1, 2, 3 ORDER BY 1, 2;

-- dates and timestamps stay in the modelled period
SELECT min(born) >= date '1950-01-01' - 30 AS born_from,
       max(born) <= date '2004-10-04' + 30 AS born_to,
       min(seen_at) >= timestamp '2023-12-25' AS seen_from,
       max(seen_at) <= timestamp '2025-01-07' AS seen_to,
       bool_and(updated BETWEEN timestamptz '2024-05-25 00:00+00' AND timestamptz '2024-07-08 00:00+00') AS updated_in_range
FROM s;

-- enum and boolean values are among the real ones
SELECT feeling, count(*) > 1400 AS about_a_third FROM s GROUP BY 1 ORDER BY 1;
SELECT active IS NOT NULL AS not_null, count(*) > 0 FROM s GROUP BY 1 ORDER BY 1;

-- uuids are fresh version-4 uuids, never the real ones
SELECT count(DISTINCT token) = count(*) AS all_distinct,
       bool_and(substr(token::text, 15, 1) = '4') AS version_4,
       (SELECT count(*) FROM s JOIN people p USING (token)) AS real_tokens
FROM s;

-- near-unique text is made up: no real name comes back, but names look alike
SELECT (SELECT count(*) FROM s JOIN people p USING (name)) AS real_names,
       avg(length(name)) BETWEEN 12 AND 14 AS similar_length,
       avg((strpos(name, ' ') > 0)::int) > 0.6 AS mostly_two_words,
       bool_and(name ~ '^[A-Za-z ]+$') AS letters_only
FROM s;

-- the rare cities (each seen once) are pooled: never sampled
SELECT count(*) AS real_rare_cities
FROM s WHERE city LIKE 'Village %' AND city IN (SELECT city FROM people);
SELECT city, count(*) > 0 FROM s WHERE city IN ('Oslo', 'Bergen', 'Trondheim') GROUP BY 1 ORDER BY 1;

-- a table of every type with a view and a materialized view over it
CREATE VIEW adults AS SELECT id, age, city FROM people WHERE age >= 30;
SELECT synth_fit('adults');
SELECT bool_and(age >= 30) FROM synth_sample(NULL::adults, 500, seed => 2);
CREATE MATERIALIZED VIEW city_ages AS SELECT city, avg(age)::float8 AS mean_age FROM people GROUP BY city HAVING count(*) > 10;
SELECT synth_fit('city_ages', min_group_size => 1);
SELECT count(*) FROM synth_sample(NULL::city_ages, 10, seed => 3);

-- excluded columns come back NULL
SELECT synth_fit('people', model => 'people_no_money', exclude => ARRAY['income', 'token']);
SELECT count(income) AS incomes, count(token) AS tokens, count(*) AS rows
FROM synth_sample(NULL::people, 100, model => 'people_no_money', seed => 4);

-- a column of another type can be fitted once it is excluded
CREATE TABLE with_json (id integer, doc jsonb, tag text);
INSERT INTO with_json SELECT i, jsonb_build_object('i', i), 'tag' || (i % 3) FROM generate_series(1, 60) i;
SELECT synth_fit('with_json', exclude => ARRAY['doc']);
SELECT count(doc), count(tag) FROM synth_sample(NULL::with_json, 20, seed => 5);

-- domains are not supported but can be excluded
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TABLE with_domain (a posint, b integer);
INSERT INTO with_domain SELECT i, i FROM generate_series(1, 20) i;
SELECT synth_fit('with_domain', exclude => ARRAY['a']);
SELECT count(a), count(b) FROM synth_sample(NULL::with_domain, 10, seed => 6);

-- timestamps recorded in whole minutes and weekly dates stay so
CREATE TABLE visits (at timestamp, week date);
INSERT INTO visits SELECT timestamp '2024-01-01 08:00' + (i * 37 % 5000) * interval '1 minute',
                          date '2024-01-01' + 7 * (i % 40)
FROM generate_series(1, 500) i;
SELECT synth_fit('visits');
SELECT bool_and(extract(second FROM at) = 0) AS whole_minutes,
       bool_and(extract(isodow FROM week) = 1) AS mondays
FROM synth_sample(NULL::visits, 2000, seed => 8);

-- a timestamp of declared precision comes back at it, whatever the model
-- learnt: whole seconds for timestamp(0), hundredths for timestamptz(2)
-- (a result row claims the column's type, so INSERT ... SELECT rounded
-- nothing and stored 09:58:11.684534 in a timestamp(0) column), also
-- through it with a model learnt at microseconds, and at
-- the end of the range
CREATE TABLE stamps (t timestamp(0), z timestamptz(2));
INSERT INTO stamps SELECT timestamp '2020-01-01' + i * interval '67 minutes 3.123456 seconds',
                          timestamptz '2020-01-01 00:00+00' + i * interval '13.777777 seconds'
FROM generate_series(1, 500) i;
SELECT synth_fit('stamps');
SELECT count(*) FILTER (WHERE t <> date_trunc('second', t)) AS t_fractions,
       count(*) FILTER (WHERE extract(microseconds FROM z)::bigint % 10000 <> 0) AS z_below_hundredths
FROM synth_sample(NULL::stamps, 2000, seed => 8);
CREATE TABLE fine_stamps (t timestamp, z timestamptz);
INSERT INTO fine_stamps SELECT * FROM stamps;
UPDATE fine_stamps SET t = t + interval '0.123456 seconds';
SELECT synth_fit('fine_stamps');
SELECT count(*) FILTER (WHERE t <> date_trunc('second', t)) AS t_fractions
FROM synth_sample(NULL::stamps, 2000, 'fine_stamps', seed => 8);
CREATE TABLE far_stamps (t timestamp(0));
INSERT INTO far_stamps SELECT timestamp '294276-12-31 23:59:59' FROM generate_series(1, 10);
SELECT synth_fit('far_stamps');
SELECT min(t) = max(t) AS one_value, max(t) = timestamp '294276-12-31 23:59:59' AS at_the_end
FROM synth_sample(NULL::far_stamps, 100, seed => 8);
-- half a second rounds away from zero, as the type's own input rounds it,
-- before 2000 (negative microseconds) as after
CREATE TABLE half_seconds (t timestamp, u timestamp);
INSERT INTO half_seconds SELECT timestamp '1999-12-31 23:59:59.5', timestamp '2000-01-01 00:00:00.5'
FROM generate_series(1, 10);
CREATE TABLE whole_seconds (t timestamp(0), u timestamp(0));
SELECT synth_fit('half_seconds');
SELECT DISTINCT s.t, s.t = timestamp '1999-12-31 23:59:59.5'::timestamp(0) AS t_as_the_type,
                s.u, s.u = timestamp '2000-01-01 00:00:00.5'::timestamp(0) AS u_as_the_type
FROM synth_sample(NULL::whole_seconds, 100, 'half_seconds', seed => 8) s;
SELECT synth_drop('half_seconds');
DROP TABLE half_seconds, whole_seconds;
SELECT synth_drop('stamps'), synth_drop('fine_stamps'), synth_drop('far_stamps');
DROP TABLE stamps, fine_stamps, far_stamps;

-- values of every sign and magnitude are ordered right (the fit sorts by
-- the bits of the doubles) and kept: each value seen in 20 rows is an atom,
-- and a sample holds exactly those values (-0 and 0 group together), in
-- their shares
CREATE TABLE extremes (x double precision, n integer);
INSERT INTO extremes
SELECT (ARRAY[-1e300, -7.5, -1e-300, '-0'::float8, 0, 1e-300, 2.25, 1e300])[1 + i % 8], i
FROM generate_series(0, 159) i;
SELECT synth_fit('extremes', exclude => ARRAY['n']);
SELECT x, count(*) BETWEEN 2000 * 20 / 180 AND 2000 * 40 / 140 AS share_ok
FROM synth_sample(NULL::extremes, 2000, seed => 9) GROUP BY x ORDER BY x;

-- a column of values all below 1e-9 keeps them (it came back as zeros)
CREATE TABLE tiny (p double precision);
INSERT INTO tiny SELECT i * 1e-12 FROM generate_series(1, 200) i;
SELECT synth_fit('tiny');
SELECT min(p) >= 1e-12 AS from_min, max(p) <= 2e-10 AS to_max, count(DISTINCT p) > 100 AS spread
FROM synth_sample(NULL::tiny, 500, seed => 10);

-- epoch seconds with milliseconds keep their milliseconds (they were taken
-- for whole seconds: the tolerance grew with the value)
CREATE TABLE epochs (t double precision);
INSERT INTO epochs SELECT 1700000000 + i * 7.125 FROM generate_series(1, 300) i;
SELECT synth_fit('epochs');
SELECT bool_and(t = round(t::numeric, 3)::float8) AS three_decimals,
       count(*) FILTER (WHERE t <> round(t)) > 100 AS fractions_kept
FROM synth_sample(NULL::epochs, 500, seed => 11);

-- a real (float4) is read as its shortest exact decimal, whatever the
-- session's extra_float_digits: at 0 (as in this file), real's output has 6
-- digits, and 1234567 was learnt as 1234570
CREATE TABLE reals (x real);
INSERT INTO reals SELECT 1234567 FROM generate_series(1, 20);
SELECT 1234567::real AS printed_at_zero;
SELECT synth_fit('reals');
SELECT DISTINCT x::float8 = 1234567 AS learnt_exactly FROM synth_sample(NULL::reals, 50, seed => 12);
DROP TABLE reals;

-- a number beyond the template's type is clamped to it, for numeric(p, s)
-- as for the integers: a model of wide numerics sampled as numeric(4, 1)
-- gives 999.9 where it would give more (before: "numeric field overflow")
CREATE TABLE wide_numbers (v numeric);
INSERT INTO wide_numbers SELECT i * 5.5 FROM generate_series(1, 1000) i;
SELECT synth_fit('wide_numbers');
CREATE TABLE narrow_numbers (v numeric(4, 1));
SELECT count(*) AS rows, max(v) AS largest, count(*) FILTER (WHERE v = 999.9) BETWEEN 780 AND 860 AS clamped_share
FROM synth_sample(NULL::narrow_numbers, 1000, model => 'wide_numbers', seed => 1);
-- also where the model's own rounding would carry past it (whole numbers:
-- 999.7 rounds to 1000), and where a double cannot hold the largest value
-- (numeric(18, 2): 9999999999999999.99)
CREATE TABLE whole_numbers (v numeric);
INSERT INTO whole_numbers SELECT i * 3 FROM generate_series(1, 1000) i;
SELECT synth_fit('whole_numbers');
SELECT count(*) AS rows, max(v) AS largest
FROM synth_sample(NULL::narrow_numbers, 1000, model => 'whole_numbers', seed => 1);
CREATE TABLE huge_numbers (v numeric);
INSERT INTO huge_numbers SELECT i * 1e15 FROM generate_series(1, 1000) i;
SELECT synth_fit('huge_numbers');
CREATE TABLE wide18_numbers (v numeric(18, 2));
SELECT count(*) AS rows, max(v) AS largest
FROM synth_sample(NULL::wide18_numbers, 1000, model => 'huge_numbers', seed => 1);
SELECT synth_drop('wide_numbers'), synth_drop('whole_numbers'), synth_drop('huge_numbers');
DROP TABLE wide_numbers, narrow_numbers, whole_numbers, huge_numbers, wide18_numbers;

-- an unconstrained numeric of more decimals than a double holds (scale 20,
-- from a division) prints the 15 digits a double does hold: 0.3, not
-- 0.29999999999999998890, so a condition = 0.3 finds its rows
CREATE TABLE tenths AS SELECT (g % 10) / 10.0 AS v FROM generate_series(1, 1000) g;
SELECT synth_fit('tenths');
SELECT count(*) AS rows, bool_and(v * 10 = round(v * 10)) AS whole_tenths
FROM synth_sample(NULL::tenths, 1000, seed => 1);
SELECT count(*) AS rows, bool_and(v = 0.3) AS all_three_tenths
FROM synth_sample(NULL::tenths, 100, seed => 1, condition => 'v = 0.3');
SELECT synth_drop('tenths');
DROP TABLE tenths;

-- NaN and infinities are not modelled: in a column that takes NULL they come
-- back as NULL (a quarter of the rows here); in a NOT NULL column the finite
-- values take their share (they came back as NULL, which an INSERT into the
-- same table refused); a NOT NULL column of NaN alone is refused at the fit
CREATE TABLE odd_numbers (f float8 NOT NULL, d date NOT NULL, g float8, n numeric NOT NULL);
INSERT INTO odd_numbers
SELECT CASE WHEN i % 4 = 0 THEN 'NaN'::float8 ELSE i END,
       CASE WHEN i % 4 = 1 THEN 'infinity'::date ELSE date '2020-01-01' + i END,
       CASE WHEN i % 4 = 2 THEN '-infinity'::float8 ELSE i END,
       CASE WHEN i % 4 = 3 THEN 'NaN'::numeric ELSE i END
FROM generate_series(1, 1000) i;
SELECT synth_fit('odd_numbers');
SELECT count(*) FILTER (WHERE f IS NULL OR d IS NULL OR n IS NULL) AS nulls_in_not_null,
       abs(count(*) FILTER (WHERE g IS NULL) - 2500) < 4 * sqrt(10000 * 0.25 * 0.75) AS g_nulls_a_quarter
FROM synth_sample(NULL::odd_numbers, 10000, seed => 1);
INSERT INTO odd_numbers SELECT * FROM synth_sample(NULL::odd_numbers, 100, seed => 2);
-- the same where a group holds only NaN (its model had no value, so its
-- rows came back NULL): the rows of 'b' have none but NaN
CREATE TABLE odd_groups (cat text, x float8 NOT NULL);
INSERT INTO odd_groups SELECT 'a', (i * 7919 % 1000) / 10.0 FROM generate_series(1, 500) i;
INSERT INTO odd_groups SELECT 'b', 'NaN' FROM generate_series(1, 500) i;
SELECT synth_fit('odd_groups');
SELECT synth_model('odd_groups')->>'grouped_by' AS grouped_by,
       count(*) FILTER (WHERE x IS NULL) AS nulls_in_not_null
FROM synth_sample(NULL::odd_groups, 2000, seed => 1);
INSERT INTO odd_groups SELECT * FROM synth_sample(NULL::odd_groups, 100, seed => 2);
SELECT synth_drop('odd_groups');
DROP TABLE odd_groups;
CREATE TABLE only_nan (f float8 NOT NULL);
INSERT INTO only_nan SELECT 'NaN' FROM generate_series(1, 100);
\set VERBOSITY default
SELECT synth_fit('only_nan');
\set VERBOSITY terse
SELECT synth_drop('odd_numbers');
DROP TABLE odd_numbers, only_nan;

-- made-up strings of names in accented or non-Latin letters are letters
-- (each byte of such a character one ASCII letter), not the punctuation a
-- byte of a multibyte character used to count as
CREATE TABLE accented AS
SELECT (ARRAY['Ünïcødé', 'Øster', 'Ålesund', 'Þórr', 'Łódź', 'Ærø'])[1 + i % 6] || chr(97 + i % 26) || chr(97 + i / 26) AS name
FROM generate_series(1, 300) i;
SELECT synth_fit('accented');
SELECT count(*) AS rows, count(*) FILTER (WHERE name ~ '^[A-Za-z]+$') AS letters_only
FROM synth_sample(NULL::accented, 1000, seed => 1);
SELECT synth_drop('accented');
DROP TABLE accented;
