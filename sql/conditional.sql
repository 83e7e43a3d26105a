-- Conditional sampling: synth_sample(..., condition => 'predicate').
-- Tolerances: a synthetic mean within 4 standard errors of the real subset's
-- mean, the standard error counting both samples (the model is learnt from
-- the real subset's rows, the synthetic rows add their own noise).
\set VERBOSITY terse
SET extra_float_digits = 0;
SELECT synth_fit('people');
SELECT synth_fit('penguins');

-- every row satisfies the condition, whatever its form
SELECT count(*) AS rows, bool_and(age >= 70 AND city IN ('Oslo', 'Bergen') AND income IS NOT NULL) AS all_satisfy
FROM synth_sample(NULL::people, 2000, seed => 5,
                  condition => 'age >= 70 AND city IN (''Oslo'', ''Bergen'') AND income IS NOT NULL');
SELECT count(*) AS rows, bool_and(NOT active AND feeling = 'tired' AND born BETWEEN '1960-01-01' AND '1970-12-31') AS all_satisfy
FROM synth_sample(NULL::people, 2000, seed => 5,
                  condition => 'NOT active AND feeling = ''tired'' AND born BETWEEN ''1960-01-01'' AND ''1970-12-31''');
SELECT count(*) AS rows, bool_and(income IS NULL AND code = 'B22' AND grade = 'x') AS all_satisfy
FROM synth_sample(NULL::people, 2000, seed => 5, condition => 'income IS NULL AND code = ''B22'' AND grade = ''x''');
SELECT count(*) AS rows, bool_and(seen_at < '2024-02-01' AND updated >= '2024-06-25 00:00+00' AND 75 < weight) AS all_satisfy
FROM synth_sample(NULL::people, 2000, seed => 5,
                  condition => 'seen_at < ''2024-02-01'' AND updated >= ''2024-06-25 00:00+00'' AND 75 < weight');
SELECT count(*) AS rows, bool_and(active IS TRUE AND ratio > 0.9 AND visits = 3) AS all_satisfy
FROM synth_sample(NULL::people, 2000, seed => 5, condition => 'active IS TRUE AND ratio > 0.9 AND visits = 3');

-- what the model cannot condition on directly is enforced by checking each
-- row (rejection): odd ages, a function of two columns
SELECT count(*) AS rows, bool_and(age % 2 = 1 AND height - weight > 100 AND city <> 'Oslo') AS all_satisfy
FROM synth_sample(NULL::people, 2000, seed => 5, condition => 'age % 2 = 1 AND height - weight > 100 AND city <> ''Oslo''');

-- the same seed gives the same rows; the jsonb form takes a condition too
SELECT (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 50, seed => 9, condition => 'age > 60') x)
     = (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 50, seed => 9, condition => 'age > 60') x) AS reproducible;
SELECT count(*) AS rows, bool_and((j->>'age')::int > 60) AS all_satisfy
FROM synth_sample('people', 100, seed => 9, condition => 'age > 60') j;
SELECT count(*) FROM synth_sample(NULL::people, 0, seed => 9, condition => 'age > 60');

-- The other columns follow the real conditional distribution.
-- A numeric range on a correlated pair (rho = 0.7): the mean weight of the
-- tall, against the real tall; an unconditional sample is far off.
CREATE TEMP TABLE tall AS SELECT * FROM synth_sample(NULL::people, 5000, seed => 21, condition => 'height >= 185');
WITH r AS (SELECT avg(weight) AS m, stddev(weight) AS sd, count(weight) AS n FROM people WHERE height >= 185),
     s AS (SELECT avg(weight) AS m, stddev(weight) AS sd, count(weight) AS n FROM tall)
SELECT r.n BETWEEN 100 AND 300 AS rare_in_real,
       abs(s.m - r.m) < 4 * sqrt(r.sd ^ 2 / r.n + s.sd ^ 2 / s.n) AS weight_mean_ok,
       abs((SELECT avg(weight) FROM people) - r.m) > 4 * sqrt(r.sd ^ 2 / r.n + s.sd ^ 2 / s.n) AS unconditional_differs
FROM r, s;
-- missingness tied to another column: income is NULL for the young.  The
-- copula catches this threshold only in part, so the check is the direction
-- (younger than everyone), and that the conditional draw is the model's own
-- distribution given the condition: the same as unconditional rows filtered.
CREATE TEMP TABLE no_income AS SELECT * FROM synth_sample(NULL::people, 5000, seed => 22, condition => 'income IS NULL');
CREATE TEMP TABLE filtered AS SELECT * FROM synth_sample(NULL::people, 60000, seed => 25) WHERE income IS NULL;
WITH f AS (SELECT avg(age) AS m, stddev(age) AS sd, count(*) AS n FROM filtered),
     s AS (SELECT avg(age) AS m, stddev(age) AS sd, count(*) AS n FROM no_income)
