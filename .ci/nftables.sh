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

# shellcheck source=.ci/apt.sh
source "$(dirname "$0")/apt.sh"
apt_install nftables.sh nftables
if nft=$(found); then
  echo "nftables.sh: nft installed at $nft"
else
  cat "$apt_log" >&2
  echo "nftables.sh: the 'nftables' package installed, but nft is still missing" >&2
  exit 1
fi
