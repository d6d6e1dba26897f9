#!/usr/bin/env bash
# What setup and the tests need from the machine, besides the Python and npm packages that setup installs.
#
#   bash scripts/prerequisites.sh         # setup and the demo: Python 3.11+ (with venv), Node.js 20+
#   bash scripts/prerequisites.sh test    # the tests too: Debian's Chromium and PostgreSQL
#
# As root with apt-get, what is missing is installed from Debian's packages (Node.js only when the package on
# offer is version 20 or later); otherwise this says what to install. It exits 1 when setup cannot run (no Python
# 3.11+, no Node.js 20+); a missing browser or database is reported here and fails the tests that need them.
set -euo pipefail

say() { echo "prerequisites.sh: $*" >&2; }
major() { sed -nE 's/^v?([0-9]+)\..*/\1/p'; }

PYTHON="${PYTHON:-python3}"
packages=()  # Debian packages wanted
node_wanted=0
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  say "Python 3.11 or later is needed (tried '$PYTHON'; name another with PYTHON=python3.12)."
  exit 1
fi
"$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || packages+=(python3-venv)
node_major=$(node --version 2>/dev/null | major || true)
[ -n "$node_major" ] && [ "$node_major" -ge 20 ] || node_wanted=1
if [ "${1:-}" = test ]; then
  [ -x /usr/bin/chromium ] || packages+=(chromium)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null || packages+=(postgresql)
fi
[ ${#packages[@]} -gt 0 ] || [ "$node_wanted" = 1 ] || exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  if [ "$node_wanted" = 1 ]; then
    offered=$(apt-cache policy nodejs | sed -nE 's/^ *Candidate: //p' | major || true)
    if [ -n "$offered" ] && [ "$offered" -ge 20 ]; then
      packages+=(nodejs)
      node_wanted=0
    fi
  fi
  if [ ${#packages[@]} -gt 0 ]; then
    say "installing Debian's ${packages[*]}"
    apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
    packages=()
  fi
fi
if [ ${#packages[@]} -gt 0 ]; then
  say "missing: ${packages[*]}. As root: apt-get install -y --no-install-recommends ${packages[*]}"
  say "(the browser tests drive /usr/bin/chromium; the registry's PostgreSQL tests need initdb and pg_ctl)"
fi
if [ "$node_wanted" = 1 ]; then
  say "Node.js 20 or later is needed to build the JupyterLab extension (found: ${node_major:-none});"
  say "install it (https://nodejs.org, or your distribution's nodejs when it is 20+), then run this again."
  exit 1
fi
for package in "${packages[@]}"; do
  [ "$package" != python3-venv ] || exit 1
done
exit 0