SELECT f.n > 2000 AS enough, abs(s.m - f.m) < 4 * sqrt(f.sd ^ 2 / f.n + s.sd ^ 2 / s.n) AS same_as_filtered,
       s.m < (SELECT avg(age) FROM people) - 4 AS younger
FROM f, s;
-- two restricted, correlated dimensions (the Gibbs sampler): the same as
-- unconditional rows filtered
CREATE TEMP TABLE big AS SELECT * FROM synth_sample(NULL::people, 5000, seed => 27, condition => 'height >= 180 AND weight >= 80');
CREATE TEMP TABLE big_filtered AS SELECT * FROM synth_sample(NULL::people, 100000, seed => 28) WHERE height >= 180 AND weight >= 80;
SELECT (SELECT count(*) > 2000 FROM big_filtered) AS enough,
       abs((SELECT avg(height) FROM big) - (SELECT avg(height) FROM big_filtered))
         < 4 * sqrt((SELECT variance(height) / 5000 + variance(height) / count(*) FROM big_filtered)) AS height_same,
       abs((SELECT avg(weight) FROM big) - (SELECT avg(weight) FROM big_filtered))
         < 4 * sqrt((SELECT variance(weight) / 5000 + variance(weight) / count(*) FROM big_filtered)) AS weight_same,
       -- the standard error of a correlation is at most 1 / sqrt(n): 4 * sqrt(1/5000 + 1/2000) < 0.11
       abs((SELECT corr(height, weight) FROM big) - (SELECT corr(height, weight) FROM big_filtered)) < 0.11 AS corr_same;

-- penguins: a category shifts the numbers, numbers pick the category
CREATE TEMP TABLE heavy AS SELECT * FROM synth_sample(NULL::penguins, 5000, seed => 23, condition => 'body_mass_g >= 5500');
SELECT (SELECT count(*) FROM penguins WHERE body_mass_g >= 5500) AS real_rows,
       (SELECT count(*) FILTER (WHERE species = 'Gentoo')::float8 / count(*) FROM heavy) > 0.99 AS gentoo;
CREATE TEMP TABLE dream AS SELECT * FROM synth_sample(NULL::penguins, 5000, seed => 24, condition => 'island = ''Dream'' AND sex = ''FEMALE''');
WITH r AS (SELECT species, count(*)::float8 / sum(count(*)) OVER () AS p, sum(count(*)) OVER () AS n
           FROM penguins WHERE island = 'Dream' AND sex = 'FEMALE' GROUP BY 1),
     s AS (SELECT species, count(*)::float8 / 5000 AS p FROM dream GROUP BY 1)
SELECT species, abs(s.p - r.p) < 4 * sqrt(r.p * (1 - r.p) / r.n + r.p * (1 - r.p) / 5000) AS share_ok
FROM r FULL JOIN s USING (species) ORDER BY 1;
-- and the numbers of those rows are the model's own given the condition
CREATE TEMP TABLE dream_filtered AS
SELECT * FROM synth_sample(NULL::penguins, 60000, seed => 26) WHERE island = 'Dream' AND sex = 'FEMALE';
WITH f AS (SELECT species, avg(body_mass_g) AS m, stddev(body_mass_g) AS sd, count(body_mass_g) AS n
           FROM dream_filtered GROUP BY 1),
     s AS (SELECT species, avg(body_mass_g) AS m, stddev(body_mass_g) AS sd, count(body_mass_g) AS n
           FROM dream GROUP BY 1)
SELECT species, f.n > 2000 AS enough, abs(s.m - f.m) < 4 * sqrt(f.sd ^ 2 / f.n + s.sd ^ 2 / s.n) AS body_mass_same_as_filtered
FROM f JOIN s USING (species) ORDER BY 1;

-- two strongly related columns each restricted to two separate values:
-- the rows come from both parts of the allowed region (Gibbs steps alone
-- stayed in the part they started in: all 4,000 rows (10, 10), or all
-- (1, 1)); a GHK proposal before each row's sweeps lets the chain cross
CREATE TABLE close_pairs AS
SELECT a, least(10, greatest(1, a + round(fixture_u(i, 'cb') * 2 - 1)::int)) AS b
FROM (SELECT i, 1 + floor(fixture_u(i, 'ca') * 10)::int AS a FROM generate_series(1, 5000) i) s;
SELECT synth_fit('close_pairs');
SELECT count(*) AS rows,
       avg((a = 1 AND b = 1)::int) BETWEEN 0.3 AND 0.7 AS both_parts,
       bool_and((a = 1 AND b = 1) OR (a = 10 AND b = 10) OR (a = 1 AND b = 10) OR (a = 10 AND b = 1)) AS satisfied
