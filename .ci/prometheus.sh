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

# shellcheck source=.ci/apt.sh
source "$(dirname "$0")/apt.sh"
# --no-install-recommends: the server alone, not the node exporter and friends it recommends.
apt_install prometheus.sh prometheus --no-install-recommends
# The package starts its own server on :9090 where systemd runs; the tests need none of it.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $apt_sudo systemctl disable --now prometheus >/dev/null 2>&1 || true
fi

if bin=$(found); then
  echo "prometheus.sh: Prometheus installed at $bin"
else
  cat "$apt_log" >&2
  echo "prometheus.sh: the 'prometheus' package installed, but the prometheus binary is still missing" >&2
  exit 1
fi
