#!/usr/bin/env bash
# Set up (first time) and run the bot: in Discord when a usable DISCORD_TOKEN is configured
# (environment or .env), otherwise an interactive session in the terminal on the same engine.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
# The bot itself decides what counts as a token (bot/config.py: not empty, not the placeholder
# of .env.example), so this script and `python -m bot run` never disagree.
status=0
"$VENV/bin/python" -m bot has-token || status=$?
case "$status" in
    0) exec "$VENV/bin/python" -m bot run "$@" ;;
    1)
        echo "No usable DISCORD_TOKEN (unset, empty or still the placeholder from .env.example):" \
            "answering in the terminal instead (see README to run in Discord)." >&2
        exec "$VENV/bin/python" -m bot chat "$@"
        ;;
    *) exit "$status" ;; # the configuration is invalid; has-token said which setting
esac