FROM synth_sample(NULL::close_pairs, 4000, seed => 1, condition => 'a IN (1, 10) AND b IN (1, 10)');
SELECT synth_drop('close_pairs');
DROP TABLE close_pairs;

-- an order comparison on a category (text, an enum, a boolean) is tried on
-- each of the column's categories (it was refused as having no value of the
-- column: the categories are in the copula's order, not the type's); the
-- made-up strings ('Village ...') are checked, and fall on their own side
SELECT count(*) AS rows, bool_and(city < 'P') AS all_below_p, count(DISTINCT city) AS cities
FROM synth_sample(NULL::people, 2000, seed => 5, condition => $$city < 'P'$$);
SELECT count(*) AS rows, bool_and(city > 'O') AS all_above_o,
       count(*) FILTER (WHERE city LIKE 'Village%' OR city NOT IN ('Oslo', 'Trondheim')) > 0 AS made_up_among_them
FROM synth_sample(NULL::people, 2000, seed => 5, condition => $$city > 'O'$$);
SELECT count(*) AS rows, bool_and(feeling < 'tired') AS all_before_tired
FROM synth_sample(NULL::people, 500, seed => 5, condition => $$feeling < 'tired'$$);
SELECT count(*) AS rows, bool_and(active) AS all_active
FROM synth_sample(NULL::people, 500, seed => 5, condition => 'active > false');

-- errors
\set VERBOSITY default
\set ON_ERROR_STOP 0
-- not SQL, not boolean, not one expression, unknown column, subquery
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'age >');
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'age + 1');
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'true; DROP TABLE people');
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'age > 1 ORDER BY 1');
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'age > 30 AND agee < 40');
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'age IN (SELECT 1)');
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'count(*) > 1');
-- a parameter, a window function, a column qualified by a table name
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'age > $1');
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'row_number() OVER () > 1');
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'people.age > 60');
-- a condition cut short: its last word reads as a name, pointed at
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'age > 30 AND');
-- no support in the model: a value it does not keep (seen once), a range
-- outside its domain, parts that cannot hold together, always false,
-- IS NULL on a column without NULLs
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'city = ''Village 2999''');
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'age > 95');
-- equality outside the range, and inside it between the recorded steps
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'age = 95');
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'age IN (95, 96)');
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'height = 170.05');
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'age > 60 AND age < 40');
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'age > 60 AND 1 = 2');
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'age IS NULL');
-- a residual almost nothing satisfies stops with advice
SELECT count(*) FROM synth_sample(NULL::people, 10, seed => 1, condition => 'height * 1000 = 170123');
-- a key's values are checked, not drawn from the model: the error names it
SELECT count(*) FROM synth_sample(NULL::people, 10, seed => 1, condition => 'id = 5');
\set ON_ERROR_STOP 1
\set VERBOSITY terse

-- The rare ends of a continuous column have models of their own (the tail
-- groups): here 'edge' marks the rows at both ends of x (|x| > 1.75, about
-- 8 %), which no monotone copula over all rows can tie to x, and kind has
-- too many levels to group by.  Under x > 2 (2.3 % of the rows, about 130)
-- every real row is 'edge', and nearly every sampled one; with
-- synth.tail_groups off the fit groups by g (which tells y) and about 8 %
-- come out 'edge'.
SELECT setseed(0.625);
CREATE TABLE ends AS
SELECT g, 3 * g + z AS y, x, CASE WHEN abs(x) > 1.75 THEN 'edge' ELSE 'k' || (i % 19) END AS kind
FROM (SELECT i, i % 2 AS g, sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS x,
             sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z
      FROM generate_series(1, 6000) i) s;
SELECT synth_fit('ends');
SELECT m->>'grouped_by' AS grouped_by, jsonb_array_length(m->'groups') AS groups
FROM synth_model('ends') m;
WITH s AS (SELECT * FROM synth_sample(NULL::ends, 2000, seed => 8, condition => 'x > 2'))
SELECT (SELECT count(*) FROM ends WHERE x > 2) BETWEEN 100 AND 200 AS rare,
       (SELECT avg((kind = 'edge')::int) FROM ends WHERE x > 2) = 1 AS real_all_edge,
       avg((kind = 'edge')::int) > 0.85 AS sampled_edge, bool_and(x > 2) AS all_satisfy
