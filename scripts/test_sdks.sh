#!/usr/bin/env bash
# Run the SDK tests against the oldest or the newest supported release of every SDK and raw client (the ranges of
# pyproject.toml's test extras), in a venv of its own (build/sdk-venvs/oldest|newest); the rest as constraints.txt
# locks it. Prints the versions tested.   bash scripts/test_sdks.sh oldest|newest [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-}"
case "$which" in
  oldest | newest) shift ;;
  *) echo "usage: bash scripts/test_sdks.sh oldest|newest [pytest args]" >&2; exit 2 ;;
esac
PYTHON="${PYTHON:-python3}"
venv="build/sdk-venvs/$which"
if [ ! -x "$venv/bin/python" ]; then
  "$PYTHON" -m venv "$venv"
fi
py="$venv/bin/python"
"$py" -m pip install --quiet --disable-pip-version-check --upgrade pip
for part in "$which" others constraints; do
  "$py" scripts/sdk_versions.py "$part" >"$venv/$part.txt"
done
# The SDKs go in with --upgrade so that an existing venv moves to the newest release too.
"$py" -m pip install --quiet --disable-pip-version-check --upgrade -c "$venv/constraints.txt" \
  -r "$venv/$which.txt" -r "$venv/others.txt"
# The package and aigov-core (core/) run from the source tree, as editable installs would, without building the
# JupyterLab extension.
site_packages=$("$py" -c 'import site; print(site.getsitepackages()[0])')
printf '%s\n' "$PWD" "$PWD/core" >"$site_packages/jupyter_aigov_source.pth"
echo "== $which SDKs"
names="$(sed -E 's/[<>=~!].*//' "$venv/$which.txt" | tr '\n' '|' | sed 's/|$//')"
"$py" -m pip list --disable-pip-version-check 2>/dev/null | grep -iE "^($names) "
echo "== pytest (the SDK tests)"
LITELLM_LOCAL_MODEL_COST_MAP=True "$py" -m pytest -p no:cacheprovider \
  tests/intercept tests/test_tool_calls_in_responses.py tests/testing/test_anthropic_format.py \
  tests/providers/test_sdk_requests.py tests/providers/test_sdk_streams.py "$@"
