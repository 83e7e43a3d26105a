-- Fixtures shared by the regression tests: deterministic tables built from
-- md5-based pseudo-random numbers (no random(), so every run is the same).
\set VERBOSITY terse
SET extra_float_digits = 0;
CREATE EXTENSION synth;

-- uniform in (0, 1) from an integer and a salt
CREATE FUNCTION fixture_u(i integer, salt text) RETURNS float8
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT ((('x' || substr(md5(salt || i::text), 1, 8))::bit(32)::integer)::float8
                  + 2147483648.5) / 4294967296.0 $$;

-- standard normal (Box-Muller)
CREATE FUNCTION fixture_z(i integer, salt text) RETURNS float8
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT sqrt(-2 * ln(fixture_u(i, salt || 'a'))) * cos(2 * pi() * fixture_u(i, salt || 'b')) $$;

CREATE TYPE mood AS ENUM ('calm', 'busy', 'tired');

-- 3000 people: a bivariate normal pair (height, weight, rho = 0.7), a
-- categorical with a rare tail, NULLs tied to age, and every supported type.
CREATE TABLE people (
    id          integer PRIMARY KEY,
    age         smallint NOT NULL,
    height      double precision,
    weight      double precision,
    income      numeric(10,2),
    city        text,
    active      boolean,
    visits      bigint,
    ratio       real,
    born        date,
    seen_at     timestamp,
    updated     timestamptz,
    code        varchar(6),
    grade       char(2),
    token       uuid,
    feeling     mood,
    name        text
);
INSERT INTO people
SELECT i,
       greatest(18, least(90, round(50 + 15 * fixture_z(i, 'age'))))::smallint,
       round((170 + 10 * fixture_z(i, 'h'))::numeric, 1)::float8,
       round((70 + 12 * (0.7 * fixture_z(i, 'h') + sqrt(1 - 0.49) * fixture_z(i, 'w')))::numeric, 1)::float8,
       CASE WHEN 50 + 15 * fixture_z(i, 'age') < 30 THEN NULL
            ELSE round((30000 + 20000 * fixture_u(i, 'inc'))::numeric, 2) END,
       CASE WHEN fixture_u(i, 'c') < 0.5 THEN 'Oslo'
            WHEN fixture_u(i, 'c') < 0.8 THEN 'Bergen'
            WHEN fixture_u(i, 'c') < 0.95 THEN 'Trondheim'
            WHEN fixture_u(i, 'c') < 0.97 THEN NULL
            ELSE 'Village ' || i END,                -- 3% seen once each
       fixture_u(i, 'act') < 0.7,
       floor(-10 * ln(fixture_u(i, 'v')))::bigint,
       round(fixture_u(i, 'r')::numeric, 3)::real,
       date '1950-01-01' + (fixture_u(i, 'b') * 20000)::integer,
       timestamp '2024-01-01' + fixture_u(i, 's') * interval '365 days',
       timestamptz '2024-06-01 00:00+00' + fixture_u(i, 'up') * interval '30 days',
       CASE WHEN fixture_u(i, 'cd') < 0.6 THEN 'A1' ELSE 'B22' END,
       CASE WHEN fixture_u(i, 'g') < 0.5 THEN 'x' ELSE 'yz' END,
       md5('t' || i)::uuid,
       (ARRAY['calm', 'busy', 'tired'])[1 + floor(3 * fixture_u(i, 'm'))::integer]::mood,
       initcap(translate(substr(md5('n' || i), 1, 5), '0123456789', 'aeioulnrst')) || ' ' ||
           initcap(translate(substr(md5('s' || i), 1, 7), '0123456789', 'aeioulnrst'))
FROM generate_series(1, 3000) AS i;

SELECT count(*), count(income), count(city) FROM people;
