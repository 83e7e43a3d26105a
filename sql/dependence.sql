-- The dependence model on real data: the Palmer penguins (data/penguins.csv).
-- These checks fail for a model of independent columns, and the species
-- checks fail for a single Gaussian copula: they need the per-group model.
\set VERBOSITY terse
SET extra_float_digits = 0;
CREATE TEMP TABLE penguins_csv (species text, island text, beak_length_mm text, beak_depth_mm text,
                                flipper_length_mm text, body_mass_g text, sex text);
\copy penguins_csv FROM 'data/penguins.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE penguins AS
SELECT species, island, nullif(beak_length_mm, '')::float8 AS beak_length_mm,
       nullif(beak_depth_mm, '')::float8 AS beak_depth_mm,
       nullif(flipper_length_mm, '')::numeric::integer AS flipper_length_mm,
       nullif(body_mass_g, '')::numeric::integer AS body_mass_g, nullif(sex, '') AS sex
FROM penguins_csv;
SELECT count(*) FROM penguins;

SELECT synth_fit('penguins');
SELECT synth_model('penguins')->>'grouped_by' AS grouped_by,
       jsonb_array_length(synth_model('penguins')->'groups') AS groups;
-- each group says which levels of the grouping column it holds
SELECT grp->'levels' AS levels, grp->'rare_levels' AS rare_levels
FROM synth_model('penguins') m, jsonb_array_elements(m->'groups') grp ORDER BY 1::text;
CREATE TEMP TABLE syn AS SELECT * FROM synth_sample(NULL::penguins, 20000, seed => 11);

-- species shares: within 4 standard errors of the real shares
WITH r AS (SELECT species, count(*)::float8 / 344 AS p FROM penguins GROUP BY 1),
     s AS (SELECT species, count(*)::float8 / 20000 AS p FROM syn GROUP BY 1)
SELECT species, abs(s.p - r.p) < 4 * sqrt(r.p * (1 - r.p) / 20000) AS share_ok
FROM r JOIN s USING (species) ORDER BY 1;

-- a category shifts a number's mean: body mass by species, within four
-- standard errors of the real species mean (sd of the species / sqrt of both
-- sample sizes, since the model is learnt from the real 68-152 rows)
WITH r AS (SELECT species, avg(body_mass_g) m, stddev(body_mass_g) sd, count(body_mass_g) n FROM penguins GROUP BY 1),
     s AS (SELECT species, avg(body_mass_g) m, count(body_mass_g) n FROM syn GROUP BY 1)
SELECT species, round(r.m, -2) AS real_mean_rounded,
       abs(s.m - r.m) < 4 * r.sd * sqrt(1.0 / s.n + 1.0 / r.n) AS mean_ok
FROM r JOIN s USING (species) ORDER BY 1;

-- two associated categoricals: species lives on some islands only; the
-- combinations never seen stay (almost) empty, and the table's chi-square
-- distance from the real joint table is small
SELECT species, island, count(*) AS synthetic_rows
FROM syn WHERE (species, island) NOT IN (SELECT DISTINCT species, island FROM penguins)
GROUP BY 1, 2 ORDER BY 1, 2;
WITH r AS (SELECT species, island, count(*)::float8 / 344 AS p FROM penguins GROUP BY 1, 2),
     s AS (SELECT species, island, count(*)::float8 / 20000 AS p FROM syn GROUP BY 1, 2)
SELECT sum((coalesce(s.p, 0) - r.p) ^ 2 / r.p) < 0.05 AS joint_close
FROM r LEFT JOIN s USING (species, island);

-- within a species, beak length and depth correlate (0.39-0.65 in the real
-- data); a model without per-group dependence gives about 0.  The
-- correlation is learnt from the species' 68-152 rows, so it is checked
-- within 3 standard errors of theirs, 3 (1 - r^2) / sqrt(n).  (Real values
-- past the model's ends, scored as if at its very ends, once gave those few
-- rows normal scores of +-7 and halved two of these.)
WITH r AS (SELECT species, corr(beak_length_mm, beak_depth_mm) AS c,
                  count(beak_length_mm) AS n FROM penguins GROUP BY 1),
     s AS (SELECT species, corr(beak_length_mm, beak_depth_mm) AS c FROM syn GROUP BY 1)
