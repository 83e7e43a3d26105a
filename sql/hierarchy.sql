-- Hierarchies (src/hierarchy.c): a categorical column with at least 10 kept
-- values, every one of whose rows share one value (or NULL) of another
-- column, fixes that column in the synthetic rows: a city its state.
-- 24 cities of 10 rows each in 4 states; 16 of them have an airport code
-- (their own), 8 have none (NULL); 12 small towns (2 rows each) are pooled
-- and come back as made-up names.  x moves with the state, so a copula alone
-- pairs a city with a state by chance.
SELECT setseed(0.1875);
CREATE TABLE places AS
SELECT 'city' || c AS city, 'S' || (c % 4) AS state,
       CASE WHEN c < 16 THEN 'A' || chr(65 + c) || 'X' END AS airport,
       (c % 4) * 10 + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS x
FROM generate_series(0, 23) c, generate_series(1, 10) i
UNION ALL
SELECT 'town' || c, 'S' || (c % 2), NULL, (c % 2) * 10 + random()
FROM generate_series(0, 11) c, generate_series(1, 2) i;
SELECT synth_fit('places');
-- city fixes state and airport; airport (16 kept values) would fix city and
-- state too, but a column is fixed by one column only (the one with more
-- kept values) and city and airport fix each other: city wins
SELECT h->>'from' AS fixing, h->>'to' AS fixed,
       (SELECT count(*) FROM jsonb_object_keys(h->'values')) AS kept_values,
       h->'values'->'city5' AS city5, h->'values'->'city20' AS city20
FROM synth_model('places') m, jsonb_array_elements(m->'hierarchies') h ORDER BY 2;

-- every synthetic row with a real city has that city's state and airport;
-- made-up cities (the small towns' 24 rows of 264: 455 of 5,000 expected)
-- draw theirs as before
CREATE TABLE places_syn AS SELECT * FROM synth_sample(NULL::places, 5000, seed => 4);
WITH real AS (SELECT DISTINCT city, state, airport FROM places)
SELECT count(*) FILTER (WHERE s.city IN (SELECT city FROM real)) > 4300 AS mostly_real_cities,
       count(*) FILTER (WHERE s.city IN (SELECT city FROM real)
                        AND NOT EXISTS (SELECT 1 FROM real r WHERE r.city = s.city AND r.state = s.state
                                        AND r.airport IS NOT DISTINCT FROM s.airport)) AS mismatched,
       count(*) FILTER (WHERE s.city NOT IN (SELECT city FROM real)) BETWEEN 380 AND 530 AS made_up_cities
FROM places_syn s;
-- without the hierarchy (synth.fit_dependence off: columns on their own) a
-- real city's row has the wrong state about 3 times in 4
SET synth.fit_dependence = off;
SELECT synth_fit('places', model => 'places_marginal');
RESET synth.fit_dependence;
SELECT synth_model('places_marginal') ? 'hierarchies' AS marginal_has_hierarchies;
SELECT count(*) FILTER (WHERE s.state <> p.state) > 1000 AS marginal_mismatched
FROM synth_sample(NULL::places, 5000, model => 'places_marginal', seed => 4) s
JOIN (SELECT DISTINCT city, state FROM places) p USING (city);
SELECT synth_drop('places_marginal');

-- the same with no groups (one copula, whose order of categories the fit
-- chooses last: the hierarchy numbers them as stored)
SET synth.group_depth = 0;
SELECT synth_fit('places', model => 'places_flat');
RESET synth.group_depth;
SELECT h->>'to' AS fixed, h->'values'->'city5' AS city5, h->'values'->'city20' AS city20
FROM synth_model('places_flat') m, jsonb_array_elements(m->'hierarchies') h ORDER BY 1;
WITH real AS (SELECT DISTINCT city, state, airport FROM places)
SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM real r WHERE r.city = s.city AND r.state = s.state
                                          AND r.airport IS NOT DISTINCT FROM s.airport)) AS flat_mismatched
FROM synth_sample(NULL::places, 5000, model => 'places_flat', seed => 4) s
WHERE s.city IN (SELECT city FROM real);
SELECT synth_drop('places_flat');

