-- Prepared samplers kept between calls (src/sampler_cache.c): a backend
-- keeps the last few samplers it prepared, so that a call per row of
-- another table (LATERAL) or a loop of small calls does not prepare the
-- model again each time.  A kept sampler must give exactly the rows a
-- freshly prepared one gives, and must never outlive the model, row type,
-- setting or access it was made for.  Each \c below starts a new backend,
-- whose cache is empty: the reference (settings are set again after it).
\set VERBOSITY terse
SET extra_float_digits = 0;
-- two groups (g splits x), a hierarchy (city fixes state), a key (id),
-- made-up strings for a rare tail (note)
CREATE TABLE cache_t AS
SELECT i AS id, CASE WHEN i % 2 = 0 THEN 'A' ELSE 'B' END AS g,
       (CASE WHEN i % 2 = 0 THEN 0 ELSE 10 END) + fixture_z(i, 'cx') AS x,
       'city ' || (i % 12) AS city, 'state ' || (i % 12 % 4) AS state,
       CASE WHEN i % 10 = 0 THEN 'note ' || i ELSE 'plain' END AS note
FROM generate_series(1, 2000) i;
ALTER TABLE cache_t ADD PRIMARY KEY (id);
SELECT synth_fit('cache_t');
SELECT m->>'grouped_by' AS grouped_by, jsonb_array_length(m->'hierarchies') AS hierarchies
FROM synth_model('cache_t') m;

-- references, each from a fresh backend: a balanced call, a single row
-- (unbalanced), a condition, the jsonb form, unaligned groups
CREATE FUNCTION cache_digest(rows text[]) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT md5(array_to_string(rows, '|')) $$;
CREATE TABLE cache_ref (call text PRIMARY KEY, digest text);
\c
SET extra_float_digits = 0;
INSERT INTO cache_ref SELECT 'balanced', cache_digest(array_agg(s::text)) FROM synth_sample(NULL::cache_t, 300, seed => 1) s;
\c
SET extra_float_digits = 0;
INSERT INTO cache_ref SELECT 'one row', cache_digest(array_agg(s::text)) FROM synth_sample(NULL::cache_t, 1, seed => 2) s;
\c
SET extra_float_digits = 0;
INSERT INTO cache_ref SELECT 'condition', cache_digest(array_agg(s::text))
FROM synth_sample(NULL::cache_t, 50, seed => 3, condition => 'g = ''A'' AND x > 1') s;
\c
SET extra_float_digits = 0;
INSERT INTO cache_ref SELECT 'jsonb', cache_digest(array_agg(s::text)) FROM synth_sample('cache_t', 40, seed => 4) s;
\c
SET extra_float_digits = 0;
SET synth.align_marginals = off;
INSERT INTO cache_ref SELECT 'unaligned', cache_digest(array_agg(s::text)) FROM synth_sample(NULL::cache_t, 300, seed => 1) s;
\c
SET extra_float_digits = 0;
\set VERBOSITY terse

