-- Marginal alignment (src/marginal_alignment.c): a model with groups samples
-- each column, all groups together, as the table's own model of it does.
-- Each group learns its columns from its own rows (cuts of at least
-- min_group_size rows, its own pooled values), so the groups' models mixed
-- in their shares only come close to the table's; sampling reads a group's
-- numbers through the mixture's distribution onto the table's quantiles and
-- rescales its category shares (iterative proportional fitting).  With
-- synth.align_marginals off, each group samples its stored models as they
-- are: every check below then fails.

-- Numbers: 7.5 is in 4 rows of each group, so the table keeps it as a value
-- of its own (8 of 400 rows) and neither group does (4 < 5).  20,000 rows
-- should hold it 400 times (binomial sd 20; balanced blocks keep it closer);
-- the groups alone give it only where a range's rounding lands on it.
SELECT setseed(0.3125);
CREATE TABLE align_atom AS
SELECT g, (CASE g WHEN 'A' THEN 0 ELSE 10 END) + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS x,
       CASE WHEN i < 4 THEN 7.5 ELSE round((10 + random() * 90)::numeric, 2)::float8 END AS z
FROM generate_series(0, 199) i, (VALUES ('A'), ('B')) v(g);
SELECT synth_fit('align_atom');
SELECT m->>'grouped_by' AS grouped_by,
       (SELECT d->>'p' FROM jsonb_array_elements(m->'columns'->2->'distribution') d
        WHERE d->>'value' = '7.5') AS table_share_of_7_5,
       (SELECT count(*) FROM jsonb_array_elements(m->'groups') grp,
               jsonb_array_elements(grp->'columns'->2->'distribution') d
        WHERE d->>'value' = '7.5') AS groups_keeping_7_5
FROM synth_model('align_atom') m;
SELECT count(*) FILTER (WHERE z = 7.5) BETWEEN 340 AND 460 AS aligned_7_5_rows,
       count(*) FILTER (WHERE z < 10) BETWEEN 340 AND 460 AS aligned_rows_below_10
FROM synth_sample(NULL::align_atom, 20000, seed => 3);
SET synth.align_marginals = off;
SELECT count(*) FILTER (WHERE z = 7.5) < 100 AS unaligned_7_5_rare
FROM synth_sample(NULL::align_atom, 20000, seed => 3);
RESET synth.align_marginals;
-- the groups keep their own order: a condition on z still holds, and the
-- groups' relation to x is kept
SELECT count(*) AS rows, bool_and(z = 7.5) AS all_7_5
FROM synth_sample(NULL::align_atom, 200, seed => 4, condition => 'z = 7.5');
SELECT abs(avg(x) FILTER (WHERE g = 'A')) < 0.1 AS a_mean_0,
       abs(avg(x) FILTER (WHERE g = 'B') - 10) < 0.1 AS b_mean_10
FROM synth_sample(NULL::align_atom, 20000, seed => 3);
SELECT synth_drop('align_atom');
DROP TABLE align_atom;

-- Categories, on real data: data/movies.csv splits by the tails of its
-- worldwide gross, then by creative type, and some of those groups again (17
-- groups rows come from), and each group keeps and pools
-- its own directors and distributors.  The sample's shares (100,000 rows)
-- against the table model's: the chi-square statistic over its categories
-- and its pooled share has (categories) degrees of freedom for independent
-- rows, so k + 4 sqrt(2k) is far in its tail (balanced blocks make it
-- smaller still).  Without alignment the groups' mixture misses the
-- table's shares by far more than that.
CREATE TEMP TABLE al_movies_csv (title text, us_gross text, worldwide_gross text, us_dvd_sales text,
    production_budget text, release_date text, mpaa_rating text, running_time_min text,
    distributor text, source text, major_genre text, creative_type text, director text,
    rotten_tomatoes_rating text, imdb_rating text, imdb_votes text);
