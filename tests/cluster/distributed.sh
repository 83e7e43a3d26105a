#!/usr/bin/env bash
# Distributed generation with PL/Proxy (docs/distributed.md): one logical table
# filled across three shards, each shard sampling its own stream of one model.
#
# Run it with the PG* environment of a throwaway cluster, as a superuser that
# is not root (initdb refuses root):
#
#     pg_virtualenv -v 15 -- tests/cluster/distributed.sh
#
# That cluster is the coordinator (the PL/Proxy database).  The script starts
# three more clusters of its own, the shards, with initdb and pg_ctl in a
# temporary directory; they listen on a Unix socket in that directory only
# (listen_addresses = ''), so their ports cannot collide with any other server
# on the machine.  A trap stops them and removes the directory on exit.
#
# It fits the bundled movies table on the coordinator, copies the model row to
# every shard with COPY, and fills the shards' movies tables through a
# PL/Proxy RUN ON ALL function: each shard samples the stream that a local
# one-row table gives it.  Then it checks that the shards hold exactly n rows,
# that no two shards share a row, that their union is the single-node sample of
# the same seed and streams (each shard: its own stream), that a rerun gives
# the same rows, and that a shard without the model fails with synth's error.
#
# It prints one TAP line per check ("ok N - ..." / "not ok N - ...") and exits
# non-zero when any check failed.  It makes the database synth_dist on the
# coordinator, and drops it again when it starts.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [ -n "${PG_CONFIG:-}" ]; then
  pgbin=$("$PG_CONFIG" --bindir)
else
  pgbin=/usr/lib/postgresql/${PGVERSION:-15}/bin
fi
shards=3
rows=20000
seed=2026
db=synth_dist

# The rows are compared as text across clusters: make the text the same in
# every session, whatever each cluster's defaults.
export PGOPTIONS="-c DateStyle=ISO,MDY -c TimeZone=UTC -c extra_float_digits=1"

. tests/tap.sh
# bail DESCRIPTION DETAIL: a step everything after depends on failed
bail() {
  fail "$1" "$2"
  echo "1..$n"
  exit 1
}

