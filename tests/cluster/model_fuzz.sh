#!/usr/bin/env bash
# A damaged model is an error, never a crash: model_deserialize()
# (src/model_store.c) reads the bytes of synth_models.model as untrusted
# input.  sql/storage.sql damages one small model by hand in the ways the
# reader checks; this script fuzzes models that use every part of the format
# (groups three levels deep, a hierarchy, integer and text keys, made-up
# strings, a differentially private fit, numeric, date, timestamp, boolean,
# enum and uuid columns) with a fixed-seed generator: single-byte changes,
# bytes set to 0x00 or 0xff, truncation, a 4-byte field overwritten with
# 0x7fffffff (at offsets that hold a small int32, a count, length or index,
# and at random ones), and such a small int32 made one more or one less, 0,
# -1 or -2 (an index off by one).  Each damaged copy is a row of synth_models
# of its own; one psql session (ON_ERROR_STOP off, statement_timeout 5s)
# samples it with and without the row type and reads it with synth_model().
# The checks: the server never restarted, nothing hit the timeout, every
# error is a clean one of the kinds a damaged model may give (data_corrupted
# above all; never an internal error, out of memory or a huge allocation
# request), and every truncated copy is refused as data_corrupted.  Copies
# that still sample (a changed bit of a float can be harmless) are counted in
# a "# " line.
#
# The positions come from md5 of the model name, the kind of damage and a
# counter, so the same models get the same damage on every run; only the
# differentially private model differs from run to run (its noise comes from
# the operating system, not a seed), so its copies do too.
#
# Run it with the PG* environment of a throwaway cluster, as a superuser:
#
#     pg_virtualenv -v 15 -- tests/cluster/model_fuzz.sh
#
# Prints TAP lines and exits non-zero when any check failed.  It makes the
# database synth_fz and drops it when it starts and when it ends (but keeps it
# when a check failed, to look at the damaged models).  About 6 seconds on a
# 2-core machine.
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d -t synth-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
db=synth_fz
q() { "${bindir}psql" -X -q -At -v ON_ERROR_STOP=1 -d $db -c "$1" 2>&1; }
fresh() { "${bindir}psql" -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" "$@" >/dev/null; }
# the server's log, where a crash is reported (pg_virtualenv's, as root or not)
server_log() {
  local f
  for f in "$(dirname "${PG_CLUSTER_CONF_ROOT:-/nonexistent/x}")/log/postgresql-${PGVERSION:-15}-regress.log" \
           "/var/log/postgresql/postgresql-${PGVERSION:-15}-regress.log"; do
    if [ -r "$f" ]; then echo "$f"; return 0; fi
  done
  return 1
}
log_lines_before=0
if log=$(server_log); then log_lines_before=$(wc -l <"$log"); fi

# ---- set up: tables, and one model of each part of the format
fresh -c "CREATE DATABASE $db"
if ! out=$(PGDATABASE=$db "$top/data/load" movies patients 2>&1); then
  fail "load movies and patients (data/load)" "$out"
  echo "1..$n"
  exit 1
fi
# places: 12 cities of 10 rows in 3 states (city fixes state, as in
# sql/hierarchy.sql); codes: a text primary key; kinds: numeric, date,
# timestamp, boolean, enum, uuid and text with rare values (made-up strings)
if ! out=$(q "
  CREATE EXTENSION synth;
  CREATE TABLE places AS
  SELECT 'city' || c AS city, 'S' || (c % 3) AS state,
         (c % 3) * 10 + get_byte(decode(md5('x' || c || '.' || i), 'hex'), 0) / 64.0 AS x
  FROM generate_series(0, 11) c, generate_series(1, 10) i;
  CREATE TABLE codes (code text PRIMARY KEY, qty integer, shelf text);
  INSERT INTO codes
  SELECT chr(65 + i % 26) || chr(65 + i / 26 % 26) || lpad((i * 37 % 1000)::text, 3, '0'),
         get_byte(decode(md5('q' || i), 'hex'), 0), 'shelf ' || (i % 4)
  FROM generate_series(1, 300) i;
  CREATE TYPE mood AS ENUM ('calm', 'busy', 'tired');
  CREATE TABLE kinds (price numeric(8,2), day date, seen timestamp, active boolean,
                      feeling mood, ref uuid, name varchar(20), w float8);
  INSERT INTO kinds
  SELECT (get_byte(decode(md5('p' || i), 'hex'), 0) * 256 + get_byte(decode(md5('p' || i), 'hex'), 1)) / 100.0,
         date '2020-01-01' + get_byte(decode(md5('d' || i), 'hex'), 0) * 3,
         timestamp '2021-06-01' + get_byte(decode(md5('t' || i), 'hex'), 0) * interval '17 minutes',
         CASE WHEN i % 7 = 0 THEN NULL ELSE get_byte(decode(md5('a' || i), 'hex'), 0) < 100 END,
         (enum_range(NULL::mood))[1 + get_byte(decode(md5('m' || i), 'hex'), 0) % 3],
         md5('u' || i)::uuid,
         CASE WHEN i % 3 = 0 THEN 'Name ' || substr(md5('n' || i), 1, 6) ELSE (ARRAY['Oslo', 'Bergen'])[1 + i % 2] END,
         CASE WHEN i % 10 = 0 THEN NULL ELSE i * 0.5 + get_byte(decode(md5('w' || i), 'hex'), 0) END
  FROM generate_series(1, 400) AS i;
  SELECT synth_fit('movies'); SELECT synth_fit('patients'); SELECT synth_fit('places');
  SELECT synth_fit('codes'); SELECT synth_fit('kinds');
  SELECT synth_fit('patients', model => 'patients_dp', epsilon => 1);"); then
  fail "set up tables and fit their models" "$out"
  echo "1..$n"
  exit 1
fi
pass "fit movies, patients, places, codes, kinds and patients_dp (epsilon 1)"

# the models hold what they are meant to exercise
got=$(q "SELECT concat_ws(', ',
  CASE WHEN NOT jsonb_path_exists(synth_model('movies'), '\$.groups[*].groups[*].groups[*]') THEN 'movies: no groups 3 deep' END,
  CASE WHEN NOT jsonb_path_exists(synth_model('movies'), '\$.**.fresh_strings_p ? (@ > 0)') THEN 'movies: no made-up strings' END,
  CASE WHEN NOT jsonb_path_exists(synth_model('places'), '\$.hierarchies[*] ? (@.from == \"city\" && @.to == \"state\")') THEN 'places: city does not fix state' END,
  CASE WHEN NOT jsonb_path_exists(synth_model('patients'), '\$.columns[*] ? (@.name == \"id\" && @.key == true)') THEN 'patients: id is no key' END,
  CASE WHEN NOT jsonb_path_exists(synth_model('codes'), '\$.columns[*] ? (@.name == \"code\" && @.key == true)') THEN 'codes: code is no key' END,
  CASE WHEN NOT jsonb_path_exists(synth_model('kinds'), '\$.columns[*] ? (@.name == \"name\" && @.fresh_strings_p > 0)') THEN 'kinds: no made-up names' END,
  CASE WHEN (SELECT count(DISTINCT c->>'kind') FROM jsonb_array_elements(synth_model('kinds')->'columns') c) < 3 THEN 'kinds: not numeric, categorical and uuid' END,
  CASE WHEN synth_model('patients_dp')->'differential_privacy'->>'epsilon' IS DISTINCT FROM '1' THEN 'patients_dp: not epsilon 1' END)")
is "the models have groups 3 deep, a hierarchy, integer and text keys, made-up strings, DP, every column kind" "$got" ""

# ---- damage: fuzz(name, base, kind, pos, was, now) says what each copy has
# changed (pos is 0-based; was and now are the bytes there, hex; a truncated
# copy has pos bytes); each copy is a row of synth_models with the original's
# other fields.  Per model: 30 changed bytes (every other one in the first 512
# bytes: the header and first columns), 10 bytes set to 0x00 and 10 to 0xff
# (bytes that were not already), 10 truncations, 20 huge counts (12 at
# offsets that hold an int32 from 1 to 65535, "ints") and 20 ints changed
# (10 by one, 10 to 0, -1 or -2).
if ! out=$(q "
  CREATE TABLE fuzz (name text PRIMARY KEY, base text, kind text, pos integer, was text, now text);
  CREATE FUNCTION fuzz_hash(t text) RETURNS bigint LANGUAGE sql IMMUTABLE
    AS \$\$ SELECT ('x' || substr(md5(t), 1, 8))::bit(32)::bigint \$\$;
  DO \$\$
  DECLARE
    b record;
    len integer;
    i integer;
    pos integer;
    target integer;
    kind text;
    ints integer[];
    damaged bytea;
  BEGIN
    FOR b IN SELECT name, model FROM synth_models ORDER BY name LOOP
      len := octet_length(b.model);
      SELECT array_agg(p ORDER BY fuzz_hash(b.name || '/' || p)) INTO ints
      FROM generate_series(0, len - 4) p
      WHERE get_byte(b.model, p) = 0 AND get_byte(b.model, p + 1) = 0
        AND (get_byte(b.model, p + 2) <> 0 OR get_byte(b.model, p + 3) <> 0);
      FOREACH kind IN ARRAY ARRAY['flip', 'zero', 'ff', 'trunc', 'huge', 'int'] LOOP
        FOR i IN 1 .. CASE kind WHEN 'flip' THEN 30 WHEN 'huge' THEN 20 WHEN 'int' THEN 20 ELSE 10 END LOOP
          pos := fuzz_hash(b.name || '/' || kind || '/' || i)
                 % CASE WHEN i % 2 = 0 THEN least(len, 512) ELSE len END;
          IF kind IN ('flip', 'zero', 'ff') THEN
            target := CASE kind WHEN 'zero' THEN 0 WHEN 'ff' THEN 255
                      ELSE get_byte(b.model, pos) # (1 + fuzz_hash(b.name || '/x/' || i) % 255)::integer END;
            WHILE get_byte(b.model, pos) = target LOOP
              pos := (pos + 1) % len;
            END LOOP;
            damaged := set_byte(b.model, pos, target);
          ELSIF kind = 'trunc' THEN
            pos := fuzz_hash(b.name || '/' || kind || '/' || i) % len;
            damaged := substr(b.model, 1, pos);
          ELSIF kind = 'huge' THEN
            IF i <= 12 AND ints IS NOT NULL THEN
              pos := ints[1 + (i - 1) % array_length(ints, 1)];
            ELSE
              pos := fuzz_hash(b.name || '/' || kind || '/' || i) % (len - 3);
            END IF;
            damaged := overlay(b.model placing '\\x7fffffff'::bytea from pos + 1 for 4);
          ELSE
            -- an int32 from 1 to 65535 one more, one less, 0, -1 or -2
            pos := ints[1 + fuzz_hash(b.name || '/' || kind || '/' || i) % array_length(ints, 1)];
            target := get_byte(b.model, pos + 2) * 256 + get_byte(b.model, pos + 3)
                      + (ARRAY[1, -1])[1 + i % 2] * CASE WHEN i <= 10 THEN 1 END;
            damaged := overlay(b.model placing decode(CASE WHEN i <= 10 THEN lpad(to_hex(target), 8, '0')
                                                           ELSE (ARRAY['00000000', 'ffffffff', 'fffffffe'])[1 + i % 3] END, 'hex')
                               from pos + 1 for 4);
          END IF;
          INSERT INTO fuzz VALUES (format('fz_%s_%s_%s', b.name, kind, lpad(i::text, 2, '0')), b.name, kind, pos,
                                   CASE WHEN kind <> 'trunc' THEN encode(substr(b.model, pos + 1, CASE WHEN kind IN ('huge', 'int') THEN 4 ELSE 1 END), 'hex') END,
                                   CASE WHEN kind <> 'trunc' THEN encode(substr(damaged, pos + 1, CASE WHEN kind IN ('huge', 'int') THEN 4 ELSE 1 END), 'hex') END);
          INSERT INTO synth_models (name, source, row_count, columns, format_version, model)
          SELECT format('fz_%s_%s_%s', b.name, kind, lpad(i::text, 2, '0')), source, row_count, columns, format_version, damaged
          FROM synth_models WHERE name = b.name;
        END LOOP;
      END LOOP;
    END LOOP;
  END \$\$;
  SELECT count(*) FROM fuzz;"); then
  fail "make damaged copies of the models" "$out"
  echo "1..$n"
  exit 1
fi
copies=$(tail -n 1 <<<"$out")
is "made $copies damaged copies of 6 models, each a row of synth_models" "$copies" 600

# ---- use them all in one session: each statement on a line of its own,
# whose number psql prints with its error (calls.tsv: line, model, call)
# a crashed backend makes the postmaster end every session and restart its
# other processes (pg_postmaster_start_time() stays): the checkpointer's pid
# and start time show a restart too
alive="SELECT pg_postmaster_start_time() || ', checkpointer ' || pid || ' started ' || backend_start
       FROM pg_stat_activity WHERE backend_type = 'checkpointer'"
started=$(q "$alive")
{
  echo "SET statement_timeout = '5s';"
  # the originals first, then the copies
  q "SELECT name, source FROM synth_models WHERE name NOT LIKE 'fz\\_%' ORDER BY name;
     SELECT f.name, m.source FROM fuzz f JOIN synth_models m ON m.name = f.base ORDER BY f.name" |
    while IFS='|' read -r name source; do
      echo "SELECT count(*) FROM synth_sample('$name', 200, seed => 1);"
      echo "SELECT count(*) FROM synth_sample(NULL::$source, 200, model => '$name', seed => 1);"
      echo "SELECT length(synth_model('$name')::text) > 0;"
    done
  printf '%s\n' '\echo fuzz: done'
} >"$work/run.sql"
awk -F"'" 'NR > 1 && /^SELECT/ { call = /synth_model\(/ ? "model" : /NULL::/ ? "typed" : "jsonb"; print NR "\t" $2 "\t" call }' \
  "$work/run.sql" >"$work/calls.tsv"
start_s=$(date +%s)
"${bindir}psql" -X -q -At -d $db -v ON_ERROR_STOP=0 -v VERBOSITY=verbose -f "$work/run.sql" \
  >"$work/out" 2>"$work/err"
status=$?
secs=$(($(date +%s) - start_s))
statements=$(($(wc -l <"$work/calls.tsv")))
echo "# $statements statements in ${secs}s"

if [ $status -eq 0 ] && grep -qx 'fuzz: done' "$work/out"; then
  pass "psql ran all $statements statements to the end"
else
  fail "psql ran all $statements statements to the end" "exit status $status; last lines:"$'\n'"$(tail -n 15 "$work/err")"
fi
# after a crash, wait for the server to take connections again
if [ $status -ne 0 ]; then sleep 2; fi
for _ in $(seq 150); do q "SELECT 1" >/dev/null && break; sleep 0.2; done
now=$(q "$alive")
if [ -n "$started" ] && [ "$now" = "$started" ]; then
  pass "the server is still up and never restarted (no backend crashed)"
else
  detail="postmaster before: $started"$'\n'"after: $now"
  if log=$(server_log); then
    detail+=$'\n'"$(tail -n +$((log_lines_before + 1)) "$log" | grep -E 'terminated by signal|PANIC|TRAP|was terminated' | head -n 10)"
  fi
  fail "the server is still up and never restarted (no backend crashed)" "$detail"
fi
lost=$(grep -E 'server closed the connection|connection to server was lost|terminating connection' "$work/err" | head -n 5)
is "no connection was lost" "$lost" ""
timeouts=$(grep -c 'canceling statement due to statement timeout' "$work/err")
is "no statement hit statement_timeout (5s)" "$timeouts" 0

# errors.tsv: line, level, SQLSTATE, message, detail, location (C function and file)
awk '
  function clean(s) { gsub(/[[:cntrl:]\\]/, " ", s); return s }
  function flush() {
    if (line != "") print line "\t" level "\t" state "\t" clean(msg) "\t" clean(detail) "\t" clean(loc)
    line = ""
  }
  match($0, /^psql:[^:]*:[0-9]+: /) {
    flush()
    head = substr($0, 1, RLENGTH - 2); sub(/.*:/, "", head)
    rest = substr($0, RLENGTH + 1)
    if (match(rest, /^[A-Z]+:  [0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]: /)) {
      level = rest; sub(/:.*/, "", level)
      state = substr(rest, length(level) + 4, 5)
      msg = substr(rest, RLENGTH + 1)
    } else { level = "OTHER"; state = ""; msg = rest }
    line = head; detail = ""; loc = ""
    next
  }
  /^DETAIL:  / { detail = substr($0, 10); next }
  /^LOCATION:  / { loc = substr($0, 12); next }
  END { flush() }' "$work/err" >"$work/errors.tsv"

if ! out=$(q "
  CREATE TABLE fuzz_calls (line integer PRIMARY KEY, name text, call text);
  CREATE TABLE fuzz_errors (line integer, level text, state text, message text, detail text, location text);" 2>&1) ||
   ! out=$("${bindir}psql" -X -q -v ON_ERROR_STOP=1 -d $db \
      -c "\\copy fuzz_calls FROM '$work/calls.tsv'" -c "\\copy fuzz_errors FROM '$work/errors.tsv'" 2>&1); then
  fail "read psql's errors back" "$out"
fi

# the originals sample and read without an error
got=$(q "SELECT string_agg(c.name || ' ' || c.call || ': ' || e.state || ' ' || e.message, E'\n')
         FROM fuzz_errors e JOIN fuzz_calls c USING (line) WHERE c.name NOT LIKE 'fz\\_%'")
is "the undamaged models sample (with and without the row type) and synth_model() reads them" "$got" ""

# no internal error, no out of memory, no huge allocation request
got=$(q "SELECT string_agg(coalesce(c.name || ' ' || c.call, 'line ' || e.line)
                         || coalesce(format(' (%s at byte %s%s)', f.kind, f.pos, ': ' || f.was || ' -> ' || f.now), '')
                         || ': ' || e.state || ' ' || e.message || coalesce(' at ' || e.location, ''),
                         E'\n' ORDER BY e.line)
         FROM fuzz_errors e LEFT JOIN fuzz_calls c USING (line) LEFT JOIN fuzz f USING (name)
         WHERE e.level <> 'ERROR' OR e.state IN ('XX000', '53200', 'XX002')
            OR e.message ILIKE '%out of memory%' OR e.message ILIKE '%invalid memory alloc request size%'")
is "no internal error (XX000), out of memory or invalid memory alloc request size" "$got" ""

# every error is one a damaged model may give: data_corrupted; an unknown
# format version (0A000); a type name that is not a type any more (42704,
# 42601 its syntax, 22023 a bad typmod); the template's columns not those of
# the model (42804); a label its enum does not have (22P02); a key's type too
# small for the rows (54000)
got=$(q "SELECT string_agg(DISTINCT format('%s %s (%s)', e.state, e.message, coalesce(c.name, 'line ' || e.line)), E'\n')
         FROM fuzz_errors e LEFT JOIN fuzz_calls c USING (line)
         WHERE e.state NOT IN ('XX001', '0A000', '42704', '42601', '22023', '42804', '22P02', '54000', '57014')")
is "every error is one of the expected kinds" "$got" ""

# a strict prefix of a model ends before the reader does: data_corrupted
got=$(q "SELECT string_agg(format('%s %s: %s', c.name, c.call, coalesce(e.state || ' ' || e.message, 'no error')), E'\n')
         FROM fuzz f JOIN fuzz_calls c USING (name) LEFT JOIN fuzz_errors e USING (line)
         WHERE f.kind = 'trunc' AND e.state IS DISTINCT FROM 'XX001'")
is "every truncated copy is refused as data_corrupted (XX001) by all three calls" "$got" ""

# diagnostics: what the errors were, and how many copies still sample
# (without the row type / with it / read by synth_model(), of how many)
q "SELECT format('# %s x %s %s%s', n, state, message, ' ' || detail)
   FROM (SELECT count(*) AS n, state, regexp_replace(message, '\"fz_[a-z_]+[0-9]+\"', '\"...\"') AS message, detail
         FROM fuzz_errors GROUP BY 2, 3, 4) e
   ORDER BY n DESC, state, message, detail"
# (patients_dp apart: its copies differ from run to run)
q "WITH ok AS (
     SELECT f.base = 'patients_dp' AS dp, f.kind,
            NOT EXISTS (SELECT FROM fuzz_calls c JOIN fuzz_errors e USING (line) WHERE c.name = f.name AND c.call = 'jsonb') AS jsonb,
            NOT EXISTS (SELECT FROM fuzz_calls c JOIN fuzz_errors e USING (line) WHERE c.name = f.name AND c.call = 'typed') AS typed,
            NOT EXISTS (SELECT FROM fuzz_calls c JOIN fuzz_errors e USING (line) WHERE c.name = f.name AND c.call = 'model') AS model
     FROM fuzz f),
   counts AS (
     SELECT dp, kind, format('%s %s/%s/%s of %s', coalesce(kind, 'all'), count(*) FILTER (WHERE jsonb),
                             count(*) FILTER (WHERE typed), count(*) FILTER (WHERE model), count(*)) AS line
     FROM ok GROUP BY GROUPING SETS ((dp, kind), (dp)))
   SELECT format('# %s: %s', CASE WHEN dp THEN 'patients_dp' ELSE 'the other models' END,
                 string_agg(line, ', ' ORDER BY kind NULLS LAST))
   FROM counts GROUP BY dp ORDER BY dp"
if [ "$failed" = 0 ]; then fresh; else echo "# kept database $db to look at (fuzz: what each copy changed)"; fi
echo "1..$n"
exit $failed