FROM s;
-- unconditionally the share of 'edge' stays the table's (8 %; binomial
-- standard deviation at 10,000 rows 0.003, four of them allowed)
SELECT abs(avg((kind = 'edge')::int) - (SELECT avg((kind = 'edge')::int) FROM ends)) < 0.012 AS edge_share
FROM synth_sample(NULL::ends, 10000, seed => 9);
SET synth.tail_groups = off;
SELECT synth_fit('ends', model => 'ends_no_tails');
SELECT m->>'grouped_by' AS grouped_by FROM synth_model('ends_no_tails') m;
SELECT avg((kind = 'edge')::int) < 0.3 AS few_edge_without_tails
FROM synth_sample(NULL::ends, 2000, model => 'ends_no_tails', seed => 8, condition => 'x > 2');
-- tails => 'x' names the column: split even with synth.tail_groups off
SELECT synth_fit('ends', model => 'ends_named', tails => 'x');
SELECT m->>'grouped_by' AS grouped_by, jsonb_array_length(m->'groups') AS groups
FROM synth_model('ends_named') m;
SELECT avg((kind = 'edge')::int) > 0.85 AS sampled_edge
FROM synth_sample(NULL::ends, 2000, model => 'ends_named', seed => 8, condition => 'x > 2');
RESET synth.tail_groups;
-- a column the fit would not choose (y tells only g) is split when named
SELECT synth_fit('ends', model => 'ends_y', tails => 'y');
SELECT m->>'grouped_by' AS grouped_by FROM synth_model('ends_y') m;
-- named, a column that tells nothing (w, a hash of x) is split too: no
-- chance test (the fit itself would pass it over)
CREATE TEMP VIEW ends_w AS SELECT *, (abs(hashfloat8(x)) % 100000)::float8 AS w FROM ends;
SELECT synth_fit('ends_w', model => 'ends_w', tails => 'w');
SELECT m->>'grouped_by' AS grouped_by, jsonb_array_length(m->'groups') AS groups
FROM synth_model('ends_w') m;
SELECT synth_fit('ends_w', model => 'ends_w_auto');
SELECT m->>'grouped_by' AS grouped_by FROM synth_model('ends_w_auto') m;
\set VERBOSITY default
\set ON_ERROR_STOP 0
-- tails that cannot be: no such column, text, excluded, too few rows,
-- too few distinct values, with epsilon, without groups, alone in a table
SELECT synth_fit('ends', model => 'ends_bad', tails => 'z');
SELECT synth_fit('ends', model => 'ends_bad', tails => 'kind');
SELECT synth_fit('ends', model => 'ends_bad', tails => 'x', exclude => '{x}');
CREATE TEMP VIEW ends_few AS SELECT * FROM ends LIMIT 1500;
SELECT synth_fit('ends_few', model => 'ends_bad', tails => 'x');
SELECT synth_fit('ends', model => 'ends_bad', tails => 'g');
SELECT synth_fit('ends', model => 'ends_bad', tails => 'x', epsilon => 1);
SET synth.group_depth = 0;
SELECT synth_fit('ends', model => 'ends_bad', tails => 'x');
RESET synth.group_depth;
CREATE TEMP VIEW ends_x AS SELECT x FROM ends;
SELECT synth_fit('ends_x', model => 'ends_bad', tails => 'x');
DROP VIEW ends_x;
\set ON_ERROR_STOP 1
\set VERBOSITY terse
SELECT synth_drop('ends');
SELECT synth_drop('ends_no_tails');
SELECT synth_drop('ends_named');
SELECT synth_drop('ends_y');
SELECT synth_drop('ends_w');
SELECT synth_drop('ends_w_auto');
DROP VIEW ends_w;
DROP VIEW ends_few;
DROP TABLE ends;

-- An OR of comparisons on one column is drawn directly: both tails at
-- once, NOT BETWEEN, BETWEEN SYMMETRIC, equalities written out.  Tails of
-- 2 in 10,000 rows each: checking each row would stop (the same condition
-- with a volatile term must be checked, and is refused); drawn directly, the
-- rows come, in the model's own proportions between the two tails (an
-- unconditional sample's, within 4 binomial standard errors).
SELECT format('height < %s OR height > %s', lo, hi) AS tails,
       format('height < %s OR height > %s + 0 * random()', lo, hi) AS tails_checked,
       lo AS tail_lo, hi AS tail_hi