\copy al_movies_csv FROM 'data/movies.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE al_movies AS
SELECT nullif(title, '') AS title, nullif(us_gross, '')::numeric::integer AS us_gross,
       nullif(worldwide_gross, '')::float8 AS worldwide_gross,
       nullif(us_dvd_sales, '')::numeric::integer AS us_dvd_sales,
       nullif(production_budget, '')::numeric::integer AS production_budget,
       nullif(release_date, '')::date AS release_date, nullif(mpaa_rating, '') AS mpaa_rating,
       nullif(running_time_min, '')::numeric::integer AS running_time_min,
       nullif(distributor, '') AS distributor, nullif(source, '') AS source,
       nullif(major_genre, '') AS major_genre, nullif(creative_type, '') AS creative_type,
       nullif(director, '') AS director,
       nullif(rotten_tomatoes_rating, '')::numeric::integer AS rotten_tomatoes_rating,
       nullif(imdb_rating, '')::float8 AS imdb_rating,
       nullif(imdb_votes, '')::numeric::integer AS imdb_votes
FROM al_movies_csv;
SELECT synth_fit('al_movies');
SELECT m->>'grouped_by' AS grouped_by, jsonb_array_length(m->'groups') AS groups
FROM synth_model('al_movies') m;
CREATE FUNCTION al_chi_square(col text, sample_table text) RETURNS TABLE (k int, chi2 float8)
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE format($q$
    WITH model AS (
      SELECT c->>'value' AS value, (c->>'p')::float8 AS p
      FROM synth_model('al_movies') m, jsonb_array_elements(m->'columns') col,
           jsonb_array_elements(col->'categories') c
      WHERE col->>'name' = %L),
    expected AS (
      SELECT value, p FROM model
      UNION ALL SELECT NULL, 1 - (SELECT sum(p) FROM model)),
    observed AS (
      SELECT CASE WHEN %I IN (SELECT value FROM model) THEN %I END AS value, count(*) AS n
      FROM %I WHERE %I IS NOT NULL GROUP BY 1),
    total AS (SELECT sum(n) AS n FROM observed)
    SELECT (count(*) - 1)::int,
           sum((coalesce(o.n, 0) - t.n * e.p) ^ 2 / (t.n * e.p))
    FROM expected e LEFT JOIN observed o ON o.value IS NOT DISTINCT FROM e.value, total t
    WHERE e.p > 0$q$, col, col, col, sample_table, col);
END $$;
CREATE TABLE al_sample AS SELECT * FROM synth_sample(NULL::al_movies, 100000, seed => 8);
SELECT col, k > 20 AS many_categories, chi2 < k + 4 * sqrt(2 * k) AS aligned_shares
FROM unnest(ARRAY['director', 'distributor']) col, al_chi_square(col, 'al_sample');
SET synth.align_marginals = off;
CREATE TABLE al_sample_off AS SELECT * FROM synth_sample(NULL::al_movies, 100000, seed => 8);
RESET synth.align_marginals;
SELECT col, chi2 > k + 4 * sqrt(2 * k) AS unaligned_shares_off
FROM unnest(ARRAY['director', 'distributor']) col, al_chi_square(col, 'al_sample_off');
DROP TABLE al_sample, al_sample_off;

-- Within one balanced block (4,096 rows) each group's categories are
-- stratified, and the row that rounding leaves in each group goes to the
-- categories the groups before it left short: every director, distributor
-- and genre the table keeps is within 2 rows of its expected count (with
-- synth.align_marginals off, drawn group by group with no such care: up to
-- 8, 12 and 21 rows off over the 17 groups).
CREATE TABLE al_block AS SELECT * FROM synth_sample(NULL::al_movies, 4096, seed => 5);
WITH model AS (
  SELECT col->>'name' AS name, c->>'value' AS value, (c->>'p')::float8 AS p
  FROM synth_model('al_movies') m, jsonb_array_elements(m->'columns') col,
       jsonb_array_elements(col->'categories') c
  WHERE col->>'name' IN ('director', 'distributor', 'major_genre')),
sampled AS (
  SELECT name, value FROM al_block,
         LATERAL (VALUES ('director', director), ('distributor', distributor),
                         ('major_genre', major_genre)) v(name, value)
  WHERE value IS NOT NULL),
totals AS (SELECT name, count(*) AS n FROM sampled GROUP BY name)
SELECT m.name, max(abs((SELECT count(*) FROM sampled s WHERE s.name = m.name AND s.value = m.value)
                       - m.p * t.n)) < 2 AS within_2_rows
FROM model m JOIN totals t USING (name) GROUP BY m.name ORDER BY m.name;
DROP TABLE al_block;
DROP FUNCTION al_chi_square(text, text);
SELECT synth_drop('al_movies');
DROP TABLE al_movies;
