-- synth_populate(): synthetic rows inserted through COPY FROM's bulk path.
\set VERBOSITY terse
\set SHOW_CONTEXT never
SET extra_float_digits = 0;

SELECT synth_fit('people', model => 'pop_people');

-- the count returned is the count inserted
CREATE TABLE pop (LIKE people);
SELECT synth_populate('pop', 500, model => 'pop_people', seed => 42);
SELECT count(*) FROM pop;

-- the rows are synth_sample()'s rows for the same seed (as multisets)
SELECT (SELECT count(*) FROM (TABLE pop EXCEPT ALL
            SELECT * FROM synth_sample(NULL::people, 500, model => 'pop_people', seed => 42)) d) AS missing_from_sample,
       (SELECT count(*) FROM (SELECT * FROM synth_sample(NULL::people, 500, model => 'pop_people', seed => 42)
            EXCEPT ALL TABLE pop) d) AS missing_from_table;

-- n = 0 inserts nothing
SELECT synth_populate('pop', 0, model => 'pop_people', seed => 1);

-- stream => i, streams => k: the parts have the sizes of synth_sample's
-- parts, are its parts, and together make n rows
TRUNCATE pop;
SELECT i, synth_populate('pop', 100, model => 'pop_people', seed => 7, stream => i, streams => 3)
FROM generate_series(0, 2) i;
SELECT count(*) AS rows,
       (SELECT count(*) FROM (TABLE pop EXCEPT ALL
            SELECT s.* FROM generate_series(0, 2) i,
                 synth_sample(NULL::people, 100, model => 'pop_people', seed => 7, stream => i, streams => 3) s) d) AS not_in_parts
FROM pop;

-- a BEFORE ROW trigger sees every row and may change it or skip it; the
-- count returned is the rows inserted (skipped rows are not counted), and
-- statement triggers fire once, as for COPY
TRUNCATE pop;
CREATE TABLE pop_log (event text, n bigint);
CREATE FUNCTION pop_before_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE pop_log SET n = n + 1 WHERE event = 'before row';
    IF NEW.age >= 60 THEN
        RETURN NULL;                       -- skip the row
    END IF;
    NEW.name := 'renamed';
    RETURN NEW;
END $$;
CREATE FUNCTION pop_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pop_log VALUES (lower(TG_WHEN) || ' statement', 1);
    RETURN NULL;
END $$;
INSERT INTO pop_log VALUES ('before row', 0);
CREATE TRIGGER pop_before_row BEFORE INSERT ON pop FOR EACH ROW EXECUTE FUNCTION pop_before_row();
CREATE TRIGGER pop_before_statement BEFORE INSERT ON pop FOR EACH STATEMENT EXECUTE FUNCTION pop_statement();
CREATE TRIGGER pop_after_statement AFTER INSERT ON pop FOR EACH STATEMENT EXECUTE FUNCTION pop_statement();
SELECT synth_populate('pop', 300, model => 'pop_people', seed => 3) AS inserted;
SELECT count(*) AS rows, count(*) FILTER (WHERE name = 'renamed') AS renamed, max(age) < 60 AS old_skipped FROM pop;
SELECT event, n FROM pop_log ORDER BY event;
SELECT count(*) FILTER (WHERE age < 60) AS expected
FROM synth_sample(NULL::people, 300, model => 'pop_people', seed => 3);
DROP TRIGGER pop_before_row ON pop;
DROP TRIGGER pop_before_statement ON pop;
DROP TRIGGER pop_after_statement ON pop;

-- a trigger may populate another table while a populate runs
CREATE TABLE pop_inner (LIKE people);
CREATE FUNCTION pop_nested() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM synth_populate('pop_inner', 2, model => 'pop_people', seed => 1);
    RETURN NEW;
END $$;
CREATE TRIGGER pop_nested BEFORE INSERT ON pop FOR EACH ROW EXECUTE FUNCTION pop_nested();
TRUNCATE pop;
SELECT synth_populate('pop', 10, model => 'pop_people', seed => 42);
SELECT (SELECT count(*) FROM pop) AS outer_rows, (SELECT count(*) FROM pop_inner) AS inner_rows,
       (SELECT count(*) FROM (TABLE pop EXCEPT ALL
            SELECT * FROM synth_sample(NULL::people, 10, model => 'pop_people', seed => 42)) d) AS outer_differ;
