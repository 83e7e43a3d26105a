#!/usr/bin/env bash
# A fit is repeatable: the same rows give the same model, also for a table
# large enough for synchronized sequential scans (over a quarter of
# shared_buffers), where a scan starts wherever another scan of the table
# has got to.  A cursor reads part of the table and stops; a fit after it
# must still learn the model the fit before it learnt.
#
# Run it with the PG* environment of a throwaway cluster, as a superuser:
#
#     pg_virtualenv -v 15 -- tests/cluster/repeatable_fit.sh
#
# Prints TAP lines and exits non-zero when any check failed.  It makes the
# database synth_rf and drops it when it starts and when it ends.
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
q() { "${bindir}psql" -X -q -At -v ON_ERROR_STOP=1 -d synth_rf -c "$1" 2>&1; }
fresh() { "${bindir}psql" -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS synth_rf" "$@" >/dev/null; }

fresh -c "CREATE DATABASE synth_rf"
# rows of about 250 bytes: half as many again as a quarter of shared_buffers holds
rows=$(q "SELECT ceil(1.5 * pg_size_bytes(current_setting('shared_buffers')) / 4 / 250)::bigint")
out=$(q "CREATE EXTENSION synth;
  CREATE TABLE big AS SELECT i AS id, (i % 13)::text AS k, (i * 7919 % 100003)::float8 AS x,
                             repeat('p', 200) AS pad
                      FROM generate_series(1, $rows) i;")
if [ $? -eq 0 ]; then pass "a table of $rows rows"; else fail "set up" "$out"; fi
big=$(q "SELECT pg_relation_size('big') > pg_size_bytes(current_setting('shared_buffers')) / 4")
is "it is larger than a quarter of shared_buffers (synchronized scans apply)" "$big" "t"

# fit_sample_rows 1000: the reservoir keeps 1,000 rows, so which rows it
# keeps depends on the order they come in
fit_md5() {
  q "SET synth.fit_sample_rows = 1000; SELECT synth_fit('big', model => '$1', exclude => ARRAY['pad']);
     SELECT md5(model) FROM synth_models WHERE name = '$1';" | tail -1
}
first=$(fit_md5 m1)
again=$(fit_md5 m2)
is "two fits in a row learn the same model" "$again" "$first"

# a cursor reads part of the table and stops: synchronized scans now start there
q "BEGIN; DECLARE c CURSOR FOR SELECT id FROM big; FETCH 50000 FROM c; CLOSE c; COMMIT;" >/dev/null
start=$(q "SELECT id FROM big LIMIT 1")
if [ "$start" != 1 ]; then
  pass "a plain scan now starts past the first row (at id $start): the case is live"
else
  fail "a plain scan still starts at the first row: this cluster does not show the case"
fi
q "BEGIN; DECLARE c CURSOR FOR SELECT id FROM big; FETCH 50000 FROM c; CLOSE c; COMMIT;" >/dev/null
after=$(fit_md5 m3)
is "a fit after a partial scan learns the same model" "$after" "$first"

fresh
echo "1..$n"
exit $failed
