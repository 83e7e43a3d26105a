-- Every documented error, with its SQLSTATE.
\set VERBOSITY terse
\set SHOW_CONTEXT never
\set ON_ERROR_STOP 0

-- fit: missing table, NULL table, empty table, no columns, not a table
SELECT synth_fit('no_such_table');
\echo :LAST_ERROR_SQLSTATE
SELECT synth_fit(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_fit(424242::oid::regclass);
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE empty_t (a integer, b text);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_fit('empty_t');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE no_cols ();
\echo :LAST_ERROR_SQLSTATE
SELECT synth_fit('no_cols');
\echo :LAST_ERROR_SQLSTATE
CREATE SEQUENCE a_seq;
\echo :LAST_ERROR_SQLSTATE
SELECT synth_fit('a_seq');
\echo :LAST_ERROR_SQLSTATE
CREATE INDEX people_age_idx ON people (age);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_fit('people_age_idx');
\echo :LAST_ERROR_SQLSTATE

-- fit: unsupported type (with the hint), bad exclude lists, bad options
CREATE TABLE arr_t (id integer NOT NULL, tags text[]);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO arr_t VALUES (1, '{a}');
SELECT synth_fit('arr_t');
\echo :LAST_ERROR_SQLSTATE
SELECT synth_fit('arr_t', exclude => ARRAY['nope']);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_fit('arr_t', exclude => ARRAY['id', 'tags']);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_fit('arr_t', exclude => ARRAY[NULL, 'tags']);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_fit('arr_t', exclude => ARRAY[['tags']]);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_fit('people', min_group_size => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_fit('people', model => '');
\echo :LAST_ERROR_SQLSTATE

-- sample: unknown model, bad n, bad template, mismatched template
SELECT * FROM synth_sample(NULL::people, 10, model => 'no_such_model');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM synth_sample(NULL::people, -1);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM synth_sample(NULL::people, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM synth_sample(NULL::integer, 10);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM synth_sample(NULL::record, 10);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM synth_sample('no_such_model', 10);
\echo :LAST_ERROR_SQLSTATE
-- a near miss of a model the caller can read is named in the hint
\set VERBOSITY default
SELECT * FROM synth_sample(NULL::people, 10, model => 'peple');
SELECT * FROM synth_sample('People', 10);
-- names beyond 255 characters are compared too (no levenshtein length error)
SELECT synth_fit('people', model => repeat('m', 300)) = repeat('m', 300) AS long_name_fitted;
SELECT count(*) FROM synth_sample(repeat('m', 299) || 'n', 1);
SELECT synth_drop(repeat('m', 300));
\set VERBOSITY terse
-- values whose span is beyond a double: a clear fit error, not a corrupt model
CREATE TABLE far_apart (x float8);
INSERT INTO far_apart SELECT CASE WHEN i % 2 = 0 THEN -1.5e308 ELSE 1.5e308 END FROM generate_series(1, 20) i;
SELECT synth_fit('far_apart');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE far_apart;
-- a key whose range needs more rows than the table has
CREATE TABLE keyed_small (id integer PRIMARY KEY, x integer);
INSERT INTO keyed_small SELECT i, i % 2 FROM generate_series(1, 10) i;
SELECT synth_fit('keyed_small', min_group_size => 20);
\echo :LAST_ERROR_SQLSTATE
DROP TABLE keyed_small;
-- a model that keeps nothing is fitted with a warning: 3 rows, values seen once
CREATE TABLE three_rows AS SELECT i AS x FROM generate_series(1, 3) i;
SELECT synth_fit('three_rows');
SELECT synth_fit('three_rows', model => 'three_rows_none', exclude => ARRAY['x']);
SELECT synth_drop('three_rows'), synth_drop('three_rows_none');
DROP TABLE three_rows;
-- a numeric beyond double precision: the error names the column and the way out
CREATE TABLE huge_numeric (x numeric);
INSERT INTO huge_numeric SELECT CASE WHEN i = 1 THEN 1e309 ELSE i END FROM generate_series(1, 20) i;
\set VERBOSITY default
SELECT synth_fit('huge_numeric');
\set VERBOSITY terse
DROP TABLE huge_numeric;
SELECT * FROM synth_sample(NULL::text, 10, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_fit('people');
CREATE TABLE people_extra (LIKE people);
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE people_extra ADD COLUMN extra integer;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM synth_sample(NULL::people_extra, 1, model => 'people');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE people_short (LIKE people);
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE people_short DROP COLUMN name;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM synth_sample(NULL::people_short, 1, model => 'people');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE people_retyped (LIKE people);
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE people_retyped ALTER COLUMN age TYPE integer;
SELECT * FROM synth_sample(NULL::people_retyped, 1, model => 'people');
\echo :LAST_ERROR_SQLSTATE
CREATE TYPE not_a_table AS (x integer);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM synth_sample(NULL::not_a_table, 1);
\echo :LAST_ERROR_SQLSTATE

-- inspect and drop: unknown models
SELECT synth_model('no_such_model');
\echo :LAST_ERROR_SQLSTATE
SELECT synth_drop('no_such_model');
\echo :LAST_ERROR_SQLSTATE
SELECT synth_model('');
\echo :LAST_ERROR_SQLSTATE

-- privileges: a role without SELECT on a table cannot fit it, nor read models
CREATE ROLE synth_nobody;
GRANT SELECT, INSERT, UPDATE ON synth_models TO synth_nobody;
SET ROLE synth_nobody;
SELECT synth_fit('people', model => 'stolen');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE ALL ON synth_models FROM synth_nobody;
SET ROLE synth_nobody;
SELECT count(*) FROM synth_sample(NULL::people, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_model('people');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- with SELECT on the table and the model table, it can
GRANT SELECT ON people TO synth_nobody;
GRANT SELECT, INSERT, UPDATE ON synth_models TO synth_nobody;
SET ROLE synth_nobody;
SELECT synth_fit('people', model => 'allowed');
SELECT count(*) FROM synth_sample(NULL::people, 3, model => 'allowed');
RESET ROLE;
SELECT synth_drop('allowed');
REVOKE ALL ON people FROM synth_nobody;
REVOKE ALL ON synth_models FROM synth_nobody;
DROP ROLE synth_nobody;

-- a long request can be cancelled at once
SET statement_timeout = '200ms';
SELECT count(*) FROM synth_sample(NULL::people, 100000000, seed => 1);
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;

-- a long fit can be cancelled at once while it reads, and the setting the
-- read changes for itself (synchronize_seqscans) is the session's again
CREATE TABLE ten_thousand AS SELECT i FROM generate_series(1, 10000) AS i;
CREATE VIEW endless AS SELECT a.i * 10000 + b.i AS x FROM ten_thousand a, ten_thousand b;
SET statement_timeout = '200ms';
SELECT synth_fit('endless');
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
SHOW synchronize_seqscans;
SELECT count(*) AS no_model FROM synth_models WHERE name = 'endless';
DROP VIEW endless;
DROP TABLE ten_thousand;

-- several unsupported columns are named in one error
CREATE TABLE multi_bad (id integer, a integer[], b jsonb, c text);
INSERT INTO multi_bad VALUES (1, '{1}', '{}', 'x');
SELECT synth_fit('multi_bad');
\echo :LAST_ERROR_SQLSTATE

-- a NOT NULL column of which nothing can be kept is refused (an enum whose
-- ten labels are seen four times each; text would get made-up strings)
CREATE TYPE ten AS ENUM ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j');
CREATE TABLE rare_codes (code ten NOT NULL, n integer);
INSERT INTO rare_codes SELECT (ARRAY['a','b','c','d','e','f','g','h','i','j'])[1 + i % 10]::ten, i
FROM generate_series(1, 40) i;
SELECT synth_fit('rare_codes');
\echo :LAST_ERROR_SQLSTATE
SELECT synth_fit('rare_codes', min_group_size => 4) IS NOT NULL AS fits_with_groups_of_four;
SELECT count(code) FROM synth_sample(NULL::rare_codes, 10, seed => 1);
SELECT synth_drop('rare_codes');

-- a default model name does not take over another table's model, and a
-- typed sample does not use a model of another table of the same name
CREATE SCHEMA other;
CREATE TABLE other.people (LIKE people);
INSERT INTO other.people SELECT * FROM people LIMIT 100;
SELECT synth_fit('other.people');
\echo :LAST_ERROR_SQLSTATE
SELECT synth_fit('other.people', model => 'other_people');
SELECT count(*) FROM synth_sample(NULL::other.people, 5, model => 'other_people');
SELECT count(*) FROM synth_sample(NULL::other.people, 5);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_drop('other_people');
DROP SCHEMA other CASCADE;
