#!/usr/bin/env bash
# Installs the Debian packages the tests need (listed in scripts/system-packages.txt as
# "<command> <package>" lines) when their command is missing. As root it uses apt-get;
# otherwise it prints one line naming the packages and leaves the tests that need them to
# say what is missing.
set -euo pipefail
list="$(dirname "${BASH_SOURCE[0]}")/system-packages.txt"
[ -r "$list" ] || exit 0

missing=()
while read -r command package _; do
  case "$command" in ''|'#'*) continue ;; esac
  command -v "$command" >/dev/null 2>&1 || missing+=("$package")
done < "$list"
[ "${#missing[@]}" -gt 0 ] || exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  printf '[run] installing system packages: %s\n' "${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
  printf '[run] missing system packages (install them with your package manager): %s\n' "${missing[*]}" >&2
fi