DROP TRIGGER pop_nested ON pop;

-- progress: the call shows in pg_stat_progress_copy like a COPY FROM;
-- bytes_total is the exact length of the stream (21 bytes of header and
-- trailer, 2 per row and 4 per field), all read at the end, and
-- tuples_processed is the rows inserted
CREATE TABLE pop_progress AS
    SELECT command, type, relid::regclass, tuples_processed, bytes_processed, bytes_total
    FROM pg_stat_progress_copy WHERE false;
CREATE FUNCTION pop_progress() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pop_progress
        SELECT command, type, relid::regclass, tuples_processed, bytes_processed, bytes_total
        FROM pg_stat_progress_copy WHERE pid = pg_backend_pid();
    RETURN NULL;
END $$;
CREATE TRIGGER pop_progress AFTER INSERT ON pop FOR EACH STATEMENT EXECUTE FUNCTION pop_progress();
TRUNCATE pop;
SELECT synth_populate('pop', 2000, model => 'pop_people', seed => 5);
SELECT command, type, relid, tuples_processed, bytes_total = 21 + 2000 * (2 + 4 * 17) AS total_exact,
       bytes_processed = bytes_total AS all_read
FROM pop_progress;
SELECT count(*) FROM pg_stat_progress_copy WHERE pid = pg_backend_pid();
DROP TRIGGER pop_progress ON pop;

-- a CHECK constraint violation aborts the whole call with the constraint's error
TRUNCATE pop;
ALTER TABLE pop ADD CONSTRAINT pop_age_check CHECK (age < 80);
SELECT synth_populate('pop', 1000, model => 'pop_people', seed => 1);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM pop;
ALTER TABLE pop DROP CONSTRAINT pop_age_check;
-- NOT NULL too
ALTER TABLE pop ALTER COLUMN income SET NOT NULL;
SELECT synth_populate('pop', 1000, model => 'pop_people', seed => 1);
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE pop ALTER COLUMN income DROP NOT NULL;
-- and a unique index: the keys of sampled rows repeat
CREATE UNIQUE INDEX pop_age_key ON pop (age);
SELECT synth_populate('pop', 1000, model => 'pop_people', seed => 1);
\echo :LAST_ERROR_SQLSTATE
DROP INDEX pop_age_key;

-- defaults, identity and generated columns behave as in COPY FROM with a
-- column list: columns the model leaves out (exclude) or does not have get
-- their defaults, generated columns are computed, the others are sampled
CREATE TABLE pop_src (id integer, age smallint, city text, height float8,
                      height_in float8 GENERATED ALWAYS AS (round((height / 2.54)::numeric, 2)) STORED);
INSERT INTO pop_src (id, age, city, height) SELECT id, age, city, height FROM people;
SELECT synth_fit('pop_src', exclude => ARRAY['id']);
CREATE TABLE pop_keys (
    id        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    age       smallint,
    city      text DEFAULT 'nowhere',
    height    float8,
    height_in float8 GENERATED ALWAYS AS (round((height / 2.54)::numeric, 2)) STORED,
    note      text DEFAULT 'synthetic');
SELECT synth_populate('pop_keys', 1000, model => 'pop_src', seed => 9);
SELECT min(id), max(id), count(DISTINCT id) AS ids,
       bool_and(height_in IS NOT DISTINCT FROM round((height / 2.54)::numeric, 2)) AS computed,
       count(*) FILTER (WHERE note = 'synthetic') AS defaults,
       count(*) FILTER (WHERE city = 'nowhere') AS city_default,
       count(*) FILTER (WHERE city IS NULL) > 0 AS sampled_nulls_kept
FROM pop_keys;
-- the sampled columns are synth_sample()'s
SELECT count(*) AS differ FROM (
    SELECT age, city, height FROM pop_keys
    EXCEPT ALL SELECT age, city, height FROM synth_sample(NULL::pop_src, 1000, seed => 9)) d;
