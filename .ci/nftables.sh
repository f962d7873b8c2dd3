#!/usr/bin/env bash
# Makes sure nftables' `nft` is on this machine, for the partition tests (Harness/LoopbackNetwork and
# LoopbackPartition add and delete their own nft tables between 127.0.Y.N loopback addresses). Installs
# Debian's `nftables` package with apt-get when nft is missing; does nothing when it is present.
# Run before `dotnet test`. The tests themselves need root (nft changes the kernel's rules); installing
# needs root or sudo only when nft is missing.
set -euo pipefail

found() {
  local dir
  for dir in $(echo "${PATH:-}" | tr ':' ' ') /usr/sbin /sbin; do
    if [ -x "$dir/nft" ]; then echo "$dir/nft"; return 0; fi
  done
  return 1
}

if nft=$(found); then
  echo "nftables.sh: nft found at $nft"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "nftables.sh: nft not found and apt-get is unavailable; install the nftables package" >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "nftables.sh: not root and no sudo: cannot install the 'nftables' package" >&2; exit 1
  fi
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "nftables.sh: installing the 'nftables' package"
if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
       && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nftables; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "nftables.sh: apt-get failed" >&2
  exit 1
fi

if nft=$(found); then
  echo "nftables.sh: nft installed at $nft"
else
  cat "$log" >&2
  echo "nftables.sh: the 'nftables' package installed, but nft is still missing" >&2
  exit 1
fi