FROM (SELECT percentile_disc(0.0002) WITHIN GROUP (ORDER BY height) AS lo,
             percentile_disc(0.9998) WITHIN GROUP (ORDER BY height) AS hi
      FROM synth_sample(NULL::people, 200000, seed => 31)) q \gset
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample(NULL::people, 1000, seed => 32, condition => :'tails_checked');
\set ON_ERROR_STOP 1
CREATE TEMP TABLE both_tails AS SELECT * FROM synth_sample(NULL::people, 4000, seed => 32, condition => :'tails');
CREATE TEMP TABLE tails_filtered AS
  SELECT * FROM synth_sample(NULL::people, 2000000, seed => 33) WHERE height < :tail_lo OR height > :tail_hi;
WITH f AS (SELECT avg((height < :tail_lo)::int) AS p, count(*) AS n FROM tails_filtered),
     s AS (SELECT avg((height < :tail_lo)::int) AS p, count(*) AS n, bool_and(height < :tail_lo OR height > :tail_hi) AS ok FROM both_tails)
SELECT s.n AS rows, s.ok AS all_satisfy, f.n > 400 AS enough_filtered,
       abs(s.p - f.p) < 4 * sqrt(f.p * (1 - f.p) * (1.0 / f.n + 1.0 / s.n)) AS lower_share_same
FROM f, s;
SELECT count(*) AS rows, bool_and(weight NOT BETWEEN 60 AND 100) AS all_satisfy, min(weight) < 60 AND max(weight) > 100 AS both_sides
FROM synth_sample(NULL::people, 2000, seed => 34, condition => 'weight NOT BETWEEN 60 AND 100');
-- BETWEEN SYMMETRIC draws the very rows BETWEEN draws
SELECT (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 500, seed => 35, condition => 'age BETWEEN SYMMETRIC 45 AND 40') x)
     = (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 500, seed => 35, condition => 'age BETWEEN 40 AND 45') x) AS symmetric_is_between;
-- equalities written out draw the very rows IN draws
SELECT (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 500, seed => 36, condition => $$city = 'Oslo' OR city = 'Bergen'$$) x)
     = (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 500, seed => 36, condition => $$city IN ('Oslo', 'Bergen')$$) x) AS or_is_in;
-- An OR across columns (or with IS NULL) is drawn arm by arm: each arm is a
-- condition of its own, and a row drawn from an arm is kept with
-- probability 1 / (the arms it satisfies), so rows of both arms are not
-- drawn twice as often (union sampling, Karp and Luby).  Two tails of 3 in
-- 10,000 each: checking each row would stop; drawn, the rows come.
SELECT format('height > %s OR weight > %s', h, w) AS cross_tails,
       format('height > %s OR weight > %s + 0 * random()', h, w) AS cross_tails_checked,
       h AS tail_h, w AS tail_w, h1, w1, w2
FROM (SELECT percentile_disc(0.9997) WITHIN GROUP (ORDER BY height) AS h,
             percentile_disc(0.98) WITHIN GROUP (ORDER BY weight) AS w2,
             percentile_disc(0.9997) WITHIN GROUP (ORDER BY weight) AS w,
             percentile_disc(0.99) WITHIN GROUP (ORDER BY height) AS h1,
             percentile_disc(0.99) WITHIN GROUP (ORDER BY weight) AS w1
      FROM synth_sample(NULL::people, 200000, seed => 45)) q \gset
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample(NULL::people, 1000, seed => 46, condition => :'cross_tails_checked');
\set ON_ERROR_STOP 1
SELECT count(*) AS rows, bool_and(height > :tail_h OR weight > :tail_w) AS all_satisfy
FROM synth_sample(NULL::people, 1000, seed => 46, condition => :'cross_tails');
-- the 1 % tails of the correlated pair overlap (about 10 % of the rows in
-- either are in both): that share is an unconditional sample's (within 4
-- binomial standard errors; kept twice as often, it would be about 19 %)
CREATE TEMP TABLE cross_tails AS SELECT * FROM synth_sample(NULL::people, 4000, seed => 46,
  condition => format('height > %s OR weight > %s', :h1, :w1));
CREATE TEMP TABLE cross_filtered AS
  SELECT * FROM synth_sample(NULL::people, 400000, seed => 47) WHERE height > :h1 OR weight > :w1;
WITH f AS (SELECT avg((height > :h1 AND weight > :w1)::int) AS p, count(*) AS n FROM cross_filtered),
     s AS (SELECT avg((height > :h1 AND weight > :w1)::int) AS p, count(*) AS n,
                  bool_and(height > :h1 OR weight > :w1) AS ok FROM cross_tails)