-- a condition on the fixing column keeps the hierarchy: city5's state
SELECT count(*) AS rows, bool_and(state = 'S1' AND airport = 'AFX') AS city5_fixed
FROM synth_sample(NULL::places, 200, seed => 5, condition => $$city = 'city5'$$);
-- a condition on the fixed column is met through the column that fixes
-- it: only S2's cities (or made-up towns, which fix nothing) are drawn, so
-- every real city comes with its own state (the hierarchy used to be
-- turned off, and most rows paired S2 with another state's city); the
-- same for IS NOT NULL, a list and "<>" (drawn directly since "<>" is;
-- checked on each row before)
SELECT count(*) AS rows, bool_and(s.state = 'S2') AS all_s2,
       count(*) FILTER (WHERE s.state <> p.state) AS mismatched,
       count(DISTINCT s.city) FILTER (WHERE p.city IS NOT NULL) AS s2_cities
FROM synth_sample(NULL::places, 2000, seed => 5, condition => $$state = 'S2'$$) s
LEFT JOIN (SELECT DISTINCT city, state FROM places) p USING (city);
SELECT count(*) AS rows, count(*) FILTER (WHERE s.state <> p.state) AS mismatched
FROM synth_sample(NULL::places, 2000, seed => 5, condition => 'state IS NOT NULL') s
JOIN (SELECT DISTINCT city, state FROM places) p USING (city);
SELECT count(*) AS rows, bool_and(s.state IN ('S0', 'S3')) AS all_s0_s3,
       count(*) FILTER (WHERE s.state <> p.state) AS mismatched
FROM synth_sample(NULL::places, 2000, seed => 5, condition => $$state IN ('S0', 'S3') AND x > 5$$) s
JOIN (SELECT DISTINCT city, state FROM places) p USING (city);
SELECT count(*) AS rows, bool_and(s.state <> 'S1') AS no_s1,
       count(*) FILTER (WHERE s.state <> p.state) AS mismatched
FROM synth_sample(NULL::places, 2000, seed => 5, condition => $$state <> 'S1'$$) s
JOIN (SELECT DISTINCT city, state FROM places) p USING (city);
-- two hierarchies named: the first (state) is cut into pieces, the other
-- (airport) is drawn unrestricted and checked, since the hierarchy replaces
-- it; the rows are those of an unconditional sample filtered (the share of
-- city2 within 4 binomial standard errors, the mean of x within 4 of its own)
CREATE TEMP TABLE two_h AS SELECT * FROM synth_sample(NULL::places, 3000, seed => 7,
  condition => $$state = 'S2' AND airport IS NOT NULL$$);
CREATE TEMP TABLE two_h_filtered AS SELECT * FROM synth_sample(NULL::places, 60000, seed => 8)
  WHERE state = 'S2' AND airport IS NOT NULL;
WITH f AS (SELECT avg((city = 'city2')::int) AS p, count(*) AS n, avg(x) AS mx, stddev(x) AS sx FROM two_h_filtered),
     s AS (SELECT avg((city = 'city2')::int) AS p, count(*) AS n, avg(x) AS mx, stddev(x) AS sx,
                  bool_and(state = 'S2' AND airport IS NOT NULL) AS ok FROM two_h)
SELECT s.n AS rows, s.ok AS all_satisfy, f.n > 1000 AS enough,
       abs(s.p - f.p) < 4 * sqrt(f.p * (1 - f.p) * (1.0 / f.n + 1.0 / s.n)) AS city2_share_same,
       abs(s.mx - f.mx) < 4 * sqrt(f.sx ^ 2 / f.n + s.sx ^ 2 / s.n) AS x_mean_same
FROM f, s;
-- an order comparison on the fixed column picks its categories: the very
-- rows the list of them draws
SELECT (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::places, 500, seed => 6, condition => $$state > 'S1'$$) x)
     = (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::places, 500, seed => 6, condition => $$state IN ('S2', 'S3')$$) x) AS order_is_list;

-- and in the model's own proportions: each S2 city's share under the
-- condition is its share among the S2 rows of an unconditional sample
-- (a first version kept the condition on the state as drawn too, which
-- weighed each city by how often the copula drew S2 with it)
WITH c AS (SELECT city, count(*) / 4000.0 AS p
           FROM synth_sample(NULL::places, 4000, seed => 6, condition => $$state = 'S2'$$) GROUP BY 1),
     u AS (SELECT city, count(*) / sum(count(*)) OVER () AS p
           FROM synth_sample(NULL::places, 100000, seed => 7) WHERE state = 'S2' GROUP BY 1)
SELECT count(*) FILTER (WHERE c.city LIKE 'city%') AS s2_cities,
       max(abs(coalesce(c.p, 0) - coalesce(u.p, 0))) FILTER (WHERE coalesce(c.city, u.city) LIKE 'city%') < 0.03 AS shares_as_filtered
FROM c FULL JOIN u USING (city);
-- a value of the fixed column that only rows without the fixing one have
-- (here NULL and 'tz' come with a NULL f) is drawn from those rows
CREATE TABLE fixed_by_null AS
SELECT CASE WHEN i % 5 = 0 THEN NULL ELSE 'f' || (i % 12) END AS f,
       CASE WHEN i % 5 = 0 THEN (CASE WHEN i % 10 = 0 THEN 'tz' END) ELSE 't' || (i % 12 % 3) END AS t
FROM generate_series(1, 3000) i;
SELECT synth_fit('fixed_by_null');
SELECT h->>'from' AS fixing, h->>'to' AS fixed FROM synth_model('fixed_by_null') m, jsonb_array_elements(m->'hierarchies') h;
SELECT count(*) AS rows, bool_and(f IS NULL) AS all_without_f
FROM synth_sample(NULL::fixed_by_null, 500, seed => 1, condition => 't IS NULL');
SELECT count(*) AS rows, bool_and(f IS NULL) AS all_without_f
FROM synth_sample(NULL::fixed_by_null, 500, seed => 1, condition => $$t = 'tz'$$);
SELECT synth_drop('fixed_by_null');
DROP TABLE fixed_by_null;

