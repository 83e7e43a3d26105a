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

-- A text column that is the only column of a unique index is a key too.
-- Its values are made up in the shape of the real ones (two capitals and
-- three digits, as the real SKU codes) and carry each row's unique number
-- in their own characters, so they never repeat: 100,000 rows of 2,000 real
-- codes (made-up strings alone repeated 7 % of them), across streams, with
-- synth_populate's workers and under a condition too, and a staging copy
-- with the primary key fills (as for integer keys, two calls with other
-- seeds may share values).  A made-up code equals one of the 2,000 real
-- ones by chance only: 100,000 x 2,000 / 676,000 = 296 rows expected (sd 16).
-- Beyond the 676,000 values five such characters hold, strings get a digit
-- more; a varchar(5) cannot, and that is an error, not a repeat.
SELECT setseed(0.25);
CREATE TABLE skus (sku text PRIMARY KEY, price numeric(8, 2));
INSERT INTO skus
SELECT DISTINCT ON (code) code, round((random() * 100)::numeric, 2)
FROM (SELECT chr(65 + floor(random() * 26)::int) || chr(65 + floor(random() * 26)::int) ||
             lpad(floor(random() * 1000)::text, 3, '0') AS code
      FROM generate_series(1, 2000)) s;
SELECT synth_fit('skus');
SELECT c->>'key' AS key, jsonb_array_length(c->'categories') AS categories_kept
FROM jsonb_array_elements(synth_model('skus')->'columns') c WHERE c->>'name' = 'sku';
SELECT count(*) AS rows, count(DISTINCT sku) = count(*) AS unique_keys,
       bool_and(sku ~ '^[A-Z]{2}[0-9]{3}$') AS real_shape,
       count(*) FILTER (WHERE sku IN (SELECT sku FROM skus)) BETWEEN 230 AND 360 AS real_codes_by_chance
FROM synth_sample(NULL::skus, 100000, seed => 1);
SELECT count(*) AS rows, count(DISTINCT sku) = count(*) AS unique_keys
FROM (SELECT * FROM synth_sample(NULL::skus, 40000, seed => 7, stream => 0, streams => 4)
      UNION ALL SELECT * FROM synth_sample(NULL::skus, 40000, seed => 7, stream => 1, streams => 4)
      UNION ALL SELECT * FROM synth_sample(NULL::skus, 40000, seed => 7, stream => 2, streams => 4)
      UNION ALL SELECT * FROM synth_sample(NULL::skus, 40000, seed => 7, stream => 3, streams => 4)) u;
SET synth.balanced_sampling = off;
SELECT count(*) AS rows, count(DISTINCT sku) = count(*) AS unique_keys
FROM synth_sample(NULL::skus, 50000, seed => 2);
RESET synth.balanced_sampling;
SELECT count(*) AS rows, count(DISTINCT sku) = count(*) AS unique_keys, bool_and(sku LIKE 'A%') AS holds
FROM synth_sample(NULL::skus, 2000, seed => 3, condition => $$sku LIKE 'A%'$$);
CREATE TABLE skus_staging (LIKE skus INCLUDING ALL);
SELECT synth_populate('skus_staging', 30000, model => 'skus', seed => 4, workers => 2);
TRUNCATE skus_staging;
INSERT INTO skus_staging SELECT * FROM synth_sample(NULL::skus, 30000, seed => 5);
SELECT count(*) AS staged FROM skus_staging;
SELECT count(*) AS rows, count(DISTINCT sku) = count(*) AS unique_keys, max(length(sku)) AS longest
FROM synth_sample(NULL::skus, 700000, seed => 1);
CREATE TABLE skus_short (sku varchar(5) PRIMARY KEY, price numeric(8, 2));
INSERT INTO skus_short SELECT * FROM skus;
SELECT synth_fit('skus_short');
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample(NULL::skus_short, 700000, seed => 1);
\set ON_ERROR_STOP 1
-- under a condition that does not name the key, only the rows that pass
-- take key numbers: 5,000 rows of prices under 0.50 (checked on each row,
-- about 1 in 200 pass) still fit in varchar(5), where numbering every
-- attempt would have run past its 676,000 values
SELECT count(*) AS rows, count(DISTINCT sku) = count(*) AS unique_keys, max(length(sku)) AS longest
FROM synth_sample(NULL::skus_short, 5000, seed => 1, condition => 'price * 100 < 50');
-- a unique index under a collation that may call different strings equal
-- (ICU, punctuation ignored) makes no key: made-up strings could collide
CREATE COLLATION skus_loose (provider = icu, locale = 'und-u-ka-shifted', deterministic = false);
CREATE TABLE skus_loose_codes (sku text COLLATE skus_loose PRIMARY KEY, price numeric(8, 2));
INSERT INTO skus_loose_codes SELECT * FROM skus;
SELECT synth_fit('skus_loose_codes');
SELECT coalesce(c->>'key', 'no key') AS key
FROM jsonb_array_elements(synth_model('skus_loose_codes')->'columns') c WHERE c->>'name' = 'sku';
SELECT synth_drop('skus_loose_codes');
DROP TABLE skus_loose_codes;
DROP COLLATION skus_loose;
-- a text key needs min_group_size values to learn their shape from
CREATE TABLE few_codes (code text PRIMARY KEY);
INSERT INTO few_codes VALUES ('AB1'), ('CD2'), ('EF3');
\set ON_ERROR_STOP 0
SELECT synth_fit('few_codes');
\set ON_ERROR_STOP 1
DROP TABLE few_codes;
-- a char(n) key: its padding does not count, the number goes before it
-- (codes of four digits and a capital hold 260,000; 300,000 rows take a
-- sixth character, which char(6) has room for)
CREATE TABLE padded_codes (code char(6) PRIMARY KEY, v integer);
INSERT INTO padded_codes SELECT lpad(i::text, 4, '0') || 'X', i % 10 FROM generate_series(1, 3000) i;
SELECT synth_fit('padded_codes');
SELECT count(*) AS rows, count(DISTINCT code) = count(*) AS unique_keys,
       bool_and(rtrim(code) ~ '^[0-9]{4}[A-Z][0-9]?$') AS real_shape
FROM synth_sample(NULL::padded_codes, 300000, seed => 1);
SELECT synth_drop('padded_codes');
DROP TABLE padded_codes;
-- a differentially private model keeps the text key too
SELECT synth_fit('skus', model => 'skus_dp', epsilon => 1);
SELECT c->>'key' AS key FROM jsonb_array_elements(synth_model('skus_dp')->'columns') c WHERE c->>'name' = 'sku';
SELECT count(*) AS rows, count(DISTINCT sku) = count(*) AS unique_keys
FROM synth_sample(NULL::skus, 20000, model => 'skus_dp', seed => 1);
SELECT synth_drop('skus'), synth_drop('skus_short'), synth_drop('skus_dp');
DROP TABLE skus, skus_staging, skus_short;
