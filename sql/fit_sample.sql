-- The life of a model: fit, sample, inspect, refit, drop.
\set VERBOSITY terse
SET extra_float_digits = 0;

SELECT synth_fit('people');
SELECT name, source, row_count, columns[1:3], format_version FROM synth_models WHERE name = 'people';

-- the same seed gives the same rows; another seed other rows
SELECT (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 50, seed => 42) x)
     = (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 50, seed => 42) x) AS same_seed_same_rows;
SELECT (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 50, seed => 42) x)
    <> (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 50, seed => 43) x) AS other_seed_other_rows;
-- no seed: fresh randomness on every call
SELECT (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 50) x)
    <> (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 50) x) AS unseeded_differs;
-- balanced blocks are drawn for the whole call, so a prefix of a longer
-- sample is the shorter sample only when rows are drawn independently
SELECT (SELECT md5(string_agg(x::text, '|')) FROM (SELECT x FROM synth_sample(NULL::people, 100, seed => 7) x LIMIT 10) y)
     = (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 10, seed => 7) x) AS prefix_when_balanced;
SET synth.balanced_sampling = off;
SELECT (SELECT md5(string_agg(x::text, '|')) FROM (SELECT x FROM synth_sample(NULL::people, 100, seed => 7) x LIMIT 10) y)
     = (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 10, seed => 7) x) AS prefix_stable;
RESET synth.balanced_sampling;

-- Balanced blocks: a sample matches the model's shares to within a row.
-- Colour has shares 0.5 / 0.3 / 0.2 and size is NULL in 10 % of the rows;
-- 1,000 balanced rows hold 500 / 300 / 200 and 100 NULLs give or take one,
-- independent rows miss by about sqrt(n p (1 - p)), 10 to 16 rows.
CREATE TABLE balanced AS
SELECT (ARRAY['red', 'red', 'red', 'red', 'red', 'green', 'green', 'green', 'blue', 'blue'])[1 + i % 10] AS colour,
       CASE WHEN i % 10 = 3 THEN NULL ELSE (i * 7919) % 1000 END AS size
FROM generate_series(0, 999) i;
SET synth.group_depth = 0;
SELECT synth_fit('balanced');
RESET synth.group_depth;
SELECT abs(count(*) FILTER (WHERE colour = 'red') - 500) <= 1 AS red_exact,
       abs(count(*) FILTER (WHERE colour = 'green') - 300) <= 1 AS green_exact,
       abs(count(*) FILTER (WHERE size IS NULL) - 100) <= 1 AS nulls_exact,
       abs(count(*) FILTER (WHERE size < 500) - (SELECT count(*) FROM balanced WHERE size < 500)) <= 2 AS lower_half_exact
FROM synth_sample(NULL::balanced, 1000, seed => 3);
SET synth.balanced_sampling = off;
SELECT abs(count(*) FILTER (WHERE colour = 'red') - 500) AS red_off_by,
       abs(count(*) FILTER (WHERE size < 500) - (SELECT count(*) FROM balanced WHERE size < 500)) AS lower_half_off_by
FROM synth_sample(NULL::balanced, 1000, seed => 3);
RESET synth.balanced_sampling;
SELECT synth_drop('balanced');
DROP TABLE balanced;

-- the exact rows of seed 42 are part of the contract: same on every machine
SELECT id, age, height, weight, income, city, active, visits, ratio, born, code, grade, feeling
FROM synth_sample(NULL::people, 5, seed => 42);

-- n = 0 returns nothing; a call in the select list works too
SELECT count(*) FROM synth_sample(NULL::people, 0, seed => 1);
SELECT count(*) FROM (SELECT synth_sample(NULL::people, 3, seed => 1)) t;

-- the untyped form: one jsonb object per row, with the same values
SELECT count(*) FROM synth_sample('people', 25, seed => 42);
SELECT (SELECT md5(string_agg(jsonb_populate_record(NULL::people, j)::text, '|')) FROM synth_sample('people', 20, seed => 42) j)
     = (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 20, seed => 42) x) AS jsonb_form_matches;
SELECT t.* FROM synth_sample('people', 3, seed => 42) j,
       jsonb_to_record(j) AS t(age smallint, city text, active boolean);

-- a model under another name, sampled by name
SELECT synth_fit('people', model => 'staff');
SELECT count(*) FROM synth_sample(NULL::people, 10, model => 'staff', seed => 1);