-- a stored hierarchy is checked like the rest of a model: its last value
-- (the last 4 bytes of the model) made out of range, or cut, is refused
INSERT INTO synth_models (name, source, row_count, columns, format_version, model)
SELECT 'places_damaged', source, row_count, columns, format_version,
       overlay(model placing '\x7fffffff'::bytea from octet_length(model) - 3 for 4)
FROM synth_models WHERE name = 'places';
SELECT count(*) FROM synth_sample(NULL::places, 1, model => 'places_damaged');
UPDATE synth_models SET model = (SELECT substr(model, 1, octet_length(model) - 1) FROM synth_models WHERE name = 'places')
WHERE name = 'places_damaged';
SELECT count(*) FROM synth_sample(NULL::places, 1, model => 'places_damaged');
SELECT synth_drop('places_damaged');

-- the fixer with more kept values wins whichever column comes first: with
-- airport before city, airport (16 values) fixes state until city (24) does
CREATE TABLE places_reordered AS SELECT airport, city, state, x FROM places;
SELECT synth_fit('places_reordered');
SELECT h->>'from' AS fixing, h->>'to' AS fixed,
       (SELECT count(*) FROM jsonb_object_keys(h->'values')) AS kept_values
FROM synth_model('places_reordered') m, jsonb_array_elements(m->'hierarchies') h ORDER BY 2;
SELECT count(*) FILTER (WHERE s.state <> p.state) AS reordered_mismatched
FROM synth_sample(NULL::places_reordered, 2000, seed => 7) s
JOIN (SELECT DISTINCT city, state FROM places) p USING (city);
SELECT synth_drop('places_reordered');
DROP TABLE places_reordered;

-- a fixer that would close a chain gives way to the next one: b and c
-- name each other (b has 14 kept values, c 13: the 14th b has no c), so c
-- cannot fix b once b fixes c; d (11 values, two in each of b0 to b4, one
-- in b5, else NULL) then fixes b, and through b c
CREATE TABLE chain AS
SELECT 'b' || (i % 14) AS b,
       CASE WHEN i % 14 < 13 THEN 'c' || (i % 14) END AS c,
       CASE WHEN i % 14 <= 4 THEN 'd' || ((i % 14) * 2 + (i / 14) % 2)
            WHEN i % 14 = 5 THEN 'd10' END AS d
FROM generate_series(0, 699) i;
SELECT synth_fit('chain', model => 'chain_m');
SELECT h->>'from' AS fixing, h->>'to' AS fixed,
       (SELECT count(*) FROM jsonb_object_keys(h->'values')) AS kept_values
FROM synth_model('chain_m') m, jsonb_array_elements(m->'hierarchies') h ORDER BY 2;
WITH s AS (SELECT * FROM synth_sample(NULL::chain, 3000, model => 'chain_m', seed => 8))
SELECT count(*) FILTER (WHERE d IS NOT NULL AND s.b <> (SELECT min(b) FROM chain r WHERE r.d = s.d)) AS d_b_mismatched,
       count(*) FILTER (WHERE s.c IS DISTINCT FROM (SELECT min(c) FROM chain r WHERE r.b = s.b)) AS b_c_mismatched
FROM s;
SELECT synth_drop('chain_m');
DROP TABLE chain;

-- the same within balanced blocks and drawn row by row
SET synth.balanced_sampling = off;
SELECT count(*) FILTER (WHERE s.state <> p.state) AS unbalanced_mismatched
FROM synth_sample(NULL::places, 2000, seed => 6) s
JOIN (SELECT DISTINCT city, state FROM places) p USING (city);
RESET synth.balanced_sampling;

-- no hierarchy where one row breaks it (city0 once in another state) ...
UPDATE places SET state = 'S3' WHERE ctid = (SELECT min(ctid) FROM places WHERE city = 'city0');
SELECT synth_fit('places');
SELECT h->>'from' AS fixing, h->>'to' AS fixed
FROM synth_model('places') m, jsonb_array_elements(m->'hierarchies') h ORDER BY 2;
-- (nor does airport: city0 has one), nor with fewer than 10 kept values of
-- the fixing column (9 cities, 9 airports)
DELETE FROM places WHERE city LIKE 'city%' AND substr(city, 5)::int >= 9;
SELECT count(DISTINCT city) AS cities FROM places WHERE city LIKE 'city%';
SELECT synth_fit('places');
SELECT synth_model('places') ? 'hierarchies' AS has_hierarchies;

-- differential privacy fits learn no hierarchy (they spend their budget on
-- the column models and the copula)
SET client_min_messages = error;	-- (its private ranges will likely miss: dp.sql)
SELECT synth_fit('places', model => 'places_dp', epsilon => 5, delta => 1e-6);
RESET client_min_messages;
SELECT synth_model('places_dp') ? 'hierarchies' AS dp_has_hierarchies;
SELECT synth_drop('places_dp');

SELECT synth_drop('places');
DROP TABLE places, places_syn;