SELECT s.n AS rows, s.ok AS all_satisfy, f.p BETWEEN 0.05 AND 0.2 AS tails_overlap,
       abs(s.p - f.p) < 4 * sqrt(f.p * (1 - f.p) * (1.0 / f.n + 1.0 / s.n)) AS both_share_same
FROM f, s;
-- arms that are ANDs, and an arm with IS NULL
CREATE TEMP TABLE arms AS SELECT * FROM synth_sample(NULL::people, 4000, seed => 48,
  condition => $$(city = 'Oslo' AND age > 80) OR (city = 'Bergen' AND age < 25)$$);
CREATE TEMP TABLE arms_filtered AS SELECT * FROM synth_sample(NULL::people, 200000, seed => 49)
  WHERE (city = 'Oslo' AND age > 80) OR (city = 'Bergen' AND age < 25);
WITH f AS (SELECT avg((city = 'Oslo')::int) AS p, count(*) AS n FROM arms_filtered),
     s AS (SELECT avg((city = 'Oslo')::int) AS p, count(*) AS n,
                  bool_and((city = 'Oslo' AND age > 80) OR (city = 'Bergen' AND age < 25)) AS ok FROM arms)
SELECT s.n AS rows, s.ok AS all_satisfy, abs(s.p - f.p) < 4 * sqrt(f.p * (1 - f.p) * (1.0 / f.n + 1.0 / s.n)) AS oslo_share_same
FROM f, s;
SELECT count(*) AS rows, bool_and(income IS NULL OR income > 49000) AS all_satisfy, count(*) FILTER (WHERE income IS NULL) > 0 AS some_null
FROM synth_sample(NULL::people, 1000, seed => 38, condition => 'income IS NULL OR income > 49000');
-- rows of the main atoms and three overlapping arms (the third holds the
-- second): the share of rows in two or more arms is an unconditional
-- sample's
CREATE TEMP TABLE three_arms AS SELECT * FROM synth_sample(NULL::people, 4000, seed => 51,
  condition => format($$city = 'Oslo' AND (height > %s OR weight > %s OR weight > %s)$$, :h1, :w1, :w2));
CREATE TEMP TABLE three_filtered AS SELECT * FROM synth_sample(NULL::people, 400000, seed => 52)
  WHERE city = 'Oslo' AND (height > :h1 OR weight > :w1 OR weight > :w2);
WITH f AS (SELECT avg(((height > :h1)::int + (weight > :w1)::int + (weight > :w2)::int >= 2)::int) AS p, count(*) AS n FROM three_filtered),
     s AS (SELECT avg(((height > :h1)::int + (weight > :w1)::int + (weight > :w2)::int >= 2)::int) AS p, count(*) AS n,
                  bool_and(city = 'Oslo' AND (height > :h1 OR weight > :w1 OR weight > :w2)) AS ok FROM three_arms)
SELECT s.n AS rows, s.ok AS all_satisfy, f.p > 0.3 AS arms_overlap,
       abs(s.p - f.p) < 4 * sqrt(f.p * (1 - f.p) * (1.0 / f.n + 1.0 / s.n)) AS overlap_share_same
FROM f, s;
-- an arm that folds to false leaves the other: the rows of that alone
SELECT (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 300, seed => 53, condition => $$age > 85 OR now() < '2000-01-01'$$) x)
     = (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 300, seed => 53, condition => 'age > 85') x) AS false_arm_dropped;
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => $$city = 'Nowhere' OR age > 200$$);
\set ON_ERROR_STOP 1
-- an arm on a key (whose values are generated, not drawn) leaves the OR to the check of each row
SELECT count(*) AS rows, bool_and(id < 3 OR age > 85) AS all_satisfy
FROM synth_sample(NULL::people, 300, seed => 50, condition => 'id < 3 OR age > 85');
-- an OR with no support in the model is an error
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'age < 0 OR age > 200');
\set ON_ERROR_STOP 1

-- "<>" and NOT IN are drawn directly: every value of the column but those
-- (and, for text, made-up strings).  The rare failure among 20,000 checks,
-- 6 of them (0.03 %): checking each row would stop; drawn directly, the
-- rows come.
CREATE TABLE checks AS
  SELECT CASE WHEN i % 3333 = 0 THEN 'failed' ELSE 'ok' END AS status,
         round(100 + 200 * ((i * 0.6180339887) % 1), 1)::float8 AS ms
  FROM generate_series(1, 20000) AS i;
