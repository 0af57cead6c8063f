"""A subset of Discord's server-side checks, so bugs that only Discord would catch fail in tests too.

Each check returns a list of ``(field path, error code, message)``; ``invalid_form_body`` turns
that into Discord's 400/50035 answer with its nested ``errors`` object.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from .responses import discord_error

Problem = tuple[str, str, str]

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
_EMBED_LIMITS = {"title": 256, "description": 4096}
_FIELD_LIMITS = {"name": 256, "value": 1024}
# Slash command / option names (https://discord.com/developers/docs/interactions/application-commands).
_NAME_RE = re.compile(r"^[-_'\w\u0900-\u097F\u0E00-\u0E7F]{1,32}$")
_PARSE_VALUES = {"users", "roles", "everyone"}


def _too_long(path: str, limit: int) -> Problem:
    return (path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _bad_length(path: str, low: int, high: int) -> Problem:
    return (path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")


def invalid_form_body(problems: list[Problem]) -> web.Response:
    errors: dict[str, Any] = {}
    for path, code, message in problems:
        node = errors
        for part in path.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return discord_error(400, 50035, "Invalid Form Body", errors)


def _embed_problems(embeds: Any) -> list[Problem]:
    if not isinstance(embeds, list):
        return []
    problems: list[Problem] = []
    if len(embeds) > EMBEDS_MAX:
        problems.append(_too_long("embeds", EMBEDS_MAX))
    total = 0
    for i, embed in enumerate(embeds):
        for key, limit in _EMBED_LIMITS.items():
            text = embed.get(key) or ""
            total += len(text)
            if len(text) > limit:
                problems.append(_too_long(f"embeds.{i}.{key}", limit))
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems.append(_too_long(f"embeds.{i}.fields", 25))
        for j, fld in enumerate(fields):
            for key, limit in _FIELD_LIMITS.items():
                text = fld.get(key) or ""
                total += len(text)
                if len(text) > limit:
                    problems.append(_too_long(f"embeds.{i}.fields.{j}.{key}", limit))
        total += len((embed.get("footer") or {}).get("text") or "") + len((embed.get("author") or {}).get("name") or "")
    if total > EMBED_TOTAL_MAX:
        problems.append(("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"))
    return problems


def _mention_problems(allowed: Any) -> list[Problem]:
    if not isinstance(allowed, dict):
        return []
    parse = allowed.get("parse") or []
    problems = [
        ("allowed_mentions.parse", "ENUM_TYPE_COERCE", f"Value '{p}' is not a valid enum value.")
        for p in parse
        if p not in _PARSE_VALUES
    ]
    for kind in ("users", "roles"):
        if kind in parse and allowed.get(kind):
            message = f'parse:["{kind}"] and {kind}: [ids] are mutually exclusive.'
            problems.append(("allowed_mentions", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", message))
    return problems


def _component_problems(components: Any) -> list[Problem]:
    if not isinstance(components, list):
        return []
    problems: list[Problem] = []

    def walk(items: list[Any], path: str) -> None:
        for i, item in enumerate(items):
            here = f"{path}.{i}"
            custom_id = item.get("custom_id")
            if custom_id is not None and not 1 <= len(custom_id) <= 100:
                problems.append(_too_long(f"{here}.custom_id", 100))
            label = item.get("label")
            if item.get("type") == 2 and label is not None and len(label) > 80:
                problems.append(_too_long(f"{here}.label", 80))
            if item.get("type") == 1 and len(item.get("components") or []) > 5:
                problems.append(_too_long(f"{here}.components", 5))
            walk(item.get("components") or [], f"{here}.components")

    walk(components, "components")
    return problems


def message_problems(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    content = data.get("content")
    if isinstance(content, str) and len(content) > CONTENT_MAX:
        problems.append(_too_long("content", CONTENT_MAX))
    problems += _embed_problems(data.get("embeds"))
    problems += _mention_problems(data.get("allowed_mentions"))
    problems += _component_problems(data.get("components"))
    return problems


def is_empty_message(data: dict[str, Any], *, has_files: bool) -> bool:
    return not (
        data.get("content")
        or data.get("embeds")
        or data.get("components")
        or data.get("sticker_ids")
        or data.get("poll")
        or has_files
    )


def check_message(data: dict[str, Any], *, creating: bool, has_files: bool = False) -> web.Response | None:
    problems = message_problems(data)
    if problems:
        return invalid_form_body(problems)
    if creating and is_empty_message(data, has_files=has_files):
        return discord_error(400, 50006, "Cannot send an empty message")
    return None


# Response types allowed per interaction type (2 command, 3 component, 4 autocomplete, 5 modal submit).
ALLOWED_CALLBACKS = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}


def check_callback(interaction_type: int, body: dict[str, Any], has_files: bool) -> web.Response | None:
    kind = body.get("type")
    if kind not in ALLOWED_CALLBACKS.get(interaction_type, set()):
        return invalid_form_body(
            [("type", "INTERACTION_CALLBACK_TYPE_INVALID", f"Callback type {kind} is invalid here.")]
        )
    data = body.get("data") or {}
    if kind in (4, 7):
        return check_message(data, creating=kind == 4, has_files=has_files)
    if kind == 8:
        choices = data.get("choices")
        if not isinstance(choices, list):
            return invalid_form_body([("data.choices", "BASE_TYPE_REQUIRED", "This field is required")])
        problems = [_too_long("data.choices", 25)] if len(choices) > 25 else []
        for i, choice in enumerate(choices):
            if not 1 <= len(str(choice.get("name", ""))) <= 100:
                problems.append(_bad_length(f"data.choices.{i}.name", 1, 100))
            value = choice.get("value")
            if isinstance(value, str) and len(value) > 100:
                problems.append(_too_long(f"data.choices.{i}.value", 100))
        return invalid_form_body(problems) if problems else None
    if kind == 9:
        problems = []
        if len(data.get("title") or "") > 45 or not data.get("title"):
            problems.append(_bad_length("data.title", 1, 45))
        if not 1 <= len(data.get("custom_id") or "") <= 100:
            problems.append(_bad_length("data.custom_id", 1, 100))
        if not 1 <= len(data.get("components") or []) <= 5:
            problems.append(_bad_length("data.components", 1, 5))
        return invalid_form_body(problems) if problems else None
    return None


def _option_problems(options: list[dict[str, Any]], path: str) -> list[Problem]:
    problems: list[Problem] = []
    if len(options) > 25:
        problems.append(_too_long(path, 25))
    seen_optional = False
    names: set[str] = set()
    for i, option in enumerate(options):
        here = f"{path}.{i}"
        problems += _name_problems(option, here, chat_input=True)
        if option.get("name") in names:
            problems.append(
                (f"{here}.name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique")
            )
        names.add(option.get("name", ""))
        if option.get("type") in (1, 2):
            problems += _option_problems(option.get("options") or [], f"{here}.options")
            continue
        if option.get("required") and seen_optional:
            message = "Required options must be placed before non-required options"
            problems.append((f"{here}.required", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", message))
        seen_optional = seen_optional or not option.get("required")
        choices = option.get("choices") or []
        if len(choices) > 25:
            problems.append(_too_long(f"{here}.choices", 25))
        if choices and option.get("autocomplete"):
            message = "Autocomplete cannot be set with choices"
            problems.append((f"{here}.autocomplete", "AUTOCOMPLETE_AND_CHOICES_MUTUALLY_EXCLUSIVE", message))
    return problems


def _name_problems(item: dict[str, Any], path: str, *, chat_input: bool) -> list[Problem]:
    problems: list[Problem] = []
    name = item.get("name") or ""
    if chat_input and (not _NAME_RE.match(name) or name != name.lower()):
        problems.append((f"{path}.name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"))
    elif not 1 <= len(name) <= 32:
        problems.append(_bad_length(f"{path}.name", 1, 32))
    description = item.get("description") or ""
    if chat_input and not 1 <= len(description) <= 100:
        problems.append(_bad_length(f"{path}.description", 1, 100))
    if not chat_input and description:
        message = "Context menu commands cannot have a description"
        problems.append((f"{path}.description", "APPLICATION_COMMAND_DESCRIPTION_INVALID", message))
    return problems


def command_problems(command: dict[str, Any], path: str = "") -> list[Problem]:
    prefix = f"{path}." if path else ""
    chat_input = command.get("type", 1) == 1
    problems = [(p.removeprefix("."), c, m) for p, c, m in _name_problems(command, path, chat_input=chat_input)]
    if chat_input:
        problems += _option_problems(command.get("options") or [], f"{prefix}options")
    return problems


def check_commands(commands: list[dict[str, Any]]) -> web.Response | None:
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    for i, command in enumerate(commands):
        problems += command_problems(command, str(i))
        key = (command.get("type", 1), command.get("name", ""))
        if key in seen:
            problems.append(
                (f"{i}.name", "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
            )
        seen.add(key)
    return invalid_form_body(problems) if problems else None
