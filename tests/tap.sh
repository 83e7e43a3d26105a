# TAP output for the shell tests (tests/upgrade/run, tests/readme/run,
# tests/cluster/*.sh): source it, count checks with pass, fail, skip and is,
# and end with `echo "1..$n"` and the exit status from $failed.
# bindir is PostgreSQL's bin directory with a slash ($PG_CONFIG's), or
# empty to take the programs from the PATH.

bindir=
if [ -n "${PG_CONFIG:-}" ]; then bindir=$("$PG_CONFIG" --bindir)/; fi
n=0 failed=0
# pass DESCRIPTION / fail DESCRIPTION [DETAIL] / skip REASON
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
  n=$((n + 1)) failed=$((failed + 1))
  echo "not ok $n - $1"
  if [ -n "${2:-}" ]; then sed 's/^/#   /' <<<"$2"; fi
}
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
# is DESCRIPTION GOT WANT
is() {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got:  $2"$'\n'"want: $3"; fi
}