SELECT species, s.c > 0.2 AS correlated,
       abs(s.c - r.c) < 3 * (1 - r.c ^ 2) / sqrt(r.n) AS as_in_real
FROM r JOIN s USING (species) ORDER BY 1;

-- values keep the lattice they were recorded on: body masses in steps of 25 g
SELECT synth_model('penguins')->'columns'->5->>'step' AS body_mass_step,
       bool_and(body_mass_g % 25 = 0) AS multiples_of_25
FROM syn;
-- ... but a lattice that rests on fewer than min_group_size rows is not
-- stored: it would pin them.  A thousand zeros and one bonus of 98765.43 had
-- that bonus as their step; six rare multiples of 137,500 beside the zeros
-- had 137,500, and every sampled value in their range was one of theirs;
-- one hire date 1,290 days after fifty others was the step of the dates.
-- Twenty open-ended '9999-12-31' (an atom, beyond a double's exact
-- microseconds) leave the daily lattice of the others.
CREATE TABLE bonuses (dept text, bonus numeric(10, 2));
INSERT INTO bonuses SELECT 'd' || g % 5, 0 FROM generate_series(1, 1000) g;
INSERT INTO bonuses VALUES ('d1', 98765.43);
CREATE TABLE awards (award numeric);
INSERT INTO awards SELECT 0 FROM generate_series(1, 1000);
INSERT INTO awards SELECT 137500 * k FROM generate_series(1, 6) k;
CREATE TABLE hires (hired date);
INSERT INTO hires SELECT date '2020-01-01' FROM generate_series(1, 50);
INSERT INTO hires VALUES ('2023-07-14');
CREATE TABLE contracts (valid_to timestamp);
INSERT INTO contracts SELECT timestamp '2020-01-01' + g * interval '1 day' FROM generate_series(1, 1000) g;
INSERT INTO contracts SELECT timestamp '9999-12-31' FROM generate_series(1, 20);
SELECT synth_fit('bonuses'), synth_fit('awards'), synth_fit('hires'), synth_fit('contracts');
SELECT synth_model('bonuses')->'columns'->1->'step' AS bonus_step,
       synth_model('bonuses')::text LIKE '%98765%' AS bonus_in_model,
       synth_model('awards')->'columns'->0->'step' AS award_step,
       synth_model('hires')->'columns'->0->'step' AS hire_step,
       (synth_model('contracts')->'columns'->0->>'step')::float8 / 86400e6 AS contract_step_days;
SELECT count(*) FILTER (WHERE award % 137500 = 0 AND award > 0) AS real_awards_sampled
FROM synth_sample(NULL::awards, 100000, seed => 1);
SELECT count(*) FILTER (WHERE valid_to <> date_trunc('day', valid_to)) AS not_whole_days,
       count(*) FILTER (WHERE valid_to = '9999-12-31') > 0 AS open_ends
FROM synth_sample(NULL::contracts, 10000, seed => 1);
SELECT synth_drop('bonuses'), synth_drop('awards'), synth_drop('hires'), synth_drop('contracts');
DROP TABLE bonuses, awards, hires, contracts;

-- Tied columns keep their full dependence.  x is standard normal, b a yes/no
-- cut of a normal with correlation 0.8 to x, k a three-level cut of another
-- with correlation 0.6: the point-biserial and rank correlations of the real
-- rows are what a copula with the right latent correlations reproduces.
-- Correlating the fit's jittered scores directly (without the latent
-- correction) leaves 2/pi of corr(x, b), about 0.40 instead of 0.62.
-- Tolerance: 4 standard errors of the difference of two correlations of
-- 20,000 rows each, (1 - r^2) * sqrt(2 / 20000) < 0.015, so 0.06.
SELECT setseed(0.25);
CREATE TABLE latent AS
SELECT x, x * 0.8 + 0.6 * z > 0.3 AS b,
       ((x * 0.6 + 0.8 * w) > -0.5)::int + ((x * 0.6 + 0.8 * w) > 0.7)::int AS k
FROM (SELECT sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS x,
             sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z,
             sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS w
      FROM generate_series(1, 20000)) s;
