-- Model storage: kept by pg_dump, and a damaged model is an error, not a crash.
\set VERBOSITY terse
\set SHOW_CONTEXT never

-- synth_models is extension configuration: pg_dump keeps its rows
SELECT c.relname FROM pg_extension e, unnest(e.extconfig) AS t(oid) JOIN pg_class c ON c.oid = t.oid
WHERE e.extname = 'synth';
-- and nobody but its owner reads it unless granted
SELECT has_table_privilege('public', 'synth_models', 'SELECT') AS public_can_read;

SELECT synth_fit('people');
SELECT format_version, octet_length(model) < 1000000 AS compact FROM synth_models WHERE name = 'people';
SELECT substr(model, 1, 6) AS header FROM synth_models WHERE name = 'people';
-- stored with lz4 where the server has it (Debian's does), else the default
SELECT a.attcompression = CASE WHEN 'lz4' = ANY (s.enumvals) THEN 'l' ELSE '' END AS lz4_where_available
FROM pg_attribute a, pg_settings s
WHERE a.attrelid = 'synth_models'::regclass AND a.attname = 'model'
  AND s.name = 'default_toast_compression';

-- a copy of the row samples like the original (a model is just a row)
INSERT INTO synth_models (name, source, row_count, columns, format_version, model)
SELECT 'copy', source, row_count, columns, format_version, model FROM synth_models WHERE name = 'people';
SELECT (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 20, model => 'copy', seed => 9) x)
     = (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 20, model => 'people', seed => 9) x) AS copy_samples_alike;

-- a model of format version 1 (synth 0.1.0, before the privacy fields) is
-- still read: the same model written as version 1 (and as version 2, before
-- the hierarchies: 'people' has none, a count of 0 at the end) samples the
-- same rows
INSERT INTO synth_models (name, source, row_count, columns, format_version, model)
SELECT 'v1', source, row_count, columns, 1,
       overlay(overlay(substr(model, 1, octet_length(model) - 4) placing '\x0001'::bytea from 5 for 2)
               placing ''::bytea from 33 for 40)
FROM synth_models WHERE name = 'people';
INSERT INTO synth_models (name, source, row_count, columns, format_version, model)
SELECT 'v2', source, row_count, columns, 2,
       overlay(substr(model, 1, octet_length(model) - 4) placing '\x0002'::bytea from 5 for 2)
FROM synth_models WHERE name = 'people';
SELECT substr(model, octet_length(model) - 3) AS no_hierarchies FROM synth_models WHERE name = 'people';
SELECT (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 20, model => 'v2', seed => 9) x)
     = (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 20, model => 'people', seed => 9) x) AS v2_samples_alike;
SELECT synth_drop('v2');
SELECT (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 20, model => 'v1', seed => 9) x)
     = (SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::people, 20, model => 'people', seed => 9) x) AS v1_samples_alike,
       synth_model('v1')->'differential_privacy' AS v1_privacy;
SELECT synth_drop('v1');

-- damage it in every way the reader checks
CREATE FUNCTION damage(how text, m bytea) RETURNS bytea LANGUAGE sql AS $$
  SELECT CASE how
    WHEN 'magic' THEN overlay(m placing '\x58'::bytea from 1 for 1)
    WHEN 'version' THEN overlay(m placing '\x0063'::bytea from 5 for 2)
    WHEN 'reserved' THEN overlay(m placing '\x0001'::bytea from 7 for 2)
    WHEN 'truncated' THEN substr(m, 1, octet_length(m) / 2)
    WHEN 'trailing' THEN m || '\x00'::bytea
    WHEN 'empty' THEN ''::bytea
    WHEN 'epsilon' THEN overlay(m placing '\xbff0000000000000'::bytea from 33 for 8)  -- -1.0
    WHEN 'delta' THEN overlay(m placing '\x3ff0000000000000'::bytea from 41 for 8)    -- 1.0
    WHEN 'ncolumns' THEN overlay(m placing '\x7fffffff'::bytea from 73 for 4)
    WHEN 'zero_columns' THEN overlay(m placing '\x00000000'::bytea from 73 for 4)
    WHEN 'mgs' THEN overlay(m placing '\x00000000'::bytea from 13 for 4)
    WHEN 'encoding' THEN overlay(m placing '\x7fffffff'::bytea from 9 for 4)
    WHEN 'name_length' THEN overlay(m placing '\x7ffffff0'::bytea from 77 for 4)
  END $$;
