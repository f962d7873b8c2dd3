#!/usr/bin/env bash
# Makes sure the Prometheus server is on this machine, for the metrics test (Tests/Metrics starts a throwaway
# server that scrapes three silos). Installs the distribution's `prometheus` package with apt-get when the
# binary is missing; does nothing when it is present. The package's own service is not used (the test runs
# its own server on a free loopback port): it is stopped and disabled where systemd runs it.
# Run before `dotnet test`. Needs root or sudo only when it has to install.
set -euo pipefail

found() {
  if [ -n "${HECK_PROMETHEUS_BIN:-}" ] && [ -x "$HECK_PROMETHEUS_BIN" ]; then echo "$HECK_PROMETHEUS_BIN"; return 0; fi
  command -v prometheus 2>/dev/null && return 0
  return 1
}

if bin=$(found); then
  echo "prometheus.sh: Prometheus found at $bin"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "prometheus.sh: prometheus not found and apt-get is unavailable; install the Prometheus server package" \
       "(or set HECK_PROMETHEUS_BIN to the prometheus binary)" >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "prometheus.sh: not root and no sudo: cannot install the 'prometheus' package" >&2; exit 1
  fi
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "prometheus.sh: installing the 'prometheus' package"
# --no-install-recommends: the server alone, not the node exporter and friends it recommends.
if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
       && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "prometheus.sh: apt-get failed" >&2
  exit 1
fi
# The package starts its own server on :9090 where systemd runs; the tests need none of it.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $sudo systemctl disable --now prometheus >/dev/null 2>&1 || true
fi

if bin=$(found); then
  echo "prometheus.sh: Prometheus installed at $bin"
else
  cat "$log" >&2
  echo "prometheus.sh: the 'prometheus' package installed, but the prometheus binary is still missing" >&2
  exit 1
fi
