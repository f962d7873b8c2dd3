#!/usr/bin/env bash
# Makes sure PostgreSQL's server programs (initdb, pg_ctl) are on this machine, for the ADO.NET
# membership tests (Tests/AdoNet start a throwaway server from them). Installs the distribution's
# `postgresql` package with apt-get when they are missing; does nothing when they are present.
# Run before `dotnet test`. Needs root or sudo only when it has to install.
set -euo pipefail

found() {
  if [ -n "${HECK_POSTGRES_BIN:-}" ] && [ -x "$HECK_POSTGRES_BIN/initdb" ] && [ -x "$HECK_POSTGRES_BIN/pg_ctl" ]; then
    echo "$HECK_POSTGRES_BIN"; return 0
  fi
  local bin
  for bin in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r); do
    if [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ]; then echo "$bin"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"; return 0
  fi
  return 1
}

if dir=$(found); then
  echo "postgres.sh: PostgreSQL server programs found in $dir"
  exit 0
fi

# shellcheck source=.ci/apt.sh
source "$(dirname "$0")/apt.sh"
apt_install postgres.sh postgresql
if dir=$(found); then
  echo "postgres.sh: PostgreSQL server programs installed in $dir"
else
  cat "$apt_log" >&2
  echo "postgres.sh: the 'postgresql' package installed, but initdb/pg_ctl are still missing" >&2
  exit 1
fi
