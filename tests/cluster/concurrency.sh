#!/usr/bin/env bash
# Fitting alongside use: a refit in progress does not block sampling of the
# model it replaces (MVCC: samplers see the committed model until the refit
# commits), and two concurrent fits of one model end with one consistent
# model (the later committer's; the second waits for the first's row lock).
# A session that keeps a prepared sampler sees another session's refit at
# its next call.
#
# Run it with the PG* environment of a throwaway cluster, as a superuser:
#
#     pg_virtualenv -v 15 -- tests/cluster/concurrency.sh
#
# Prints TAP lines and exits non-zero when any check failed.  It makes the
# database synth_cc and drops it when it starts.
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
q() { "${bindir}psql" -X -q -At -v ON_ERROR_STOP=1 -d synth_cc -c "$1" 2>&1; }
# sample_md5 MODEL: the md5 of 200 rows of MODEL with seed 1
sample_md5() { q "SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::a, 200, model => '$1', seed => 1) x"; }
# wait_sleeping: until a session of synth_cc sits in pg_sleep
wait_sleeping() {
  for _ in $(seq 1 100); do
    [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = 'synth_cc' AND query LIKE '%pg_sleep%' AND wait_event = 'PgSleep'")" -ge 1 ] && return 0
    sleep 0.1
  done
  return 1
}

"${bindir}psql" -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS synth_cc" -c "CREATE DATABASE synth_cc" >/dev/null
out=$(q "CREATE EXTENSION synth;
  CREATE TABLE a AS SELECT i AS id, (i % 7)::text AS k, (i * 37 % 101)::float8 AS x FROM generate_series(1, 100) i;
  CREATE TABLE b AS SELECT i AS id, (i % 5)::text AS k, (i * 13 % 97)::float8 AS x FROM generate_series(1, 200) i;
  SELECT synth_fit('a', model => 'm'); SELECT synth_fit('a', model => 'fresh_a'); SELECT synth_fit('b', model => 'fresh_b');")
if [ $? -eq 0 ]; then pass "set up tables a (100 rows), b (200 rows) and models"; else fail "set up" "$out"; fi
md5_a=$(sample_md5 fresh_a)
md5_b=$(sample_md5 fresh_b)
[ "$md5_a" != "$md5_b" ] && pass "models of a and of b sample different rows" || fail "models of a and b differ" "$md5_a"

# 1. a refit in an open transaction does not block sampling
"${bindir}psql" -X -q -d synth_cc -c "BEGIN; SELECT synth_fit('b', model => 'm'); SELECT pg_sleep(4); COMMIT;" >/dev/null 2>&1 &
refit=$!
if wait_sleeping; then pass "a refit of m from b is in progress (its transaction open)"; else fail "refit in progress"; fi
got=$(q "SET statement_timeout = '2s'; SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::a, 200, model => 'm', seed => 1) x")
is "sampling m meanwhile does not wait (statement_timeout 2s) and sees the committed model (of a)" "$got" "$md5_a"
got=$(q "SET statement_timeout = '2s'; SELECT synth_model('m')->>'rows_read'")
is "synth_model(m) meanwhile shows the committed model" "$got" "100"
wait $refit
is "after the refit commits, m samples the model of b" "$(sample_md5 m)" "$md5_b"

# 2. two concurrent fits of one (new) model name
"${bindir}psql" -X -q -d synth_cc -c "BEGIN; SELECT synth_fit('a', model => 'm2'); SELECT pg_sleep(2); COMMIT;" >/dev/null 2>&1 &
first=$!
wait_sleeping || fail "first fit of m2 in progress"
out=$(q "SELECT synth_fit('b', model => 'm2')")
second=$?
wait $first
first_status=$?
if [ $first_status -eq 0 ] && [ $second -eq 0 ]; then pass "two concurrent fits of m2 both succeed"; else fail "two concurrent fits of m2 both succeed" "$out"; fi
is "m2 is one row of synth_models" "$(q "SELECT count(*) FROM synth_models WHERE name = 'm2'")" "1"
is "m2 is the later committer's model, whole: source, row count and rows all of b" \
  "$(q "SELECT source || ' ' || row_count FROM synth_models WHERE name = 'm2'") $(sample_md5 m2)" "public.b 200 $md5_b"

# 3. a refit that fails leaves the model readable by others at every moment
out=$(q "SELECT synth_fit('a', model => 'm2', min_group_size => 0)")
is "a failed refit of m2 leaves it as it was" "$(sample_md5 m2)" "$md5_b"

# 4. a session that keeps its sampler (src/sampler_cache.c) sees another
#    session's refit at its next call: the same session samples m, sleeps
#    while another refits m from b and commits, and samples m again
q "SELECT synth_fit('a', model => 'm3')" >/dev/null
( sleep 1; q "SELECT synth_fit('b', model => 'm3')" >/dev/null ) &
refit=$!
out=$("${bindir}psql" -X -q -At -v ON_ERROR_STOP=1 -d synth_cc \
  -c "SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::a, 200, model => 'm3', seed => 1) x" \
  -c "SELECT count(*) FROM pg_backend_memory_contexts WHERE name = 'synth sampler'" \
  -c "SELECT pg_sleep(3)" \
  -c "SELECT md5(string_agg(x::text, '|')) FROM synth_sample(NULL::a, 200, model => 'm3', seed => 1) x" 2>&1)
wait $refit
is "one session: m3 (of a), its sampler kept, then after another session's refit m3 of b" \
  "$(echo $out)" "$md5_a 1 $md5_b"

"${bindir}psql" -X -q -d postgres -c "DROP DATABASE synth_cc" >/dev/null
echo "1..$n"
exit $failed
