#!/usr/bin/env bash
# Create .venv (if missing) and install jupyter-aigov (with its JupyterLab extension) and aigov-registry with their
# test extras; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e "registry[test]"
.venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
# The JupyterLab extension was built from labextension/ by the install above (Node.js needed to build, not to use);
# link it so that a rebuild (`cd labextension && jlpm build`) is what JupyterLab loads.
PATH="$PWD/.venv/bin:$PATH" .venv/bin/jupyter labextension develop --overwrite . >/dev/null
