#!/usr/bin/env bash
# Sourced by the .ci install scripts: installs one Debian package with apt-get, as root or through sudo.
#   apt_install SCRIPT PACKAGE [apt-get install options...]
# On failure it prints apt-get's output and exits 1; on success the output stays in "$apt_log" (the caller
# prints it when the package installed but the program it needs is still missing).

apt_install() {
  local script=$1 package=$2
  shift 2
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$script: apt-get is unavailable; install the '$package' package" >&2
    exit 1
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "$script: not root and no sudo: cannot install the '$package' package" >&2; exit 1
    fi
  fi
  apt_log=$(mktemp)
  trap 'rm -f "$apt_log"' EXIT
  echo "$script: installing the '$package' package"
  if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
         && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" "$package"; } >"$apt_log" 2>&1; then
    cat "$apt_log" >&2
    echo "$script: apt-get failed" >&2
    exit 1
  fi
  apt_sudo=$sudo
}