SELECT synth_fit('checks');
SELECT status, count(*)
FROM synth_sample(NULL::checks, 1000, seed => 40, condition => $$status <> 'ok'$$) GROUP BY status;
SELECT (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::checks, 200, seed => 41, condition => $$status <> 'ok'$$) x)
     = (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::checks, 200, seed => 41, condition => $$status NOT IN ('ok')$$) x) AS not_in_is_ne;
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample(NULL::checks, 1000, seed => 40, condition => $$status || substr(random()::text, 1, 0) <> 'ok'$$);
-- NOT IN a list with NULL is never true
SELECT count(*) FROM synth_sample(NULL::checks, 10, seed => 40, condition => $$status NOT IN ('ok', NULL)$$);
-- nothing is left when every kept value is excluded (no made-up strings here)
SELECT count(*) FROM synth_sample(NULL::checks, 10, seed => 40, condition => $$status NOT IN ('ok', 'failed')$$);
\set ON_ERROR_STOP 1
-- Any test of one categorical column alone (LIKE, a regular expression, a
-- function of it) is tried on each of its categories and drawn directly:
-- the rare failures by a pattern; on a column without made-up strings a
-- test that picks the categories "=" picks draws the very rows "=" draws
-- (where there are made-up strings, they are drawn too and checked).
SELECT status, count(*)
FROM synth_sample(NULL::checks, 1000, seed => 40, condition => $$status LIKE 'fail%'$$) GROUP BY status;
SELECT (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 500, seed => 55, condition => $$code ~ '^B' AND age > 60$$) x)
     = (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 500, seed => 55, condition => $$code = 'B22' AND age > 60$$) x) AS tests_are_sets;
SELECT city, count(*) FROM synth_sample(NULL::people, 500, seed => 55, condition => $$lower(city) = 'oslo'$$) GROUP BY city;
-- a test that fails on a value another conjunct keeps out (the cast of
-- 'A1') is left to the check of each row, which evaluates the conjuncts in
-- order, as before
SELECT code, count(*) FROM synth_sample(NULL::people, 300, seed => 57,
  condition => $$code = 'B22' AND ltrim(code, 'B')::int > 10$$) GROUP BY code;
-- a test in an arm of an OR across columns: the arm's set holds every
-- made-up name, but a row is kept only if the arm it was drawn from holds
-- (else rows of the other arm, the old, came twice as often): the share of
-- names 'Z...' among the rows is an unconditional sample's
CREATE TEMP TABLE zz AS SELECT * FROM synth_sample(NULL::people, 4000, seed => 58, condition => $$name LIKE 'Z%' OR age > 85$$);
CREATE TEMP TABLE zz_filtered AS SELECT * FROM synth_sample(NULL::people, 400000, seed => 59) WHERE name LIKE 'Z%' OR age > 85;
WITH f AS (SELECT avg((name LIKE 'Z%')::int) AS p, count(*) AS n FROM zz_filtered),
     s AS (SELECT avg((name LIKE 'Z%')::int) AS p, count(*) AS n, bool_and(name LIKE 'Z%' OR age > 85) AS ok FROM zz)
SELECT s.n AS rows, s.ok AS all_satisfy, f.p BETWEEN 0.2 AND 0.9 AS both_arms_matter,
       abs(s.p - f.p) < 4 * sqrt(f.p * (1 - f.p) * (1.0 / f.n + 1.0 / s.n)) AS zz_share_same
FROM f, s;
-- when made-up strings are what an arm's test is left to, the error shows
-- the OR among the parts checked on each row
\set VERBOSITY default
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample(NULL::people, 1000, seed => 61, condition => $$name LIKE 'Qqqq%' OR age > 200$$);
\set ON_ERROR_STOP 1
\set VERBOSITY terse
-- a test that holds for NULL is checked on each row; one no kept value
-- passes, on a column without made-up strings, is an error
SELECT count(*) AS rows, count(*) FILTER (WHERE city IS NULL) > 0 AS some_null
FROM synth_sample(NULL::people, 1000, seed => 56, condition => $$city IS DISTINCT FROM 'Oslo'$$);
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample(NULL::people, 10, seed => 56, condition => $$code LIKE 'Z%'$$);
\set ON_ERROR_STOP 1
-- on a number: every value but one, in the model's proportions (an
-- unconditional sample's, within 4 binomial standard errors); on text with
-- made-up strings, those too
CREATE TEMP TABLE not_three AS SELECT * FROM synth_sample(NULL::people, 4000, seed => 42, condition => 'visits <> 3 AND visits NOT IN (0, 1)');
CREATE TEMP TABLE not_three_filtered AS SELECT * FROM synth_sample(NULL::people, 40000, seed => 43) WHERE visits <> 3 AND visits NOT IN (0, 1);
WITH f AS (SELECT avg((visits = 2)::int) AS p, count(*) AS n FROM not_three_filtered),
     s AS (SELECT avg((visits = 2)::int) AS p, count(*) AS n, bool_and(visits NOT IN (0, 1, 3)) AS ok FROM not_three)
