-- synth demo: fit the Palmer penguins once, sample 10,000 synthetic penguins,
-- and compare them with the real ones side by side.
-- demo/run loads the table (data/load penguins) and runs this file in a
-- throwaway cluster; by hand: psql -X -f demo/demo.sql after data/load penguins.
\set ON_ERROR_STOP on
\set QUIET on
\pset null '(null)'
\pset footer off
SET client_min_messages = warning;

\echo
\echo '== The real table: 344 penguins from the Palmer Archipelago'
SELECT * FROM penguins LIMIT 5;

\echo '== Fit once, then sample 10,000 rows of type penguins (seed 42: the same rows every time)'
CREATE EXTENSION IF NOT EXISTS synth;
DROP TABLE IF EXISTS penguins_synth;
\timing on
\echo 'fit:'
SELECT synth_fit('penguins');
\echo 'sample of 10,000 rows:'
CREATE TABLE penguins_synth AS
    SELECT * FROM synth_sample(NULL::penguins, 10000, seed => 42);
\timing off

\echo
\echo '== 10 synthetic penguins'
SELECT * FROM penguins_synth LIMIT 10;

-- Both tables in one, tagged, for the comparisons below.
CREATE TEMP VIEW both_tables AS
    SELECT 'real' AS src, * FROM penguins
    UNION ALL
    SELECT 'synth', * FROM penguins_synth;

\echo '== Rows'
SELECT count(*) FILTER (WHERE src = 'real')  AS real,
       count(*) FILTER (WHERE src = 'synth') AS synth
FROM both_tables;

\echo '== Numeric columns: real vs synthetic'
SELECT col AS "column",
       round(avg(v) FILTER (WHERE src = 'real')::numeric, 1)            AS "mean real",
       round(avg(v) FILTER (WHERE src = 'synth')::numeric, 1)           AS "mean synth",
       round(stddev(v) FILTER (WHERE src = 'real')::numeric, 1)         AS "sd real",
       round(stddev(v) FILTER (WHERE src = 'synth')::numeric, 1)        AS "sd synth",
       min(v) FILTER (WHERE src = 'real')                               AS "min real",
       min(v) FILTER (WHERE src = 'synth')                              AS "min synth",
       max(v) FILTER (WHERE src = 'real')                               AS "max real",
       max(v) FILTER (WHERE src = 'synth')                              AS "max synth",
       round(100.0 * count(*) FILTER (WHERE src = 'real' AND v IS NULL)
             / count(*) FILTER (WHERE src = 'real'), 1)                 AS "null % real",
       round(100.0 * count(*) FILTER (WHERE src = 'synth' AND v IS NULL)
             / count(*) FILTER (WHERE src = 'synth'), 1)                AS "null % synth"
FROM both_tables,
     LATERAL (VALUES (1, 'beak_length_mm',    beak_length_mm),
                     (2, 'beak_depth_mm',     beak_depth_mm),
                     (3, 'flipper_length_mm', flipper_length_mm),
                     (4, 'body_mass_g',       body_mass_g)) AS x(ord, col, v)
GROUP BY ord, col
ORDER BY ord;

\echo '== Categorical columns: share of rows in %, real vs synthetic'
\echo '   (a value seen in fewer than 5 real rows, such as sex ".", is never stored, so never sampled)'
SELECT col AS "column",
       coalesce(value, '(null)') AS value,
       round(100.0 * count(*) FILTER (WHERE src = 'real')
             / sum(count(*) FILTER (WHERE src = 'real')) OVER (PARTITION BY col), 1)  AS "real %",
       round(100.0 * count(*) FILTER (WHERE src = 'synth')
             / sum(count(*) FILTER (WHERE src = 'synth')) OVER (PARTITION BY col), 1) AS "synth %"
FROM both_tables,
     LATERAL (VALUES (1, 'species', species),
                     (2, 'island',  island),
                     (3, 'sex',     sex)) AS x(ord, col, value)
GROUP BY ord, col, value
ORDER BY ord, value NULLS LAST;

\echo '== Species by island (joint shares in %): categories that go together'
SELECT species, island,
       round(100.0 * count(*) FILTER (WHERE src = 'real')
             / sum(count(*) FILTER (WHERE src = 'real')) OVER (), 1)  AS "real %",
       round(100.0 * count(*) FILTER (WHERE src = 'synth')
             / sum(count(*) FILTER (WHERE src = 'synth')) OVER (), 1) AS "synth %"
FROM both_tables
GROUP BY species, island
ORDER BY species NULLS LAST, island NULLS LAST;

\echo '== Correlations: real vs synthetic'
SELECT pair,
       round(corr(x, y) FILTER (WHERE src = 'real')::numeric, 2)  AS real,
       round(corr(x, y) FILTER (WHERE src = 'synth')::numeric, 2) AS synth
FROM both_tables,
     LATERAL (VALUES (1, 'beak_length_mm ~ flipper_length_mm', beak_length_mm, flipper_length_mm::float8),
                     (2, 'flipper_length_mm ~ body_mass_g', flipper_length_mm::float8, body_mass_g::float8),
                     (3, 'beak_length_mm ~ beak_depth_mm', beak_length_mm, beak_depth_mm)) AS p(ord, pair, x, y)
GROUP BY ord, pair
ORDER BY ord;

\echo '== Beak length ~ beak depth within each species (negative overall, positive within: Simpson''s paradox)'
SELECT species,
       round(corr(beak_length_mm, beak_depth_mm) FILTER (WHERE src = 'real')::numeric, 2)  AS real,
       round(corr(beak_length_mm, beak_depth_mm) FILTER (WHERE src = 'synth')::numeric, 2) AS synth
FROM both_tables
WHERE species IS NOT NULL
GROUP BY species
ORDER BY species;

\echo '== Privacy: synthetic rows that are an exact copy of a real penguin'
SELECT count(*) AS "exact copies",
       round(100.0 * count(*) / (SELECT count(*) FROM penguins_synth), 2) AS "% of synthetic rows"
FROM penguins_synth s
WHERE EXISTS (SELECT 1 FROM penguins p WHERE (p.*) IS NOT DISTINCT FROM (s.*));