# q DB SQL: on the coordinator, run SQL, print the unaligned, tuples-only
# result; non-zero on error.  sq I SQL: the same on shard I.
q() { "$pgbin/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>&1; }
sq() {
  "$pgbin/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$work" -p "${port[$1]}" -d postgres -c "$2" 2>&1
}

work=$(mktemp -d -t synth-dist.XXXXXX)
port=()
started=()
cleanup() {
  for i in "${started[@]}"; do
    "$pgbin/pg_ctl" -D "$work/shard$i" -m immediate -w stop >/dev/null 2>&1
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the coordinator: the movies table, its model, PL/Proxy
q postgres "DROP DATABASE IF EXISTS $db" >/dev/null
if ! out=$(q postgres "CREATE DATABASE $db" && PGDATABASE=$db data/load movies 2>&1 &&
           q $db "CREATE EXTENSION synth; SELECT synth_fit('movies')"); then
  bail "load movies on the coordinator and fit it" "$out"
fi
pass "load movies on the coordinator and fit it"
user=$(q $db "SELECT current_user")
encoding=$(q $db "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()")

# ---- the shards: same superuser name (PL/Proxy connects as the current user)
# and the same encoding as the coordinator
for ((i = 0; i < shards; i++)); do
  port[$i]=$((54320 + i))
  if ! out=$("$pgbin/initdb" -D "$work/shard$i" -U "$user" -E "$encoding" --locale=C \
               -A trust --no-sync 2>&1); then
    bail "initdb shard $i" "$out"
  fi
  if ! out=$("$pgbin/pg_ctl" -D "$work/shard$i" -l "$work/shard$i.log" -w -t 60 \
               -o "-c listen_addresses='' -c unix_socket_directories='$work' -c port=${port[$i]} -c fsync=off" \
               start 2>&1); then
    bail "start shard $i" "$out"$'\n'"$(tail -n 20 "$work/shard$i.log")"
  fi
  started+=("$i")
  for _ in $(seq 100); do "$pgbin/pg_isready" -q -h "$work" -p "${port[$i]}" && break; sleep 0.1; done
done
pass "start $shards shard clusters"

# Each shard: synth, the table's definition (pg_dump --schema-only), the model
# row (COPY out of the coordinator's synth_models, COPY into the shard's), its
# stream in a local one-row table, and the function that fills its part.
schema=$("$pgbin/pg_dump" --schema-only --no-owner -t movies -d $db 2>&1) ||
  bail "pg_dump the definition of movies" "$schema"
copy_model() {  # copy_model I: copy the coordinator's model of movies to shard I
  "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -d $db \
      -c "COPY (SELECT * FROM synth_models WHERE name = 'movies') TO STDOUT" |
    "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$work" -p "${port[$1]}" -d postgres \
      -c "COPY synth_models FROM STDIN" 2>&1
}
for ((i = 0; i < shards; i++)); do
  if ! out=$(sq $i "CREATE EXTENSION synth" &&
             "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$work" -p "${port[$i]}" -d postgres \
               <<<"$schema" 2>&1 >/dev/null &&
             copy_model $i &&
             sq $i "
    CREATE TABLE synth_part (stream integer NOT NULL, streams integer NOT NULL);
    INSERT INTO synth_part VALUES ($i, $shards);
    CREATE FUNCTION fill_movies(n bigint, seed bigint, OUT stream integer, OUT rows bigint)
    RETURNS SETOF record LANGUAGE plpgsql AS \$\$
    DECLARE
        k integer;
    BEGIN
        SELECT p.stream, p.streams INTO STRICT stream, k FROM synth_part p;
        INSERT INTO movies
            SELECT * FROM synth_sample(NULL::movies, n, seed => fill_movies.seed,
                                       stream => fill_movies.stream, streams => k);
        GET DIAGNOSTICS rows = ROW_COUNT;
        RETURN NEXT;
    END
    \$\$;"); then
    bail "set up shard $i: synth, movies, the model, its stream" "$out"
  fi
done
pass "set up each shard: synth, the movies table, the model (COPY), its stream"

model_md5="SELECT md5(model) FROM synth_models WHERE name = 'movies'"
want=$(q $db "$model_md5")
got=$(for ((i = 0; i < shards; i++)); do sq $i "$model_md5"; done | sort -u)
is "every shard holds the coordinator's model, byte for byte" "$got" "$want"

partitions=
for ((i = 0; i < shards; i++)); do
  partitions+=", p$i 'host=$work port=${port[$i]} dbname=postgres'"
done
if ! out=$(q $db "
  CREATE EXTENSION plproxy;
  CREATE SERVER synth_shards FOREIGN DATA WRAPPER plproxy
      OPTIONS (modular_mapping '1'$partitions);
  CREATE USER MAPPING FOR PUBLIC SERVER synth_shards;
  CREATE FUNCTION fill_movies(n bigint, seed bigint, OUT stream integer, OUT rows bigint)
  RETURNS SETOF record LANGUAGE plproxy AS \$\$
      CLUSTER 'synth_shards';
      RUN ON ALL;
  \$\$;"); then
  bail "set up PL/Proxy on the coordinator" "$out"
fi
pass "set up PL/Proxy on the coordinator: cluster synth_shards, fill_movies() RUN ON ALL"

# ---- fill
fill="SELECT stream || ':' || rows FROM fill_movies($rows, $seed) ORDER BY stream"
expected_parts=$(for ((i = 0; i < shards; i++)); do
  echo "$i:$(( rows / shards + (i < rows % shards ? 1 : 0) ))"; done)
# shard_rows I FILE: shard I's rows, one md5 of the row's text a line, sorted
shard_rows() { sq "$1" "SELECT md5(m::text) FROM movies m" | sort >"$2"; }

if out=$(q $db "$fill"); then
  parts=$(tr '\n' ' ' <<<"$out")
  if [ "$(awk -F: '{ s += $2 } END { print s }' <<<"$out")" = $rows ] &&
     [ "$(cut -d: -f1 <<<"$out" | tr '\n' ' ')" = "$(seq -s ' ' 0 $((shards - 1))) " ]; then
    pass "fill_movies($rows, $seed) runs once on every shard, each its own stream ($parts)"
  else
    fail "fill_movies($rows, $seed) runs once on every shard, each its own stream" "$out"
  fi
else
  bail "fill_movies($rows, $seed) through PL/Proxy" "$out"
fi
for ((i = 0; i < shards; i++)); do shard_rows $i "$work/run1.$i"; done
total=$(cat "$work"/run1.* | wc -l)
is "the shards hold exactly $rows rows together" "$total" "$rows"
is "the parts are split as synth splits them" "$(
  for ((i = 0; i < shards; i++)); do echo "$i:$(wc -l <"$work/run1.$i")"; done)" "$expected_parts"

shared=
for ((i = 0; i < shards; i++)); do
  for ((j = i + 1; j < shards; j++)); do
    c=$(comm -12 "$work/run1.$i" "$work/run1.$j" | wc -l)
    [ "$c" = 0 ] || shared+="shards $i and $j share $c rows"$'\n'
  done
done
dups=$(cat "$work"/run1.* | sort | uniq -d | wc -l)
if [ -z "$shared" ] && [ "$dups" = 0 ]; then
  pass "no two shards share a row (no randomness used twice; all $rows rows distinct)"
else
  fail "no two shards share a row" "$shared$dups rows occur more than once"
fi

# the single-node run: every stream, on the coordinator
for ((i = 0; i < shards; i++)); do
  q $db "SELECT md5(m::text) FROM synth_sample(NULL::movies, $rows, seed => $seed,
                stream => $i, streams => $shards) m" | sort >"$work/single.$i"
done
if cmp -s <(cat "$work"/run1.* | sort) <(cat "$work"/single.* | sort); then
  pass "the union of the shards is the single-node sample of the same seed and streams"
else
  fail "the union of the shards is the single-node sample of the same seed and streams" \
    "$(diff <(cat "$work"/run1.* | sort) <(cat "$work"/single.* | sort) | head -n 5)"
fi
differ=
for ((i = 0; i < shards; i++)); do
  cmp -s "$work/run1.$i" "$work/single.$i" || differ+=" $i"
done
is "each shard holds exactly its own stream of the single-node run" "${differ:-none differ}" "none differ"

# ---- a shard without the model: synth's error comes back through the proxy
if ! out=$(sq 2 "SELECT synth_drop('movies'); TRUNCATE movies"); then
  fail "drop the model on shard 2" "$out"
fi
if out=$(q $db "$fill"); then
  fail "a shard without the model: the proxy call fails" "no error; got: $out"
elif grep -q 'synth model "movies" does not exist' <<<"$out"; then
  pass "a shard without the model: the proxy call fails with synth's error (model does not exist)"
else
  fail "a shard without the model: the proxy call fails with synth's error" "wrong error: $out"
fi
is "... and that shard inserted nothing" "$(sq 2 "SELECT count(*) FROM movies")" 0

# ---- recover and rerun: copy the model again, empty every shard, fill again
out=$(copy_model 2) || fail "copy the model to shard 2 again" "$out"
for ((i = 0; i < shards; i++)); do sq $i "TRUNCATE movies" >/dev/null; done
if out=$(q $db "$fill"); then
  for ((i = 0; i < shards; i++)); do shard_rows $i "$work/run2.$i"; done
  differ=
  for ((i = 0; i < shards; i++)); do
    cmp -s "$work/run1.$i" "$work/run2.$i" || differ+=" $i"
  done
  is "a rerun (model copied again, shards emptied) gives every shard the same rows" \
    "${differ:-none differ}" "none differ"
else
  fail "a rerun (model copied again, shards emptied) gives every shard the same rows" "$out"
fi

echo "1..$n"
[ "$failed" = 0 ]
