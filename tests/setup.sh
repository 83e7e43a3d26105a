#!/usr/bin/env bash
# Make this machine ready to use synth: install the Debian 12 packages it needs
# (only when one is missing), then build synth from scratch and install it into
# PostgreSQL 15.  tests/run and demo/run start with this; run it alone to only
# build and install.
#
# When CI=true the build treats warnings as errors: PGXS appends $COPT to CFLAGS,
# so -Werror goes there and the Makefile's own warning flags stay in force.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pg_major=15
packages=(
  "postgresql-$pg_major" "postgresql-server-dev-$pg_major"  # the server and PGXS
  postgresql-common                                         # pg_virtualenv
  libgsl-dev pkg-config                                     # GSL, found with pkg-config
  make gcc libc6-dev                                        # the build
  perl libipc-run-perl                                      # prove and the TAP tests
  "postgresql-$pg_major-plproxy"                            # tests/cluster/distributed.sh
)

# Run a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "tests/setup.sh: '$*' needs root; run this script as root" >&2
    exit 1
  fi
}

missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Build against PostgreSQL 15 even where newer server headers are installed too.
export PG_CONFIG=/usr/lib/postgresql/$pg_major/bin/pg_config
if [ "${CI:-}" = true ]; then
  export COPT="${COPT:+$COPT }-Werror"
fi

echo "== building synth${COPT:+ (COPT=$COPT)}"
make -s clean
make -s -j"$(nproc)"
echo "== installing synth into $("$PG_CONFIG" --pkglibdir)"
as_root make -s install PG_CONFIG="$PG_CONFIG"