SET synth.group_depth = 0;		-- the copula alone, no per-group models
SELECT synth_fit('latent');
RESET synth.group_depth;
WITH r AS (SELECT corr(x, b::int) AS xb, corr(x, k) AS xk, corr(b::int, k) AS bk FROM latent),
     s AS (SELECT corr(x, b::int) AS xb, corr(x, k) AS xk, corr(b::int, k) AS bk
           FROM synth_sample(NULL::latent, 20000, seed => 5))
SELECT round(r.xb::numeric, 1) AS real_xb, abs(s.xb - r.xb) < 0.06 AS xb_ok,
       abs(s.xk - r.xk) < 0.06 AS xk_ok, abs(s.bk - r.bk) < 0.06 AS bk_ok
FROM r, s;

-- synth.fit_dependence = off fits every column on its own (a marginal-only
-- model): no copula, no groups, and beak length and depth no longer
-- correlate within a species (0.39 to 0.65 in the real data)
SET synth.fit_dependence = off;
SELECT synth_fit('penguins', model => 'penguins_marginal');
RESET synth.fit_dependence;
SELECT m->'dependence'->>'kind' AS dependence, m->>'grouped_by' AS grouped_by
FROM synth_model('penguins_marginal') m;
SELECT species, abs(corr(beak_length_mm, beak_depth_mm)) < 0.1 AS independent
FROM synth_sample(NULL::penguins, 5000, model => 'penguins_marginal', seed => 2)
GROUP BY 1 ORDER BY 1;
SELECT synth_drop('penguins_marginal');

-- A nominal category whose levels shift a number out of their frequency
-- order: A (40 %) mean 0, B (30 %) mean 3, C (20 %) mean -3, D (10 %)
-- mean 1.5.  The fit orders the levels by that mean (C, A, D, B), so the
-- copula alone (no groups) gives every level a mean on the right side of
-- its neighbours, within 0.5 of the real one (the copula's normal
-- approximation of the mixture, not noise: a level's mean of 2,000 or more
-- rows has a standard error below 0.05).  In frequency order the copula
-- would draw means rising from A to D.
SELECT setseed(0.5);
CREATE TABLE nominal AS
SELECT level, (CASE level WHEN 'A' THEN 0 WHEN 'B' THEN 3 WHEN 'C' THEN -3 ELSE 1.5 END)
              + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS x
FROM (SELECT CASE WHEN i % 10 < 4 THEN 'A' WHEN i % 10 < 7 THEN 'B' WHEN i % 10 < 9 THEN 'C' ELSE 'D' END AS level
      FROM generate_series(1, 8000) i) s;
SET synth.group_depth = 0;
SELECT synth_fit('nominal');
RESET synth.group_depth;
SELECT array_agg(c->>'value' ORDER BY ord) AS category_order
FROM synth_model('nominal') m,
     jsonb_array_elements(m->'columns'->0->'categories') WITH ORDINALITY AS t(c, ord);
WITH r AS (SELECT level, avg(x) AS m FROM nominal GROUP BY 1),
     s AS (SELECT level, avg(x) AS m FROM synth_sample(NULL::nominal, 20000, seed => 9) GROUP BY 1)
SELECT level, round(r.m::numeric, 0) AS real_mean, abs(s.m - r.m) < 0.5 AS mean_close
FROM r JOIN s USING (level) ORDER BY r.m;
SELECT synth_drop('nominal');
DROP TABLE nominal;

-- The pooled rare values come last in a column's order, so the order is
-- turned round when their rows resemble the low end: here the rare labels
-- (10 % of the rows, each seen once) go with low x, categories A, B, C with
-- x near 0, 2, 4.  Under x > 5 (real rows: C and a few B, no rare label)
-- made-up labels stay rare; with the pool next to C they were a tenth.
SELECT setseed(0.75);
CREATE TABLE pooled AS
SELECT CASE WHEN i % 10 = 9 THEN 'rare' || i ELSE (ARRAY['A', 'B', 'C'])[1 + i % 3] END AS label,
       (CASE WHEN i % 10 = 9 THEN -2 ELSE 2 * (i % 3) END)
       + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS x