-- the default model of a table is the one fitted on it
TRUNCATE pop_src;
SELECT synth_populate('pop_src', 10, seed => 1);
SELECT count(*), count(id) FROM pop_src;
-- a GENERATED ALWAYS identity column that the model has is sampled, as
-- COPY FROM writes it
CREATE TABLE pop_ident (id integer GENERATED ALWAYS AS IDENTITY, age smallint);
INSERT INTO pop_ident (age) SELECT age FROM people;
SELECT synth_fit('pop_ident');
SELECT synth_populate('pop_ident', 100, seed => 1);
SELECT count(*), count(DISTINCT id) < count(*) AS ids_sampled FROM pop_ident;

-- a view with an INSTEAD OF INSERT trigger can be populated, as by COPY FROM
CREATE VIEW pop_view AS SELECT * FROM pop;
CREATE FUNCTION pop_view_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pop SELECT NEW.*;
    RETURN NEW;
END $$;
CREATE TRIGGER pop_view_insert INSTEAD OF INSERT ON pop_view FOR EACH ROW EXECUTE FUNCTION pop_view_insert();
TRUNCATE pop;
SELECT synth_populate('pop_view', 20, model => 'pop_people', seed => 1);
SELECT count(*) FROM pop;
DROP VIEW pop_view;

-- a partitioned table: rows go to their partitions
CREATE TABLE pop_parts (LIKE people) PARTITION BY RANGE (age);
CREATE TABLE pop_parts_young PARTITION OF pop_parts FOR VALUES FROM (MINVALUE) TO (50);
CREATE TABLE pop_parts_old PARTITION OF pop_parts FOR VALUES FROM (50) TO (MAXVALUE);
SELECT synth_populate('pop_parts', 400, model => 'pop_people', seed => 2);
SELECT (SELECT count(*) FROM pop_parts_young) + (SELECT count(*) FROM pop_parts_old) AS rows,
       (SELECT max(age) < 50 FROM pop_parts_young) AND (SELECT min(age) >= 50 FROM pop_parts_old) AS routed;

-- privileges: INSERT on the target, with the caller's rights; row-level
-- security is refused, as by COPY FROM
CREATE ROLE synth_populator;
GRANT SELECT ON synth_models TO synth_populator;
SELECT synth_grant('pop_people', 'synth_populator');
SET ROLE synth_populator;
SELECT synth_populate('pop', 10, model => 'pop_people');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
GRANT INSERT (id, age, height, weight, income, city) ON pop TO synth_populator;
SET ROLE synth_populator;
SELECT synth_populate('pop', 10, model => 'pop_people');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
GRANT INSERT ON pop TO synth_populator;
SET ROLE synth_populator;
SELECT synth_populate('pop', 10, model => 'pop_people', seed => 1);
RESET ROLE;
ALTER TABLE pop ENABLE ROW LEVEL SECURITY;
CREATE POLICY pop_all ON pop USING (true) WITH CHECK (true);
SET ROLE synth_populator;
SELECT synth_populate('pop', 10, model => 'pop_people');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- the owner is not subject to the policies, so may populate
SELECT synth_populate('pop', 10, model => 'pop_people', seed => 1);
ALTER TABLE pop DISABLE ROW LEVEL SECURITY;
DROP POLICY pop_all ON pop;
REVOKE ALL ON pop FROM synth_populator;
REVOKE ALL ON synth_models FROM synth_populator;
SELECT synth_revoke('pop_people', 'synth_populator');
DROP ROLE synth_populator;

-- not in a read-only transaction
BEGIN READ ONLY;
SELECT synth_populate('pop', 10, model => 'pop_people');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- workers => k: k background workers insert streams 0 to k - 1, each in a
-- transaction of its own; the call returns the sum
TRUNCATE pop;
SELECT synth_populate('pop', 300, model => 'pop_people', seed => 11, workers => 3);
SELECT count(*) AS rows,
       (SELECT count(*) FROM (TABLE pop EXCEPT ALL
            SELECT s.* FROM generate_series(0, 2) i,
                 synth_sample(NULL::people, 300, model => 'pop_people', seed => 11, stream => i, streams => 3) s) d) AS not_in_streams
FROM pop;
-- the workers sample with the leader's settings: here each group's models
-- as stored, drawn row by row
TRUNCATE pop;
SET synth.align_marginals = off;
SET synth.balanced_sampling = off;
SELECT synth_populate('pop', 300, model => 'pop_people', seed => 11, workers => 3);
SELECT count(*) AS rows,
       (SELECT count(*) FROM (TABLE pop EXCEPT ALL
            SELECT s.* FROM generate_series(0, 2) i,
                 synth_sample(NULL::people, 300, model => 'pop_people', seed => 11, stream => i, streams => 3) s) d) AS not_in_streams