-- one backend, every kind of call interleaved, each twice: the same rows
CREATE TABLE cache_got (call text, digest text);
INSERT INTO cache_got SELECT 'balanced', cache_digest(array_agg(s::text)) FROM synth_sample(NULL::cache_t, 300, seed => 1) s;
INSERT INTO cache_got SELECT 'condition', cache_digest(array_agg(s::text))
FROM synth_sample(NULL::cache_t, 50, seed => 3, condition => 'g = ''A'' AND x > 1') s;
INSERT INTO cache_got SELECT 'one row', cache_digest(array_agg(s::text)) FROM synth_sample(NULL::cache_t, 1, seed => 2) s;
INSERT INTO cache_got SELECT 'balanced', cache_digest(array_agg(s::text)) FROM synth_sample(NULL::cache_t, 300, seed => 1) s;
INSERT INTO cache_got SELECT 'jsonb', cache_digest(array_agg(s::text)) FROM synth_sample('cache_t', 40, seed => 4) s;
INSERT INTO cache_got SELECT 'one row', cache_digest(array_agg(s::text)) FROM synth_sample(NULL::cache_t, 1, seed => 2) s;
INSERT INTO cache_got SELECT 'condition', cache_digest(array_agg(s::text))
FROM synth_sample(NULL::cache_t, 50, seed => 3, condition => 'g = ''A'' AND x > 1') s;
INSERT INTO cache_got SELECT 'jsonb', cache_digest(array_agg(s::text)) FROM synth_sample('cache_t', 40, seed => 4) s;
SET synth.align_marginals = off;
INSERT INTO cache_got SELECT 'unaligned', cache_digest(array_agg(s::text)) FROM synth_sample(NULL::cache_t, 300, seed => 1) s;
RESET synth.align_marginals;
INSERT INTO cache_got SELECT 'balanced', cache_digest(array_agg(s::text)) FROM synth_sample(NULL::cache_t, 300, seed => 1) s;
-- and once per row of another query (LATERAL): its third call is the reference's
INSERT INTO cache_got
SELECT 'balanced', cache_digest(array_agg(s::text))
FROM generate_series(1, 3) k, LATERAL synth_sample(NULL::cache_t, 100 * k, seed => 1) s
WHERE k = 3;
SELECT g.call, count(*) AS calls, bool_and(g.digest = r.digest) AS same_rows_as_fresh
FROM cache_got g JOIN cache_ref r USING (call) GROUP BY g.call ORDER BY g.call;

-- a LATERAL call per row keeps each call's own rows and keys
SELECT count(*) AS rows, count(DISTINCT k) AS calls,
       bool_and(n_per_call = k) AS each_call_its_rows
FROM (SELECT k, count(*) OVER (PARTITION BY k) AS n_per_call
      FROM generate_series(1, 40) k, LATERAL synth_sample(NULL::cache_t, k, seed => k) s) x;

-- a call that fails leaves nothing behind: the next call is as fresh
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample(NULL::cache_t, 10, seed => 1, condition => 'x > 1e9');
\set ON_ERROR_STOP 1
SELECT cache_digest(array_agg(s::text)) = (SELECT digest FROM cache_ref WHERE call = 'balanced') AS same_after_error
FROM synth_sample(NULL::cache_t, 300, seed => 1) s;

-- a refit is seen at once, also one rolled back (cache_m: fitted on rows
-- 1000 apart, then on cache_t again)
CREATE TABLE cache_far AS SELECT id, g, x + 1000 AS x, city, state, note FROM cache_t;
SELECT synth_fit('cache_far', model => 'cache_m');
SELECT min(x) > 900 AS far_model FROM synth_sample(NULL::cache_t, 100, model => 'cache_m', seed => 1);
SELECT synth_fit('cache_t', model => 'cache_m');
SELECT cache_digest(array_agg(s::text)) = (SELECT digest FROM cache_ref WHERE call = 'balanced') AS refit_seen
FROM synth_sample(NULL::cache_t, 300, model => 'cache_m', seed => 1) s;
BEGIN;
SELECT synth_fit('cache_far', model => 'cache_m');
SELECT min(x) > 900 AS refit_in_transaction_seen FROM synth_sample(NULL::cache_t, 100, model => 'cache_m', seed => 1);
ROLLBACK;
SELECT cache_digest(array_agg(s::text)) = (SELECT digest FROM cache_ref WHERE call = 'balanced') AS rolled_back_refit_gone
FROM synth_sample(NULL::cache_t, 300, model => 'cache_m', seed => 1) s;
SELECT synth_drop('cache_m');
DROP TABLE cache_far;

-- a dropped model is gone, though its sampler was kept
SELECT synth_drop('cache_t');
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample(NULL::cache_t, 10, seed => 1);
\set ON_ERROR_STOP 1
SELECT synth_fit('cache_t');

-- a changed row type is matched again: a new column the model lacks is an error
ALTER TABLE cache_t ADD COLUMN extra integer;
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample(NULL::cache_t, 10, seed => 1);
\set ON_ERROR_STOP 1
ALTER TABLE cache_t DROP COLUMN extra;
SELECT count(*) AS rows FROM synth_sample(NULL::cache_t, 10, seed => 1);

