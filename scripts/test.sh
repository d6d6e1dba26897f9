#!/usr/bin/env bash
# Set up, then run every check: lint, types, the test suite and the example notebooks under nbval.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== ruff"
.venv/bin/ruff check jupyter_aigov aigov tests benchmarks scripts registry
.venv/bin/ruff format --check jupyter_aigov aigov tests benchmarks scripts registry
echo "== mypy"
.venv/bin/mypy
.venv/bin/mypy registry/aigov_registry --ignore-missing-imports
echo "== jest (the JupyterLab extension's TypeScript)"
(cd labextension && PATH="$PWD/../.venv/bin:$PATH" jlpm install --silent >/dev/null && PATH="$PWD/../.venv/bin:$PATH" jlpm test)
echo "== pytest (tests/ and notebooks/ under nbval)"
.venv/bin/python -m pytest tests notebooks --nbval-lax -p no:cacheprovider "$@"
echo "== pytest (registry/tests: the central registry service, on SQLite and on PostgreSQL)"
# The PostgreSQL variants need a server: a throwaway cluster, unless one is given. Without one they fail and say how.
if [ -z "${AIGOV_REGISTRY_TEST_PG:-}" ] && pg_url=$(bash scripts/postgres.sh); then
  export AIGOV_REGISTRY_TEST_PG="$pg_url"
fi
.venv/bin/python -m pytest registry/tests -p no:cacheprovider "$@"
