-- Unique keys: an integer column that is the only column of a unique index
-- (people.id is the primary key) is sampled fresh and unique, in the range
-- the model states, and never as a copy of the real column.
\set VERBOSITY terse
SET extra_float_digits = 0;
SELECT synth_fit('people');
SELECT c->>'name' AS column, c->>'key' AS key
FROM jsonb_array_elements(synth_model('people')->'columns') c WHERE c ? 'key';

-- fewer rows than the range: distinct and inside it
WITH m AS (SELECT (c->'distribution'->0->>'from')::float8 AS lo,
                  (c->'distribution'->-1->>'to')::float8 AS hi
           FROM jsonb_array_elements(synth_model('people')->'columns') c WHERE c->>'name' = 'id')
SELECT count(*) AS rows, count(DISTINCT id) = count(*) AS unique_ids,
       bool_and(id >= ceil(lo) AND id <= floor(hi)) AS in_range
FROM synth_sample(NULL::people, 2000, seed => 4), m;
-- more rows than the range: still distinct, the range is extended upwards
SELECT count(*) AS rows, count(DISTINCT id) = count(*) AS unique_ids
FROM synth_sample(NULL::people, 100000, seed => 4);
-- streams never share a key, and together hold the keys of one call
SELECT count(*) AS rows, count(DISTINCT id) = count(*) AS unique_ids
FROM generate_series(0, 3) AS i, synth_sample(NULL::people, 10000, seed => 4, stream => i, streams => 4);
SELECT (SELECT array_agg(id ORDER BY id) FROM generate_series(0, 3) AS i,
               synth_sample(NULL::people, 1000, seed => 4, stream => i, streams => 4))
     = (SELECT array_agg(id ORDER BY id) FROM synth_sample(NULL::people, 1000, seed => 4)) AS same_keys;
-- under a condition on the key (checked row by row) keys stay unique
SELECT count(*) AS rows, count(DISTINCT id) = count(*) AS unique_ids, bool_and(id < 1000) AS satisfied
FROM synth_sample(NULL::people, 500, seed => 4, condition => 'id < 1000');
-- a staging copy with the primary key fills without a unique violation
CREATE TABLE people_staging (LIKE people INCLUDING ALL);
SELECT synth_populate('people_staging', 20000, model => 'people', seed => 4);
SELECT count(*), count(DISTINCT id) FROM people_staging;
DROP TABLE people_staging;
-- a unique constraint makes a key too; a non-unique or multi-column index does not
CREATE TABLE keyed (a integer UNIQUE, b integer, c integer, d bigint, UNIQUE (b, c));
CREATE INDEX ON keyed (d);
INSERT INTO keyed SELECT i, i % 50, i / 50, i FROM generate_series(1, 500) i;
SELECT synth_fit('keyed');
SELECT c->>'name' AS column, c->>'key' AS key FROM jsonb_array_elements(synth_model('keyed')->'columns') c;
SELECT synth_drop('keyed');
-- keys keep their relation to the other columns: a serial id rises with the
-- day a row was entered (real correlation 1.0); the sampled keys are unique
-- and still rise with the day (independent keys would correlate about 0),
-- in one call and across streams
CREATE TABLE entered (id integer PRIMARY KEY, day date, amount float8);
INSERT INTO entered SELECT i, date '2020-01-01' + i / 3, (i * 37) % 101 FROM generate_series(1, 3000) i;
SELECT synth_fit('entered');
SELECT count(DISTINCT id) = count(*) AS unique_ids, corr(id, day - date '2020-01-01') > 0.9 AS rises_with_day
FROM synth_sample(NULL::entered, 5000, seed => 6);
SELECT count(DISTINCT id) = count(*) AS unique_ids, corr(id, day - date '2020-01-01') > 0.9 AS rises_with_day
FROM generate_series(0, 2) AS i, synth_sample(NULL::entered, 5000, seed => 6, stream => i, streams => 3);
SET synth.balanced_sampling = off;
SELECT count(DISTINCT id) = count(*) AS unique_ids, abs(corr(id, day - date '2020-01-01')) < 0.1 AS independent_keys
FROM synth_sample(NULL::entered, 5000, seed => 6);
RESET synth.balanced_sampling;
SELECT synth_drop('entered');
DROP TABLE entered;
DROP TABLE keyed;
-- near the end of the key's type the range moves down; beyond the type's
-- room it is an error, not a repeat
CREATE TABLE small_keys (k smallint PRIMARY KEY, v integer);
INSERT INTO small_keys SELECT 32767 - i, i % 7 FROM generate_series(0, 999) i;
SELECT synth_fit('small_keys');
SELECT count(*) AS rows, count(DISTINCT k) = count(*) AS unique_keys, max(k) <= 32767 AS in_type
FROM synth_sample(NULL::small_keys, 40000, seed => 1);
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample(NULL::small_keys, 70000, seed => 1);
\set ON_ERROR_STOP 1
CREATE TABLE top_keys (k integer PRIMARY KEY, v integer);
INSERT INTO top_keys SELECT 2147483647 - i, i % 7 FROM generate_series(0, 99) i;
SELECT synth_fit('top_keys');
SELECT count(*) AS rows, count(DISTINCT k) = count(*) AS unique_keys
FROM synth_sample(NULL::top_keys, 1000, seed => 1);
-- a differentially private model keeps the key (the schema is public)
SELECT synth_fit('top_keys', model => 'top_keys_dp', epsilon => 10);
SELECT c->>'key' AS key FROM jsonb_array_elements(synth_model('top_keys_dp')->'columns') c WHERE c->>'name' = 'k';
SELECT count(*) AS rows, count(DISTINCT k) = count(*) AS unique_keys
FROM synth_sample(NULL::top_keys, 1000, model => 'top_keys_dp', seed => 1);
SELECT synth_drop('small_keys'), synth_drop('top_keys'), synth_drop('top_keys_dp');
DROP TABLE small_keys, top_keys;
