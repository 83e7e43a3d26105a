#!/usr/bin/env bash
# Cluster-level tests that pg_regress cannot do: a model survives pg_dump and
# restore (plain and custom format) and a server restart, and synth_models'
# privileges decide who can fit and sample.
#
# Run it with the PG* environment of a throwaway cluster, as a superuser:
#
#     pg_virtualenv -v 15 -- tests/cluster/dump_restore.sh
#
# It prints one TAP line per check ("ok N - ..." / "not ok N - ...") and exits
# non-zero when any check failed.  It makes databases synth_dr_* and roles
# synth_dr_*, and drops them again when it starts.
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
work=$(mktemp -d -t synth-dump.XXXXXX)
trap 'rm -rf "$work"' EXIT

# q DB SQL: run SQL, print the unaligned, tuples-only result; non-zero on error
q() { "${bindir}psql" -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>&1; }
# denied DESCRIPTION DB ROLE TABLE SQL: SQL, run as ROLE, fails with
# "permission denied for table TABLE"
denied() {
  local out
  if out=$(q "$2" "SET ROLE $3; $5"); then
    fail "$1" "no error; got: $out"
  elif grep -q "permission denied for table $4" <<<"$out"; then
    pass "$1"
  else
    fail "$1" "wrong error: $out"
  fi
}
# works DESCRIPTION DB SQL WANT: SQL runs and returns WANT
works() {
  local out
  if out=$(q "$2" "$3"); then is "$1" "$out" "$4"; else fail "$1" "$out"; fi
}

src=synth_dr_src plain=synth_dr_plain custom=synth_dr_custom
sample_md5="SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::t, 50, seed => 7) x"
model_md5="SELECT md5(model) FROM synth_models WHERE name = 't'"
model_json="SELECT md5(synth_model('t')::text)"

# ---- set up: a small deterministic table of several types, and its model
for db in $src $plain $custom; do q postgres "DROP DATABASE IF EXISTS $db" >/dev/null; done
for r in synth_dr_none synth_dr_fitter; do
  q postgres "DROP OWNED BY $r" >/dev/null 2>&1
  q postgres "DROP ROLE IF EXISTS $r" >/dev/null
