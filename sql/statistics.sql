-- Statistical checks with a fixed seed.  Tolerances are four standard
-- errors of the synthetic sample (n = 20000) unless said otherwise: a
-- correct model fails one of these checks far less than once in 10,000 runs.
\set VERBOSITY terse
SET extra_float_digits = 0;
SELECT synth_fit('people');
CREATE TEMP TABLE syn AS SELECT * FROM synth_sample(NULL::people, 20000, seed => 2024);

-- means: |mean_syn - mean_real| < 4 sd / sqrt(n)
WITH r AS (SELECT avg(height) mh, stddev(height) sh, avg(weight) mw, stddev(weight) sw,
                  avg(age) ma, stddev(age) sa, avg(income) mi, stddev(income) si FROM people),
     s AS (SELECT avg(height) mh, avg(weight) mw, avg(age) ma, avg(income) mi, count(*) n FROM syn)
SELECT abs(s.mh - r.mh) < 4 * r.sh / sqrt(s.n) AS height_mean,
       abs(s.mw - r.mw) < 4 * r.sw / sqrt(s.n) AS weight_mean,
       abs(s.ma - r.ma) < 4 * r.sa / sqrt(s.n) AS age_mean,
       abs(s.mi - r.mi) < 4 * r.si / sqrt(count_i.n) AS income_mean
FROM r, s, (SELECT count(income) n FROM syn) count_i;

-- quantiles, distribution-free: the share of synthetic values below the
-- real q-quantile is q within 4 sqrt(q (1 - q) / n)
WITH q(p) AS (VALUES (0.1), (0.25), (0.5), (0.75), (0.9)),
     rq AS (SELECT p, percentile_cont(p) WITHIN GROUP (ORDER BY height) AS h,
                   percentile_cont(p) WITHIN GROUP (ORDER BY visits) AS v,
                   percentile_disc(p) WITHIN GROUP (ORDER BY born) AS b
            FROM q, people GROUP BY p)
SELECT p,
       abs((SELECT avg((height <= h)::int) FROM syn) - p) < 4 * sqrt(p * (1 - p) / 20000) AS height_q,
       (SELECT avg((born <= b)::int) FROM syn) BETWEEN p - 4 * sqrt(p * (1 - p) / 20000) - 1.0 / 3000
                                                   AND p + 4 * sqrt(p * (1 - p) / 20000) + 1.0 / 3000 AS born_q
FROM rq ORDER BY p;

-- a discrete column: the share of each small count matches
WITH r AS (SELECT visits, count(*)::float8 / 3000 AS p FROM people WHERE visits < 5 GROUP BY 1),
     s AS (SELECT visits, count(*)::float8 / 20000 AS p FROM syn WHERE visits < 5 GROUP BY 1)
SELECT r.visits, abs(s.p - r.p) < 4 * sqrt(r.p * (1 - r.p) / 20000) + 4 * sqrt(r.p * (1 - r.p) / 3000) AS share_ok
FROM r JOIN s USING (visits) ORDER BY 1;

-- NULL rates
SELECT abs(avg((income IS NULL)::int) - (SELECT avg((income IS NULL)::int) FROM people))
         < 4 * sqrt(0.085 * 0.915 / 20000) AS income_null_rate,
       abs(avg((city IS NULL)::int) - (SELECT avg((city IS NULL)::int) FROM people))
         < 4 * sqrt(0.022 * 0.978 / 20000) AS city_null_rate
FROM syn;

-- category frequencies: kept categories share the rare cities' 3 % (pooled,
-- shown as made-up strings) so each is compared with its share among all
-- non-NULL real values
WITH r AS (SELECT city, count(*)::float8 / (SELECT count(city) FROM people) AS p FROM people GROUP BY city),
     s AS (SELECT city, count(*)::float8 / (SELECT count(city) FROM syn) AS p FROM syn GROUP BY city)
SELECT city, abs(s.p - r.p) < 4 * sqrt(r.p * (1 - r.p) / 20000) + 4 * sqrt(r.p * (1 - r.p) / 3000) AS share_ok
FROM r JOIN s USING (city) ORDER BY city;
SELECT abs(avg(active::int) - (SELECT avg(active::int) FROM people)) < 4 * sqrt(0.21 / 20000) AS active_share
FROM syn;

-- dependence: the bivariate normal pair keeps its correlation (rho = 0.7;
-- the standard error of r is about (1 - rho^2) / sqrt(n), from the real
-- table's 3000 rows and the sample's 20000)
SELECT round(corr(height, weight)::numeric, 1) AS real_corr FROM people;
SELECT abs(corr(height, weight) - (SELECT corr(height, weight) FROM people))
         < 4 * (1 - 0.49) * (1 / sqrt(3000) + 1 / sqrt(20000)) AS corr_recovered,
       corr(height, age) BETWEEN -0.05 AND 0.05 AS independent_stays_independent
FROM syn;

-- missingness tied to another column: income is NULL only for the young;
-- the Gaussian copula keeps part of it (the real share is 1 among age < 30)
SELECT avg((income IS NULL)::int) FILTER (WHERE age < 30) > 2 * avg((income IS NULL)::int) AS null_follows_age
FROM syn;

-- NULLs that have nothing to do with the other columns do not weaken the
-- correlation between the values (pairwise estimation): a 0.6 pair with 20%
-- of one side missing at random
CREATE TABLE pairs AS
SELECT i, 50 + 15 * fixture_z(i, 'pa') AS x,
       CASE WHEN fixture_u(i, 'pm') < 0.2 THEN NULL
            ELSE 1 + 0.3 * (0.6 * fixture_z(i, 'pa') + 0.8 * fixture_z(i, 'pb')) END AS y
FROM generate_series(1, 3000) i;
SELECT synth_fit('pairs');
SELECT abs(corr(x, y) - (SELECT corr(x, y) FROM pairs)) < 4 * (1 - 0.36) * (1 / sqrt(2400) + 1 / sqrt(16000)) AS corr_kept_with_nulls,
       abs(avg((y IS NULL)::int) - 0.2) < 4 * sqrt(0.16 / 20000) + 4 * sqrt(0.16 / 3000) AS null_rate_kept
FROM synth_sample(NULL::pairs, 20000, seed => 5);