FROM generate_series(0, 5999) i;
SET synth.group_depth = 0;
SELECT synth_fit('pooled');
RESET synth.group_depth;
SELECT (SELECT count(*) FROM pooled WHERE x > 5 AND label LIKE 'rare%') AS real_rare_high,
       avg((label NOT IN ('A', 'B', 'C'))::int) < 0.02 AS few_made_up
FROM synth_sample(NULL::pooled, 5000, seed => 4, condition => 'x > 5');
SELECT synth_drop('pooled');
DROP TABLE pooled;

-- A table of more than 20,000 rows learns its dependence (the copula's
-- correlations, the grouping column) from a random 20,000 of them, and its
-- column models and group shares from every row.  Here 60,000 rows in three
-- groups g (half, a third, a sixth of the rows) with their own means of y
-- and corr(x, y) = 0.6 within each: the groups keep every row (rows_used
-- are the real counts), the refit is repeatable, and the within-group
-- correlation is recovered to 4 standard errors of the difference,
-- 4 (1 - 0.36) sqrt(2 / 3,333) < 0.045 (the smallest group has about 3,333
-- of the 20,000 rows on both sides).
SELECT setseed(0.125);
CREATE TABLE wide_rows AS
SELECT g, x, 4 * g + 0.6 * x + 0.8 * z AS y
FROM (SELECT (ARRAY[0, 0, 0, 1, 1, 2])[1 + i % 6] AS g, sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS x,
             sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z
      FROM generate_series(1, 60000) i) s;
SELECT synth_fit('wide_rows');
CREATE TEMP TABLE wide_first AS SELECT model FROM synth_models WHERE name = 'wide_rows';
SELECT synth_fit('wide_rows');
SELECT (SELECT model FROM wide_first) = model AS repeatable FROM synth_models WHERE name = 'wide_rows';
-- the tails of y (its lowest and highest 5 % of rows) split first; the
-- middle rows (fewer of g = 0 and 2, whose y sit at the tails) split by g,
-- the tails stay whole; every row is in one group
WITH m AS (SELECT synth_model('wide_rows') AS m),
     top AS (SELECT grp FROM m, jsonb_array_elements(m->'groups') grp),
     middle AS (SELECT grp FROM top ORDER BY (grp->>'rows_used')::int DESC LIMIT 1),
     inner_groups AS (SELECT (g->>'rows_used')::int AS n FROM middle, jsonb_array_elements(grp->'groups') g)
SELECT (SELECT m->>'grouped_by' FROM m) AS grouped_by,
       (SELECT array_agg(round((grp->>'rows_used')::numeric / 60000, 2) ORDER BY (grp->>'rows_used')::int) FROM top) AS shares,
       (SELECT sum((grp->>'rows_used')::int) FROM top) = 60000 AS every_row,
       (SELECT grp->>'grouped_by' FROM middle) AS middle_grouped_by,
       (SELECT count(*) FROM top WHERE grp ? 'groups') = 1 AS tails_whole,
       (SELECT array_agg(round(n::numeric / sum_n, 1) ORDER BY n)
          FROM inner_groups, (SELECT sum(n) AS sum_n FROM inner_groups) t) AS middle_shares;
WITH r AS (SELECT g, corr(x, y) AS c FROM wide_rows GROUP BY g),
     s AS (SELECT g, corr(x, y) AS c, avg(y) AS m FROM synth_sample(NULL::wide_rows, 20000, seed => 3) GROUP BY g)
SELECT g, round(s.m)::int AS mean_y, abs(s.c - r.c) < 0.045 AS corr_ok FROM r JOIN s USING (g) ORDER BY g;
SELECT synth_drop('wide_rows');
DROP TABLE wide_rows;

-- A tail needs 100 rows of values: with NULLs in both columns, 2,000 rows
-- leave 97 per tail, too few (x then splits by its quartiles); 2,200 rows
-- leave 107.  Either way each group holds its own stretch of x, apart from
-- the others (two small tails pooled into one group would span both ends).
SELECT setseed(0.25);
CREATE TABLE tail_nulls AS
SELECT CASE WHEN i % 40 = 0 THEN NULL ELSE z1 END AS x,
       CASE WHEN i % 41 = 0 THEN NULL ELSE 0.8 * z1 + 0.6 * z2 END AS y
FROM (SELECT i, sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z1,
             sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z2
      FROM generate_series(1, 2000) i) s;