done
q postgres "CREATE DATABASE $src" >/dev/null
if ! out=$(q $src "
  CREATE EXTENSION synth;
  CREATE TYPE mood AS ENUM ('calm', 'busy', 'tired');
  CREATE TABLE t (id integer, city text, price numeric(8,2), day date, feeling mood, w float8);
  INSERT INTO t
  SELECT i,
         (ARRAY['Oslo', 'Bergen', 'Bergen', 'Tromsø'])[1 + get_byte(decode(md5('c' || i), 'hex'), 0) % 4],
         (get_byte(decode(md5('p' || i), 'hex'), 0) * 256 + get_byte(decode(md5('p' || i), 'hex'), 1)) / 100.0,
         date '2020-01-01' + get_byte(decode(md5('d' || i), 'hex'), 0) * 3,
         (enum_range(NULL::mood))[1 + get_byte(decode(md5('m' || i), 'hex'), 0) % 3],
         CASE WHEN i % 10 = 0 THEN NULL ELSE i * 0.5 + get_byte(decode(md5('w' || i), 'hex'), 0) END
  FROM generate_series(1, 400) AS i;
  SELECT synth_fit('t');"); then
  fail "set up a table and fit it" "$out"
  echo "1..$n"
  exit 1
fi
pass "set up a table of text, numeric, date, enum and float8 and fit it"
want_sample=$(q $src "$sample_md5")
want_model=$(q $src "$model_md5")
want_json=$(q $src "$model_json")
if [ ${#want_sample} = 32 ] && [ ${#want_json} = 32 ]; then
  pass "the model samples and synth_model() reads it"
else
  fail "the model samples and synth_model() reads it" "$want_sample"$'\n'"$want_json"
fi

# ---- dump and restore
# restored FORMAT DB: the model came through whole and samples as before
restored() {
  works "$1: synth_models keeps the model's bytes" "$2" "$model_md5" "$want_model"
  works "$1: the same seed samples the same rows" "$2" "$sample_md5" "$want_sample"
  works "$1: synth_model() gives the same model" "$2" "$model_json" "$want_json"
}

if out=$("${bindir}pg_dump" -d $src -f "$work/plain.sql" 2>&1) &&
   out=$(q postgres "CREATE DATABASE $plain") &&
   out=$("${bindir}psql" -X -q -v ON_ERROR_STOP=1 -d $plain -f "$work/plain.sql" 2>&1 >/dev/null); then
  pass "plain pg_dump restores with psql"
  restored "plain dump" $plain
else
  fail "plain pg_dump restores with psql" "$out"
fi

if out=$("${bindir}pg_dump" -Fc -d $src -f "$work/dump.custom" 2>&1) &&
   out=$(q postgres "CREATE DATABASE $custom") &&
   out=$("${bindir}pg_restore" --exit-on-error -d $custom "$work/dump.custom" 2>&1); then
  pass "custom-format pg_dump restores with pg_restore"
  restored "custom dump" $custom
else
  fail "custom-format pg_dump restores with pg_restore" "$out"
fi

# ---- restart: pg_virtualenv's cluster is $PGVERSION/regress, configured under
# the PG_CLUSTER_CONF_ROOT it exports (/etc/postgresql as root).  Restart it
# only when the server we talk to is that cluster and pg_virtualenv made it.
ver=${PGVERSION:-15}
conf=${PG_CLUSTER_CONF_ROOT:-/etc/postgresql}/$ver/regress
if [ -f "$conf/.by_pg_virtualenv" ] && command -v pg_ctlcluster >/dev/null &&
   [ "$(q postgres 'SHOW config_file')" = "$conf/postgresql.conf" ]; then
  started="SELECT pg_postmaster_start_time()"
  before=$(q postgres "$started")
  if out=$(pg_ctlcluster "$ver" regress restart 2>&1); then
    for _ in $(seq 50); do "${bindir}pg_isready" -q && break; sleep 0.2; done
    after=$(q postgres "$started")
    if [ -n "$before" ] && [ -n "$after" ] && [ "$before" != "$after" ]; then
      pass "the cluster restarts (pg_ctlcluster $ver regress restart)"
    else
      fail "the cluster restarts (pg_ctlcluster $ver regress restart)" \
        "postmaster start time before: $before, after: $after"
    fi
    works "after a restart the same seed samples the same rows" $src "$sample_md5" "$want_sample"
    works "after a restart synth_model() gives the same model" $src "$model_json" "$want_json"
  else
    fail "the cluster restarts (pg_ctlcluster $ver regress restart)" "$out"
  fi
else
  skip "restart: the server is not a pg_virtualenv cluster $ver/regress (run under pg_virtualenv)"
fi

# ---- privileges: synth reads and writes synth_models as the caller
q $src "
  CREATE ROLE synth_dr_none;
  CREATE ROLE synth_dr_fitter;
  GRANT SELECT ON t TO synth_dr_none, synth_dr_fitter;
  GRANT SELECT, INSERT, UPDATE ON synth_models TO synth_dr_fitter;
  CREATE TABLE secret AS SELECT * FROM t;" >/dev/null

denied "without SELECT on synth_models: synth_sample(NULL::t, ...) is denied" \
  $src synth_dr_none synth_models "SELECT count(*) FROM synth_sample(NULL::t, 5)"
denied "without SELECT on synth_models: synth_sample('t', ...) is denied" \
  $src synth_dr_none synth_models "SELECT count(*) FROM synth_sample('t', 5)"
denied "without SELECT on synth_models: synth_model() is denied" \
  $src synth_dr_none synth_models "SELECT synth_model('t')"
denied "without INSERT on synth_models: synth_fit() is denied" \
  $src synth_dr_none synth_models "SELECT synth_fit('t', model => 't_none')"
works "with SELECT on t and SELECT, INSERT, UPDATE on synth_models: synth_fit() works" \
  $src "SET ROLE synth_dr_fitter; SELECT synth_fit('t', model => 't_fitter')" t_fitter
works "... and refitting the same model name (an update) works" \
  $src "SET ROLE synth_dr_fitter; SELECT synth_fit('t', model => 't_fitter')" t_fitter
works "... and synth_sample() and synth_model() work" \
  $src "SET ROLE synth_dr_fitter;
        SELECT count(*) FROM synth_sample(NULL::t, 20, model => 't_fitter', seed => 1)
               WHERE synth_model('t_fitter') IS NOT NULL" 20
denied "without SELECT on the source table: synth_fit() is denied" \
  $src synth_dr_fitter secret "SELECT synth_fit('secret')"

echo "1..$n"
[ "$failed" = 0 ]
