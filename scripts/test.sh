#!/usr/bin/env bash
# Set up (first time) and run the linter, the type checker, the test suite and the answer-quality floors.
# _venv.sh sets `set -euo pipefail`, so any failing step stops the script with its exit code.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
"$VENV/bin/ruff" check .
"$VENV/bin/mypy"
"$VENV/bin/python" -m pytest "$@"