-- synth_model shows what the model holds
SELECT m->>'name' AS name, m->>'source' AS source, m->>'rows_read' AS rows_read,
       m->>'min_group_size' AS min_group_size, jsonb_array_length(m->'columns') AS columns,
       m->'dependence'->>'kind' AS dependence
FROM synth_model('people') m;
SELECT c->>'name' AS column, c->>'type' AS type, c->>'kind' AS kind
FROM jsonb_array_elements(synth_model('people')->'columns') c;
SELECT jsonb_agg(c->'value' ORDER BY (c->>'p')::float8 DESC) AS cities
FROM jsonb_array_elements(synth_model('people')->'columns'->5->'categories') c;

-- refitting replaces the model in place
INSERT INTO people (id, age, city) VALUES (100001, 99, 'Oslo');
SELECT synth_fit('people');
SELECT row_count FROM synth_models WHERE name = 'people';
DELETE FROM people WHERE id = 100001;
SELECT synth_fit('people');
SELECT row_count FROM synth_models WHERE name = 'people';

-- a failed refit leaves the old model as it was
SELECT model AS before FROM synth_models WHERE name = 'staff' \gset
SELECT synth_fit('people', model => 'staff', min_group_size => 0);
SELECT model = :'before'::bytea AS unchanged FROM synth_models WHERE name = 'staff';

-- drop
SELECT synth_drop('staff');
SELECT synth_drop('staff', if_exists => true);
SELECT count(*) FROM synth_models WHERE name = 'staff';

-- parallel streams: four parts of 10 rows make 10 rows, each part is
-- reproducible on its own, parts share no rows, and one stream is the plain call
SELECT count(*) AS rows, count(DISTINCT x::text) AS distinct_rows
FROM generate_series(0, 3) AS i, synth_sample(NULL::people, 10, seed => 3, stream => i, streams => 4) AS x;
SELECT i, count(*) FROM generate_series(0, 3) AS i, synth_sample(NULL::people, 10, seed => 3, stream => i, streams => 4)
GROUP BY i ORDER BY i;
SELECT (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 7, seed => 3, stream => 2, streams => 4) x)
     = (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 7, seed => 3, stream => 2, streams => 4) x) AS part_reproducible;
SELECT (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 5, seed => 3, stream => 0, streams => 1) x)
     = (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 5, seed => 3) x) AS one_stream_is_plain;
SELECT count(*) FROM synth_sample('people', 10, seed => 3, stream => 1, streams => 3);
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample(NULL::people, 10, seed => 3, stream => 4, streams => 4);
SELECT count(*) FROM synth_sample(NULL::people, 10, seed => 3, stream => 0, streams => 0);
-- a NULL stream is no part: sessions whose stream variable is NULL would
-- all have drawn part 0, the same rows
SELECT count(*) FROM synth_sample(NULL::people, 10, seed => 3, stream => NULL, streams => 4);
SELECT count(*) FROM synth_sample(NULL::people, 10, seed => 3, stream => 1, streams => NULL);
SELECT count(*) FROM synth_sample('people', 10, seed => 3, stream => NULL);

-- a fit shows its progress like COPY TO in pg_stat_progress_copy: rows read
-- so far, on the source relation (a view that logs its own progress row as
-- the fit reads it)
CREATE TABLE fit_progress_log (relid oid, command text, type text, tuples bigint);
CREATE FUNCTION fit_progress_probe(x integer) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_stat_clear_snapshot();
    INSERT INTO fit_progress_log
        SELECT relid, command, type, tuples_processed FROM pg_stat_progress_copy WHERE pid = pg_backend_pid();
    RETURN x;
END $$;
CREATE VIEW people_watched AS SELECT fit_progress_probe(id) AS id, age, city FROM people;
SELECT synth_fit('people_watched');
SELECT count(DISTINCT relid) = 1 AND min(relid) = 'people_watched'::regclass AS on_the_source,
       min(command) AS command, min(type) AS type,
       count(*) = 3000 AS every_row_saw_it, min(tuples) = 0 AS starts_at_zero,
       max(tuples) >= 2000 AS advances, max(tuples) < 3000 AS before_the_end
FROM fit_progress_log;
SELECT count(*) AS after_the_fit FROM pg_stat_progress_copy WHERE pid = pg_backend_pid();
SELECT synth_drop('people_watched');
DROP VIEW people_watched;
DROP FUNCTION fit_progress_probe(integer);
DROP TABLE fit_progress_log;
