#!/usr/bin/env bash
# Set up (first time) and run the bot: in Discord when DISCORD_TOKEN is configured (environment
# or .env), otherwise an interactive session in the terminal on the same engine.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
if [ -n "${DISCORD_TOKEN:-}" ] || grep -qE '^\s*DISCORD_TOKEN\s*=\s*[^[:space:]#]' .env 2>/dev/null; then
    exec "$VENV/bin/python" -m bot run "$@"
fi
echo "No DISCORD_TOKEN configured: answering in the terminal instead (see README to run in Discord)." >&2
exec "$VENV/bin/python" -m bot chat "$@"
