-- Access per model: a model belongs to the role that fitted it; besides its
-- members, only the roles it is granted to (synth_grant) see it, and only
-- its members may replace, drop, grant or revoke it.  A role may sample a
-- model of a table it cannot read, and still cannot read the table.
\set VERBOSITY terse
SET extra_float_digits = 0;
CREATE TABLE acc_src AS SELECT id, age, height, city FROM people;
CREATE ROLE regress_synth_fitter;
CREATE ROLE regress_synth_analyst;
CREATE ROLE regress_synth_other;
GRANT SELECT ON acc_src TO regress_synth_fitter;
GRANT SELECT, INSERT, UPDATE, DELETE ON synth_models TO regress_synth_fitter, regress_synth_other;
GRANT SELECT ON synth_models TO regress_synth_analyst;

SET ROLE regress_synth_fitter;
SELECT synth_fit('acc_src');
SELECT name, owner, readers FROM synth_models;     -- sees its own model only
RESET ROLE;
SELECT owner, readers FROM synth_models WHERE name = 'acc_src';

-- the fit reads the table as a query of its caller would: row-level
-- security hides rows from the model as well (1,507 of the 3,000 are Oslo's)
ALTER TABLE acc_src ENABLE ROW LEVEL SECURITY;
CREATE POLICY acc_oslo ON acc_src TO regress_synth_fitter USING (city = 'Oslo');
SET ROLE regress_synth_fitter;
SELECT synth_fit('acc_src', model => 'acc_oslo');
RESET ROLE;
SELECT row_count FROM synth_models WHERE name = 'acc_oslo';
SELECT city, count(*) FROM synth_sample(NULL::acc_src, 200, model => 'acc_oslo', seed => 1) GROUP BY city;
SELECT synth_drop('acc_oslo');
DROP POLICY acc_oslo ON acc_src;
ALTER TABLE acc_src DISABLE ROW LEVEL SECURITY;

-- not granted: the analyst cannot sample, inspect or even see the model
\set ON_ERROR_STOP 0
SET ROLE regress_synth_analyst;
SELECT count(*) FROM synth_sample(NULL::acc_src, 10, seed => 1);
SELECT synth_model('acc_src');
SELECT count(*) FROM synth_models;
RESET ROLE;
\set ON_ERROR_STOP 1

-- granted by the fitter: it samples and inspects, and still cannot read
-- the real table, fit it, grant the model on, replace it or drop it
SET ROLE regress_synth_fitter;
SELECT synth_grant('acc_src', 'regress_synth_analyst');
SELECT synth_grant('acc_src', 'regress_synth_analyst');   -- twice is once
RESET ROLE;
SELECT readers FROM synth_models WHERE name = 'acc_src';
SET ROLE regress_synth_analyst;
SELECT count(*) FROM synth_sample(NULL::acc_src, 10, seed => 1);
SELECT synth_model('acc_src')->>'name' AS inspected;
\set ON_ERROR_STOP 0
SELECT count(*) FROM acc_src;
SELECT synth_fit('acc_src', model => 'stolen');
SELECT synth_grant('acc_src', 'regress_synth_other');
SELECT synth_drop('acc_src');
RESET ROLE;

-- another role that may write synth_models cannot replace, drop or grant
-- someone else's model
GRANT SELECT ON people TO regress_synth_other;
SET ROLE regress_synth_other;
SELECT synth_fit('people', model => 'acc_src');
SELECT synth_drop('acc_src');
SELECT synth_grant('acc_src', 'regress_synth_other');
SELECT count(*) FROM synth_sample(NULL::acc_src, 10, seed => 1);
RESET ROLE;
\set ON_ERROR_STOP 1
SELECT count(*) AS still_there FROM synth_models WHERE name = 'acc_src' AND source = 'public.acc_src';

-- revoked: gone again for the analyst
SET ROLE regress_synth_fitter;
SELECT synth_revoke('acc_src', 'regress_synth_analyst');
RESET ROLE;
\set ON_ERROR_STOP 0
SET ROLE regress_synth_analyst;
SELECT count(*) FROM synth_sample(NULL::acc_src, 10, seed => 1);
RESET ROLE;
SELECT synth_grant(NULL, 'regress_synth_analyst');
SELECT synth_grant('no_such_model', 'regress_synth_analyst');
\set ON_ERROR_STOP 1

-- a role since dropped breaks nothing: its models stay readable to others
-- granted them, and to superusers
SET ROLE regress_synth_fitter;
SELECT synth_grant('acc_src', 'regress_synth_analyst');
RESET ROLE;
REVOKE ALL ON acc_src FROM regress_synth_fitter;
REVOKE ALL ON synth_models FROM regress_synth_fitter;
DROP ROLE regress_synth_fitter;
SET ROLE regress_synth_analyst;
SELECT count(*) FROM synth_sample(NULL::acc_src, 10, seed => 1);
RESET ROLE;
SELECT synth_drop('acc_src');
REVOKE ALL ON synth_models FROM regress_synth_analyst, regress_synth_other;
REVOKE ALL ON people FROM regress_synth_other;
DROP ROLE regress_synth_analyst, regress_synth_other;
DROP TABLE acc_src;