CREATE FUNCTION tail_groups_apart() RETURNS TABLE (grouped_by text, groups bigint, rows_in_smallest int, apart boolean)
LANGUAGE sql AS $$
  WITH m AS (SELECT synth_model('tail_nulls') AS m),
       g AS (SELECT (grp->>'rows_used')::int AS n,
                    (SELECT min(coalesce((l->>'from')::float8, (l#>>'{}')::float8))
                     FROM jsonb_array_elements(grp->'levels') l WHERE l <> 'null') AS lo,
                    (SELECT max(coalesce((l->>'to')::float8, (l#>>'{}')::float8))
                     FROM jsonb_array_elements(grp->'levels') l WHERE l <> 'null') AS hi
             FROM m, jsonb_array_elements(m->'groups') grp),
       o AS (SELECT n, lo, lag(hi) OVER (ORDER BY lo) AS prev_hi FROM g)
  SELECT (SELECT m->>'grouped_by' FROM m), count(*), min(n), bool_and(prev_hi IS NULL OR prev_hi <= lo) FROM o
$$;
SELECT synth_fit('tail_nulls');
SELECT * FROM tail_groups_apart();
INSERT INTO tail_nulls
SELECT z1, 0.8 * z1 + 0.6 * z2
FROM (SELECT sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z1,
             sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z2
      FROM generate_series(1, 200) i) s;
SELECT synth_fit('tail_nulls');
SELECT * FROM tail_groups_apart();
SELECT synth_drop('tail_nulls');
DROP FUNCTION tail_groups_apart();
DROP TABLE tail_nulls;

-- In a group, a value seen in fewer than min_group_size of the group's rows
-- is pooled; the part of that pool that holds values the whole table keeps
-- is sampled as those values (in proportion to what the groups leave
-- them short of their share of the table, see below), not as made-up
-- strings.  Here groups A and B (200 rows each, x near 0 and 10) share
-- twenty names n1..n20, 4 rows each per group (8 in the table: kept there,
-- pooled in each group), and four common names.  The group's pooled share
-- (40 %) comes back as n1..n20 (without the blend it came back made up),
-- and nothing sampled is a name seen in fewer than 5 real rows.
SELECT setseed(0.375);
CREATE TABLE shared_names AS
SELECT g, CASE WHEN i % 10 < 4 THEN 'n' || (1 + (i / 10) % 20) ELSE 'c' || (1 + i % 4) END AS name,
       (CASE g WHEN 'A' THEN 0 ELSE 10 END) + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS x
FROM generate_series(0, 199) i, (VALUES ('A'), ('B')) v(g);
SELECT synth_fit('shared_names');
SELECT m->>'grouped_by' AS grouped_by FROM synth_model('shared_names') m;
WITH s AS (SELECT * FROM synth_sample(NULL::shared_names, 10000, seed => 6)),
     kept AS (SELECT name FROM shared_names GROUP BY name HAVING count(*) >= 5)
SELECT avg((name LIKE 'n%' AND name IN (SELECT name FROM kept))::int) BETWEEN 0.38 AND 0.42 AS pooled_as_table_names,
       avg((name NOT IN (SELECT name FROM kept))::int) < 0.01 AS few_made_up,
       bool_and(name IN (SELECT name FROM kept) OR name NOT IN (SELECT name FROM shared_names)) AS no_rare_real_name
FROM s;
SELECT synth_drop('shared_names');
DROP TABLE shared_names;

-- The pooled share goes to the values the groups' own models give less
-- than the table's share, in proportion to what they lack: a value that
-- one group keeps with all its rows is not blended into the others.  Here
-- a2 (20 rows) is a name of group A only, and a1 has 20 rows in A and 4
-- in B; A keeps both, B pools a1 and n1..n20 as above.  B's pool (42 % of
-- its rows) goes to n1..n20, short of 2 % of the table each, and a1,
-- short of 1 %: a1 gets 0.42 * 1/41 = 1.02 % of B's rows (51 of 5,000,
-- binomial sd 7; skipping every value a group keeps would give none), a2
-- none (in the table's proportions B gave a1 and a2 8 % of its rows).  The
-- table's shares: a1 5.5 % (0.5 * 10 % + 0.5 * 1.02 %; 7.5 % before), a2
-- 5 %, the n names 40 % (binomial sd 0.23, 0.22 and 0.49 points in 10,000
-- independent rows; balanced blocks keep them closer).
SELECT setseed(0.4375);
CREATE TABLE group_only_names AS
SELECT g, CASE WHEN i % 10 < 4 THEN 'n' || (1 + (i / 10) % 20)
               WHEN g = 'A' AND i % 10 < 6 THEN 'a' || (i % 10 - 3)
               WHEN g = 'B' AND i % 10 = 4 AND i < 40 THEN 'a1'
               ELSE 'c' || (1 + i % 4) END AS name,
       (CASE g WHEN 'A' THEN 0 ELSE 10 END) + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS x
FROM generate_series(0, 199) i, (VALUES ('A'), ('B')) v(g);
SELECT synth_fit('group_only_names');
SELECT m->>'grouped_by' AS grouped_by FROM synth_model('group_only_names') m;
SELECT count(*) FILTER (WHERE name = 'a2') AS b_rows_named_a2,
       count(*) FILTER (WHERE name = 'a1') BETWEEN 30 AND 72 AS b_rows_named_a1
FROM synth_sample(NULL::group_only_names, 5000, seed => 6, condition => $$g = 'B'$$);
SELECT abs(avg((name = 'a1')::int) - 0.055) < 0.007 AS a1_share,
       abs(avg((name = 'a2')::int) - 0.05) < 0.007 AS a2_share,
       abs(avg((name LIKE 'n%')::int) - 0.40) < 0.02 AS n_share
FROM synth_sample(NULL::group_only_names, 10000, seed => 6);
SELECT synth_drop('group_only_names');
DROP TABLE group_only_names;

-- ... but only where those values are at least min_group_size distinct
-- ones: otherwise the blended share would be one value's small count in the
-- group.  Here the only table-kept value a group pools is 'b' (7 rows: 3
-- in A, 4 in B), and each group's other pooled values are unique names:
-- no group's model lists 'b', and its rows come back as made-up strings.
SELECT setseed(0.625);
CREATE TABLE one_shared AS
SELECT g, CASE WHEN i < (CASE g WHEN 'A' THEN 3 ELSE 4 END) THEN 'b'
               WHEN i < 30 THEN 'u' || g || i ELSE 'c' || (i % 3) END AS name,
       (CASE g WHEN 'A' THEN 0 ELSE 10 END) + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS x
FROM generate_series(0, 199) i, (VALUES ('A'), ('B')) v(g);
SELECT synth_fit('one_shared');
SELECT m->>'grouped_by' AS grouped_by,
       (SELECT count(*) FROM jsonb_array_elements(m->'columns'->1->'categories') c WHERE c->>'value' = 'b') AS table_keeps_b,
       (SELECT count(*) FROM jsonb_array_elements(m->'groups') grp,
               jsonb_array_elements(grp->'columns'->1->'categories') c WHERE c->>'value' = 'b') AS groups_listing_b
FROM synth_model('one_shared') m;
SELECT synth_drop('one_shared');
DROP TABLE one_shared;

-- A group needs 6 rows per column of the table as well as 40 rows: it
-- learns every column and every pair from its own rows, and a wide table's
-- small groups follow them too closely (pbc's halves: a DCR share of 0.58
-- over five splits with 3 rows per column, 0.52 with 6).  15 columns: two
-- levels of 75 rows (fewer than 90) make no groups, of 200 rows they do.
SELECT setseed(0.875);
CREATE TABLE wide_large AS
SELECT g, x + (CASE g WHEN 'A' THEN 0 ELSE 10 END) AS x1, x * 2 AS x2, x * 3 AS x3, x + 1 AS x4, x + 2 AS x5,
       x + 3 AS x6, x + 4 AS x7, x + 5 AS x8, x + 6 AS x9, x + 7 AS x10, x + 8 AS x11, x + 9 AS x12,
       x + 10 AS x13, x + 11 AS x14
FROM (SELECT CASE WHEN i <= 200 THEN 'A' ELSE 'B' END AS g,
             sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS x
      FROM generate_series(1, 400) i) s;
CREATE TABLE wide_small AS
SELECT (w).* FROM (SELECT w, row_number() OVER (PARTITION BY g ORDER BY x2) AS k FROM wide_large w) s
WHERE k % 8 < 3;
SELECT g, count(*) FROM wide_small GROUP BY g ORDER BY g;
SELECT synth_fit('wide_small'), synth_fit('wide_large');
SELECT (SELECT m->>'grouped_by' FROM synth_model('wide_small') m) AS small_grouped_by,
       (SELECT m->>'grouped_by' FROM synth_model('wide_large') m) AS large_grouped_by;
SELECT synth_drop('wide_small'), synth_drop('wide_large');
DROP TABLE wide_small, wide_large;

-- Columns NULL in exactly the same rows (the lab values of a visit that did
-- not take place) come out NULL together: here a, b and c are NULL on the
-- same rows of 3,000, the 11 % with x above 1.2 and every 13th.  Their
-- missingness dimensions share one variable (correlation 1 - 1e-5), so in
-- 20,000 rows fewer than 0.5 % of them part (0.18 %; 28 % without the
-- tie); under a = 1, b is almost never NULL.
SELECT setseed(0.3125);
CREATE TABLE lab_visits AS
SELECT CASE WHEN gone THEN NULL ELSE (x + z > 0)::int END AS a,
       CASE WHEN gone THEN NULL ELSE 2 * x + z END AS b,
       CASE WHEN gone THEN NULL ELSE (ARRAY['p', 'q', 'r'])[1 + i % 3] END AS c, x
FROM (SELECT i, x, z, x > 1.2 OR i % 13 = 0 AS gone
      FROM (SELECT i, sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS x,
                   sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z
            FROM generate_series(1, 3000) i) s0) s;
SET synth.group_depth = 0;		-- the copula alone: with groups, a's NULL is a group
SELECT synth_fit('lab_visits');
RESET synth.group_depth;
SELECT avg(((a IS NULL) <> (b IS NULL) OR (b IS NULL) <> (c IS NULL))::int) < 0.005 AS null_together,
       abs(avg((a IS NULL)::int) - (SELECT avg((a IS NULL)::int) FROM lab_visits)) < 0.01 AS null_share_kept
FROM synth_sample(NULL::lab_visits, 20000, seed => 8);
SELECT avg((b IS NULL)::int) < 0.005 AS b_present_when_a_is
FROM synth_sample(NULL::lab_visits, 5000, seed => 8, condition => 'a = 1');
-- A condition on two of them draws the one variable they share.  x, which
-- decides the NULLs, has the same mean and spread under the direct
-- condition a = 1 AND b > 0 as under the same condition checked row by row
-- on unconditional rows (coalesce makes it indirect): the model's own
-- conditional distribution, within 4 standard errors of the difference of
-- two 5,000-row means (0.06) and spreads (0.05).  A Gibbs chain over the
-- two copies barely moved, and its rows stayed near its first point (mean
-- 0.93 against 0.67).  A condition that parts them has no row.
WITH d AS (SELECT avg(x) AS m, stddev(x) AS sd
           FROM synth_sample(NULL::lab_visits, 5000, seed => 8, condition => 'a = 1 AND b > 0')),
     r AS (SELECT avg(x) AS m, stddev(x) AS sd
           FROM synth_sample(NULL::lab_visits, 5000, seed => 9, condition => 'coalesce(a, 0) = 1 AND b + 0 > 0'))
SELECT abs(d.m - r.m) < 0.06 AS mean_as_model, abs(d.sd - r.sd) < 0.05 AS spread_as_model FROM d, r;
SELECT count(*) FROM synth_sample(NULL::lab_visits, 10, condition => 'b IS NULL AND a = 1');
SELECT synth_drop('lab_visits');
DROP TABLE lab_visits;

-- a pooled group of levels too small to keep lists none of them, and says
-- it holds rare values; the two large levels have a group each
CREATE TABLE pooled_levels (g text, x double precision);
INSERT INTO pooled_levels
SELECT CASE WHEN i <= 150 THEN 'A' WHEN i <= 300 THEN 'B' ELSE 'c' || (i % 40) END,
       CASE WHEN i <= 150 THEN 10 WHEN i <= 300 THEN 20 ELSE 30 END + (i * 37 % 100) / 100.0
FROM generate_series(1, 380) i;
SELECT synth_fit('pooled_levels');
SELECT m->>'grouped_by' AS grouped_by, grp->'levels' AS levels, grp->'rare_levels' AS rare_levels
FROM synth_model('pooled_levels') m, jsonb_array_elements(m->'groups') grp ORDER BY 2::text;

-- A group whose own model keeps none of a column's values (each of 50
-- labels of an enum, which takes no made-up values, is seen 4 times in a
-- group and 8 times in the table) takes the table's model of the column,
-- with the group's own NULL share: none here, as in the real rows.  The
-- column came out NULL in every row of such a group.
SELECT format('CREATE TYPE shared_label AS ENUM (%s)',
              string_agg(quote_literal('v' || k), ', ' ORDER BY k))
FROM generate_series(0, 49) k \gexec
CREATE TABLE shared_column AS
SELECT CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END AS g,
       CASE WHEN i % 2 = 0 THEN i ELSE -i END AS x,
       ('v' || ((i / 2) % 50))::shared_label AS t
FROM generate_series(1, 400) i;
SELECT synth_fit('shared_column');
SELECT m->>'grouped_by' AS grouped_by, jsonb_array_length(m->'groups') AS groups
FROM synth_model('shared_column') m;
SELECT g, count(*) AS rows, count(t) AS with_t
FROM synth_sample(NULL::shared_column, 2000, seed => 1) GROUP BY g ORDER BY g;
SELECT synth_drop('shared_column');
DROP TABLE shared_column;
DROP TYPE shared_label;

-- A column of made-up strings only (every value rare: a name) has the same
-- model in every group but for its NULL share: a group learns no shape of
-- its own from fewer rows.  Group 'a' has no NULL names, 'b' one in four.
CREATE TABLE named_rows AS
SELECT CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END AS g,
       CASE WHEN i % 2 = 0 THEN i ELSE -i END AS x,
       CASE WHEN i % 8 = 1 THEN NULL ELSE 'Name ' || md5(i::text) END AS name
FROM generate_series(1, 400) i;
SELECT synth_fit('named_rows');
SELECT grp->'levels' AS levels,
       (grp->'columns'->2->'fresh_string_shape') = (m->'columns'->2->'fresh_string_shape') AS table_shape,
       round((grp->'columns'->2->>'null_fraction')::numeric, 2) AS null_fraction
FROM synth_model('named_rows') m, jsonb_array_elements(m->'groups') grp ORDER BY 1::text;
SELECT synth_drop('named_rows');
DROP TABLE named_rows;

-- A made-up string is never one of the kept values: codes of an upper-case
-- letter and a digit, A1 and A2 kept (300 rows each), 400 others seen once
-- each (150 with an x after).  Made-up codes of two characters have 260
-- possible values, 2 of them kept; of 20,000 rows about 5,000 are such
-- codes, and by chance about 19 would be A1 and 19 A2, on top of the
-- model's share (seed 2: 20 and 7).  Drawn again on a hit, none is, and
-- balanced blocks hold each kept value to within a row a block (5 blocks)
-- of its share.
CREATE TABLE short_codes AS
SELECT CASE WHEN i < 300 THEN 'A1' WHEN i < 600 THEN 'A2'
            ELSE chr(66 + (i - 600) % 25) || ((i - 600) / 25 % 10)::text || repeat('x', (i - 600) / 250) END AS code
FROM generate_series(0, 999) i;
SELECT count(*) AS rows, count(DISTINCT code) AS codes, count(*) FILTER (WHERE length(code) = 2) AS two_characters
FROM short_codes;
SELECT synth_fit('short_codes');
WITH m AS (SELECT d->>'value' AS code, (d->>'p')::float8 AS p
           FROM synth_model('short_codes') sm, jsonb_array_elements(sm->'columns'->0->'categories') d),
     s AS (SELECT code, count(*) AS n FROM synth_sample(NULL::short_codes, 20000, seed => 2) GROUP BY code)
SELECT m.code, abs(s.n - 20000 * m.p) <= 6 AS count_as_modelled
FROM m JOIN s USING (code) ORDER BY 1;
SELECT synth_drop('short_codes');
DROP TABLE short_codes;