-- a changed type is seen too: an enum label the model holds renamed away
-- is an error at once, as in a new backend, and renamed back it samples
CREATE TYPE cache_mood AS ENUM ('calm', 'busy');
CREATE TABLE cache_moods AS SELECT (CASE WHEN i % 3 = 0 THEN 'busy' ELSE 'calm' END)::cache_mood AS m
FROM generate_series(1, 300) i;
SELECT synth_fit('cache_moods');
SELECT m, count(*) FROM synth_sample(NULL::cache_moods, 30, seed => 1) GROUP BY m ORDER BY m;
SELECT count(*) AS rows FROM synth_sample('cache_moods', 30, seed => 1);
ALTER TYPE cache_mood RENAME VALUE 'busy' TO 'hectic';
\set ON_ERROR_STOP 0
\set VERBOSITY default
SELECT m, count(*) FROM synth_sample(NULL::cache_moods, 30, seed => 1) GROUP BY m ORDER BY m;
\set VERBOSITY terse
SELECT count(*) FROM synth_sample('cache_moods', 30, seed => 1);
\set ON_ERROR_STOP 1
ALTER TYPE cache_mood RENAME VALUE 'hectic' TO 'busy';
SELECT m, count(*) FROM synth_sample(NULL::cache_moods, 30, seed => 1) GROUP BY m ORDER BY m;
SELECT synth_drop('cache_moods');
DROP TABLE cache_moods;
DROP TYPE cache_mood;

-- synth.sampler_cache_mb = 0 keeps none (and drops what was kept): the
-- same rows, prepared each call; the kept samplers are memory contexts of
-- the backend, one "synth sampler" each
SELECT count(*) > 0 AS kept FROM pg_backend_memory_contexts WHERE name = 'synth sampler';
SET synth.sampler_cache_mb = 0;
SELECT cache_digest(array_agg(s::text)) = (SELECT digest FROM cache_ref WHERE call = 'balanced') AS same_uncached
FROM synth_sample(NULL::cache_t, 300, seed => 1) s;
SELECT count(*) AS kept_after_zero FROM pg_backend_memory_contexts WHERE name = 'synth sampler';
RESET synth.sampler_cache_mb;

-- access is checked on every call: a role that may not read the model
-- cannot use the sampler its owner's calls left behind
CREATE ROLE regress_synth_cache_reader;
GRANT SELECT ON synth_models TO regress_synth_cache_reader;
SELECT count(*) FROM synth_sample('cache_t', 10, seed => 1);
SET ROLE regress_synth_cache_reader;
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample('cache_t', 10, seed => 1);
\set ON_ERROR_STOP 1
RESET ROLE;
SELECT synth_grant('cache_t', 'regress_synth_cache_reader');
SET ROLE regress_synth_cache_reader;
SELECT count(*) AS rows FROM synth_sample('cache_t', 10, seed => 1);
RESET ROLE;
SELECT synth_revoke('cache_t', 'regress_synth_cache_reader');
SET ROLE regress_synth_cache_reader;
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample('cache_t', 10, seed => 1);
\set ON_ERROR_STOP 1
RESET ROLE;
REVOKE SELECT ON synth_models FROM regress_synth_cache_reader;
DROP ROLE regress_synth_cache_reader;

-- more models than the cache keeps: each still samples its own rows
SELECT synth_fit('cache_t', model => 'cache_' || k) FROM generate_series(1, 6) k;
SELECT count(DISTINCT d) AS digests, bool_and(d = (SELECT digest FROM cache_ref WHERE call = 'balanced')) AS all_same
FROM (SELECT k, cache_digest(array_agg(s::text)) AS d
      FROM generate_series(1, 6) k, LATERAL synth_sample(NULL::cache_t, 300, model => 'cache_' || k, seed => 1) s
      GROUP BY k) x;
SELECT count(*) AS kept_at_most_4 FROM pg_backend_memory_contexts WHERE name = 'synth sampler';
SELECT synth_drop('cache_' || k) FROM generate_series(1, 6) k;
SELECT synth_drop('cache_t');
DROP TABLE cache_t, cache_ref, cache_got;
DROP FUNCTION cache_digest(text[]);