FROM pop;
RESET synth.align_marginals;
RESET synth.balanced_sampling;
-- a worker's error is the call's error
SELECT synth_populate('pop', 10, model => 'no_such_model', workers => 2);
\echo :LAST_ERROR_SQLSTATE
-- with the worker's detail and context: the key that collided, the line
CREATE TABLE pop_keyed (LIKE people INCLUDING ALL);
SELECT synth_populate('pop_keyed', 300, model => 'pop_people', seed => 11, workers => 3);
\set VERBOSITY default
SELECT synth_populate('pop_keyed', 300, model => 'pop_people', seed => 11, workers => 3);
\set VERBOSITY terse
DROP TABLE pop_keyed;
-- not in a transaction block: the workers commit on their own
BEGIN;
SELECT synth_populate('pop', 10, model => 'pop_people', workers => 2);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT synth_populate('pop', 10, model => 'pop_people', workers => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_populate('pop', 10, model => 'pop_people', workers => 2, streams => 2);
\echo :LAST_ERROR_SQLSTATE

-- errors: NULL arguments, bad n, bad stream, unknown model or target, a
-- target that does not fit the model, relations that cannot be populated
SELECT synth_populate(NULL, 10, model => 'pop_people');
\echo :LAST_ERROR_SQLSTATE
SELECT synth_populate('pop', NULL, model => 'pop_people');
\echo :LAST_ERROR_SQLSTATE
SELECT synth_populate('pop', -1, model => 'pop_people');
\echo :LAST_ERROR_SQLSTATE
SELECT synth_populate('pop', 10, model => 'pop_people', stream => 3, streams => 3);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_populate('pop', 10, model => 'pop_people', streams => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_populate('pop', 10, model => 'pop_people', stream => NULL, streams => 2);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_populate('pop', 10, model => 'pop_people', workers => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_populate('pop', 10, model => 'no_such_model');
\echo :LAST_ERROR_SQLSTATE
SELECT synth_populate('pop', 10);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_populate('no_such_table', 10);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_populate(424242::oid::regclass, 10);
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE pop_narrow (id integer, age smallint);
SELECT synth_populate('pop_narrow', 10, model => 'pop_people');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE pop_wrong_type (LIKE people);
ALTER TABLE pop_wrong_type ALTER COLUMN age TYPE integer;
SELECT synth_populate('pop_wrong_type', 10, model => 'pop_people');
\echo :LAST_ERROR_SQLSTATE
CREATE SCHEMA pop_other;
CREATE TABLE pop_other.pop_src (LIKE pop_src);
SELECT synth_populate('pop_other.pop_src', 10);
\echo :LAST_ERROR_SQLSTATE
SELECT synth_populate('pop_other.pop_src', 10, model => 'pop_src', seed => 1);
DROP SCHEMA pop_other CASCADE;
CREATE TABLE pop_two (id integer, age smallint);
INSERT INTO pop_two SELECT id, age FROM people;
SELECT synth_fit('pop_two', exclude => ARRAY['age']);
CREATE TABLE pop_nothing (id integer GENERATED ALWAYS AS (1) STORED, age smallint);
SELECT synth_populate('pop_nothing', 10, model => 'pop_two');
\echo :LAST_ERROR_SQLSTATE
SELECT synth_drop('pop_two');
CREATE VIEW pop_plain_view AS SELECT * FROM pop;
SELECT synth_populate('pop_plain_view', 10, model => 'pop_people');
\echo :LAST_ERROR_SQLSTATE
CREATE MATERIALIZED VIEW pop_mv AS SELECT * FROM pop;
SELECT synth_populate('pop_mv', 10, model => 'pop_people');
\echo :LAST_ERROR_SQLSTATE
CREATE SEQUENCE pop_seq;
SELECT synth_populate('pop_seq', 10, model => 'pop_people');
\echo :LAST_ERROR_SQLSTATE
SELECT synth_populate('people_pkey', 10, model => 'pop_people');
\echo :LAST_ERROR_SQLSTATE

SELECT synth_drop('pop_people');
SELECT synth_drop('pop_src');
SELECT synth_drop('pop_ident');
