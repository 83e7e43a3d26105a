-- synth 0.1.0 -> 0.2.0.  The model format is unchanged: models fitted with
-- 0.1.0 keep sampling the same rows.
\echo Use "ALTER EXTENSION synth UPDATE TO '0.2.0'" to load this file. \quit
