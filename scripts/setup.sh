#!/usr/bin/env bash
# Create .venv (if missing) and install aigov-core, jupyter-aigov (with its JupyterLab extension), aigov-registry
# and the example plugin with their test extras; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
# constraints.txt locks the set the suite passed with (scripts/test_sdks.sh tests each SDK's oldest and newest release)
# aigov-core (core/) first: jupyter-aigov and aigov-registry depend on it, and pip must find it installed from
# this repository rather than look for it on an index.
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e "core[test]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e "registry[test]"
# the example plugin (examples/aigov-example-plugin): its tests run with the rest; no policy lists it unless told to
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e "examples/aigov-example-plugin[test]"
.venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
# The JupyterLab extension was built from labextension/ by the install above (Node.js needed to build, not to use);
# link it so that a rebuild (`cd labextension && jlpm build`) is what JupyterLab loads.
PATH="$PWD/.venv/bin:$PATH" .venv/bin/jupyter labextension develop --overwrite . >/dev/null
