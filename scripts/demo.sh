#!/usr/bin/env bash
# Set up, then run the demo: the example notebooks governed end to end against the loopback stand-in provider,
# ending with the bundle pushed to a local registry (aigov-registry serve on a free loopback port).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prerequisites.sh
bash scripts/setup.sh
.venv/bin/python scripts/run_demo.py "$@"