CREATE TABLE damages (how text);
INSERT INTO damages VALUES ('magic'), ('version'), ('reserved'), ('truncated'), ('trailing'),
  ('empty'), ('ncolumns'), ('zero_columns'), ('mgs'), ('name_length'), ('encoding'),
  ('epsilon'), ('delta');

DO $$
DECLARE
  d record;
  msg text;
  state text;
BEGIN
  FOR d IN SELECT how FROM damages ORDER BY how LOOP
    UPDATE synth_models SET model = damage(d.how, (SELECT model FROM synth_models WHERE name = 'people'))
    WHERE name = 'copy';
    BEGIN
      PERFORM count(*) FROM synth_sample(NULL::people, 5, model => 'copy');
      RAISE NOTICE '%: no error', d.how;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
      RAISE NOTICE '%: % %', d.how, state, msg;
    END;
    BEGIN
      PERFORM synth_model('copy');
      RAISE NOTICE '%: synth_model no error', d.how;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
      RAISE NOTICE '%: synth_model %', d.how, state;
    END;
  END LOOP;
END $$;

-- single-byte changes spread over the whole model (400 of them) are caught or
-- harmless: never a crash
DO $$
DECLARE
  good bytea := (SELECT model FROM synth_models WHERE name = 'people');
  i integer;
  errors integer := 0;
  fine integer := 0;
BEGIN
  FOR i IN 1 .. octet_length(good) BY greatest(1, octet_length(good) / 400) LOOP
    UPDATE synth_models SET model = set_byte(good, i - 1, (get_byte(good, i - 1) + 101) % 256)
    WHERE name = 'copy';
    BEGIN
      PERFORM count(*) FROM synth_sample(NULL::people, 3, model => 'copy', seed => 1);
      fine := fine + 1;
    EXCEPTION WHEN OTHERS THEN
      errors := errors + 1;
    END;
  END LOOP;
  RAISE NOTICE 'byte flips: % errors, % sampled, no crash', CASE WHEN errors > 0 THEN 'some' ELSE 'no' END,
    CASE WHEN fine > 0 THEN 'some' ELSE 'none' END;
END $$;
SELECT synth_drop('copy');

-- a quantile piece from -DBL_MAX to DBL_MAX has finite ends but no finite
-- width (it would sample NaN, and a string length cast from NaN wrote far
-- outside its buffer): the reader refuses it
CREATE TABLE wide_piece (x float8);
INSERT INTO wide_piece SELECT i FROM generate_series(1, 20) i;
SELECT synth_fit('wide_piece');
SELECT synth_model('wide_piece')->'columns'->0->'distribution'->1 AS piece;
UPDATE synth_models SET model = overlay(model placing '\xffefffffffffffff7fefffffffffffff'::bytea
                                        from position('\x40160000000000004025000000000000'::bytea in model) for 16)
WHERE name = 'wide_piece';
SELECT count(*) FROM synth_sample(NULL::wide_piece, 5);
SELECT synth_drop('wide_piece');

-- strings are in the encoding of the database the model was fitted in: a
-- model from a LATIN1 database (as after restoring a dump of synth_models
-- into a UTF8 one) is converted, and bytes that are not valid text are a
-- damaged model, never invalid text in the sampled rows
CREATE TABLE towns (town text);
INSERT INTO towns SELECT CASE WHEN i % 2 = 0 THEN 'Zürich' ELSE 'Bern' END FROM generate_series(1, 20) i;
SELECT synth_fit('towns');
SELECT getdatabaseencoding();
INSERT INTO synth_models (name, source, row_count, columns, format_version, model)
SELECT 'towns_latin1', source, row_count, columns, format_version,
       overlay(model placing '\x00000008'::bytea from 9 for 4)   -- 8 = LATIN1
FROM synth_models WHERE name = 'towns';
SELECT DISTINCT town FROM synth_sample(NULL::towns, 50, model => 'towns_latin1', seed => 1) ORDER BY 1;
UPDATE synth_models m SET model = (SELECT overlay(model placing '\xc3'::bytea from position('Bern'::bytea in model) for 1)
                                   FROM synth_models WHERE name = 'towns')
WHERE name = 'towns_latin1';
SELECT count(*) FROM synth_sample(NULL::towns, 5, model => 'towns_latin1');
SELECT synth_drop('towns_latin1');
