#!/usr/bin/env bash
# Set up (first time) and run the linter, the test suite and the answer-quality floors.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
"$VENV/bin/ruff" check .
"$VENV/bin/python" -m pytest "$@"