SELECT s.n AS rows, s.ok AS all_satisfy, abs(s.p - f.p) < 4 * sqrt(f.p * (1 - f.p) * (1.0 / f.n + 1.0 / s.n)) AS share_of_2_same
FROM f, s;
SELECT count(*) AS rows, bool_and(city NOT IN ('Oslo', 'Bergen', 'Trondheim')) AS all_satisfy,
       count(DISTINCT city) > 100 AS made_up_strings
FROM synth_sample(NULL::people, 500, seed => 44, condition => $$city NOT IN ('Oslo', 'Bergen', 'Trondheim')$$);
-- a column of made-up strings only (names): "<>" leaves all of them
SELECT count(*) AS rows, count(DISTINCT name) > 90 AS made_up_strings
FROM synth_sample(NULL::people, 100, seed => 44, condition => $$name <> 'Abc Def'$$);
-- NOT IN an empty list holds for NULLs too; NOT IN a list with NULL never holds
SELECT count(*) AS rows, count(*) FILTER (WHERE income IS NULL) > 0 AS some_null
FROM synth_sample(NULL::people, 1000, seed => 44, condition => $$income <> ALL ('{}'::numeric[])$$);
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample(NULL::people, 10, seed => 44, condition => 'visits NOT IN (1, NULL)');
\set ON_ERROR_STOP 1

-- On a column sampled continuously (every digit kept), "=" has a chance
-- only at a value shared by enough rows (an atom): a piece's end, where the
-- bisection finds a sliver of uniforms that round onto it, is no support
-- (it drew its rows from the sliver, while a value beside it was refused)
CREATE TABLE cont AS
  SELECT CASE WHEN i <= 30 THEN 1000.5 ELSE 1000 + ((i * 0.6180339887498949) % 1) END::float8 AS x
  FROM generate_series(1, 2000) AS i;
SELECT synth_fit('cont');
SELECT jsonb_path_query_first(synth_model('cont'), '$.columns[0].distribution[*] ? (@.to > 1000.6).to')::text AS piece_end \gset
SELECT count(*) AS rows, bool_and(x = 1000.5) AS all_atom FROM synth_sample(NULL::cont, 100, seed => 60, condition => 'x = 1000.5');
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample(NULL::cont, 10, seed => 60, condition => format('x = %s', :'piece_end'));
SELECT count(*) FROM synth_sample(NULL::cont, 10, seed => 60, condition => format('x IN (1000.5, %s) AND x <> 1000.5', :'piece_end'));
SELECT count(*) FROM synth_sample(NULL::cont, 10, seed => 60, condition => format('x BETWEEN %s AND %s', :'piece_end', :'piece_end'));
\set ON_ERROR_STOP 1
SELECT synth_drop('cont');
DROP TABLE cont;

-- A stable expression (current_date, now(), a date cast to timestamptz) has
-- one value for the call and is evaluated once: the comparison is drawn
-- directly, the same rows as with its value written out.
SELECT (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 500, seed => 39,
          condition => $$born >= current_date - (current_date - date '1990-01-01') AND updated < (current_date - (current_date - date '2024-06-10'))::timestamptz$$) x)
     = (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 500, seed => 39,
          condition => $$born >= '1990-01-01' AND updated < '2024-06-10 00:00'$$) x) AS folded_once;
-- only what every row's check evaluates is folded: the operands of a
-- comparison, not a CASE branch no row reaches, nor a row comparison
SELECT count(*) AS rows FROM synth_sample(NULL::people, 100, seed => 54,
  condition => $$CASE WHEN age > 200 THEN current_setting('synth_test.unset')::int ELSE 0 END < 5$$);
SELECT count(*) AS rows, bool_and((age, height) < (50, 170)) AS all_satisfy
FROM synth_sample(NULL::people, 100, seed => 54, condition => '(age, height) < (50, 170 + (current_date - current_date))');
-- an error of a folded operand is the call's, before any row
\set ON_ERROR_STOP 0
SELECT count(*) FROM synth_sample(NULL::people, 10, condition => 'age > 1 / (extract(year from current_date)::int - extract(year from current_date)::int)');
\set ON_ERROR_STOP 1
SELECT synth_drop('checks');
DROP TABLE checks;
