#!/usr/bin/env bash
# Set up, then run every check: lint, types, the extension's jest tests, aigov-core's tests, the test suite with the
# example notebooks under nbval and the example plugin's tests, and the registry's tests. Every suite runs even when
# one before it failed; the end is a summary, one line per suite, closing with `suites: N passed, N failed`, and the
# exit status is 1 when any failed.
# Arguments go to every pytest run (bash scripts/test.sh -x -k inventory).
set -uo pipefail
cd "$(dirname "$0")/.."

logs=$(mktemp -d "${TMPDIR:-/tmp}/aigov-test-logs.XXXXXX")
pg_started=""  # the folder of the PostgreSQL cluster this run started, to stop at exit
pg_made=""     # ... and to remove, when this run made the folder too
cleanup() {
  if [ -n "$pg_started" ]; then
    AIGOV_PG_DIR="$pg_started" bash scripts/postgres.sh stop || echo "test.sh: could not stop the cluster in $pg_started" >&2
  fi
  [ -z "$pg_made" ] || rm -rf "$pg_made"
  rm -rf "$logs"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

names=() verdicts=() details=()
# run NAME COMMAND...: run one suite, its output shown and kept; note passed/failed, the time, and for pytest and
# jest the counts.
run() {
  local name=$1 log="$logs/${#names[@]}.log" started=$SECONDS status counts=""
  shift
  echo "== $name"
  "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  case "$name" in
    pytest*)  # the closing line: "==== 12 passed, 1 skipped in 3.40s ===="
      counts=$(sed -nE 's/^(=+ )?([0-9]+ [a-z].*|no tests ran) in [0-9.]+s( \([0-9:]+\))?( =+)?$/\2/p' "$log" | tail -n 1)
      if [ "$status" = 5 ] && [ "$counts" != "no tests ran" ]; then counts="no tests ran${counts:+ ($counts)}"; fi ;;
    jest)  # "Tests:       1 failed, 11 passed, 12 total"
      counts=$(sed -nE 's/\x1b\[[0-9;]*m//g; s/^Tests: +(.*), [0-9]+ total$/\1/p' "$log" | tail -n 1) ;;
  esac
  names+=("$name")
  verdicts+=("$([ "$status" = 0 ] && echo passed || echo failed)")
  details+=("$(printf '%4d s' $((SECONDS - started)))${counts:+   $counts}$([ "$status" = 0 ] || echo " (exit $status)")")
}

summary() {
  local passed=0 failed=0 i
  echo
  echo "== summary"
  for i in "${!names[@]}"; do
    printf '%-16s %-8s %s\n' "${names[$i]}" "${verdicts[$i]}" "${details[$i]}"
    if [ "${verdicts[$i]}" = passed ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  done
  echo "suites: $passed passed, $failed failed"
  [ "$failed" = 0 ]
}

if ! bash scripts/prerequisites.sh test || ! bash scripts/setup.sh; then
  echo "test.sh: setup failed (above): no suite could run" >&2
  for name in "ruff check" "ruff format" mypy "mypy registry" jest "pytest core" pytest "pytest registry"; do
    names+=("$name") verdicts+=(failed) details+=("not run: setup failed")
  done
  summary
  exit 1
fi

PY_SOURCES=(core jupyter_aigov aigov tests benchmarks scripts registry examples)
run "ruff check" .venv/bin/ruff check "${PY_SOURCES[@]}"
run "ruff format" .venv/bin/ruff format --check "${PY_SOURCES[@]}"
# the package as a whole, then the pipeline (the seam every call crosses) under --strict
mypy_suite() { .venv/bin/mypy && .venv/bin/mypy --strict --follow-imports=silent jupyter_aigov/pipeline jupyter_aigov/verdict.py; }
run mypy mypy_suite
run "mypy registry" .venv/bin/mypy registry/aigov_registry --ignore-missing-imports
jest_suite() { cd labextension && PATH="$PWD/../.venv/bin:$PATH" && jlpm install --silent >/dev/null && jlpm test; }
run jest jest_suite  # the JupyterLab extension's TypeScript (run in a subshell: the cd stays there)
run "pytest core" .venv/bin/python -m pytest core/tests -p no:cacheprovider "$@"  # what the registry shares
run pytest .venv/bin/python -m pytest tests notebooks examples/aigov-example-plugin/tests --nbval-lax \
  -p no:cacheprovider "$@"

# The registry's tests run on SQLite and on PostgreSQL: on the server AIGOV_REGISTRY_TEST_PG names (left as it is),
# else on a throwaway cluster (scripts/postgres.sh) that this run starts and stops at exit: in a new folder, removed
# then too, unless AIGOV_PG_DIR names one (a cluster already running there is left running). Without either the
# PostgreSQL variants fail and say how.
if [ -z "${AIGOV_REGISTRY_TEST_PG:-}" ]; then
  if [ -z "${AIGOV_PG_DIR:-}" ]; then
    AIGOV_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/aigov-postgres-test.XXXXXX")
    pg_made=$AIGOV_PG_DIR
  fi
  export AIGOV_PG_DIR
  bash scripts/postgres.sh status || pg_started=$AIGOV_PG_DIR
  if pg_url=$(bash scripts/postgres.sh); then
    export AIGOV_REGISTRY_TEST_PG="$pg_url"
  fi
fi
run "pytest registry" .venv/bin/python -m pytest registry/tests -p no:cacheprovider "$@"

summary
