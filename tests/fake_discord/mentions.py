"""Checking that a send cannot ping anyone.

What discord.py 2.7.1 sends when the client was built with
``allowed_mentions=discord.AllowedMentions.none()`` (and the call passes none of its own):

* channel messages and replies (``Messageable.send`` / ``Message.reply``):
  ``"allowed_mentions": {"parse": []}`` - ``replied_user`` is omitted, which Discord reads as false;
* interaction responses (callback type 4 and 7): the same dict, nested in ``data``;
* webhook follow-ups and ``edit_original_response``: the same dict;
* ``Message.edit`` without ``content``: no ``allowed_mentions`` at all (edits never notify anyway);
* ``mention_author=True`` on a reply adds ``"replied_user": true`` - a ping.
"""

from __future__ import annotations

from typing import Any

from .records import RecordedRequest


def allowed_mentions_of(payload: Any) -> dict[str, Any] | None:
    """The ``allowed_mentions`` of a message payload, an interaction callback body or a record."""
    if isinstance(payload, RecordedRequest):
        payload = payload.message_payload
    if not isinstance(payload, dict):
        return None
    if isinstance(payload.get("type"), int) and isinstance(payload.get("data"), dict):
        payload = payload["data"]  # interaction callback body {"type": 4, "data": {...}}
    allowed = payload.get("allowed_mentions")
    return allowed if isinstance(allowed, dict) else None


def pings_nobody(payload: Any) -> bool:
    """True when ``allowed_mentions`` is present and allows no pings at all.

    That is: ``parse`` empty (or absent), no explicit ``users``/``roles`` and ``replied_user``
    not true. A payload without ``allowed_mentions`` is False: Discord would then parse every
    mention in the content, including @everyone when the bot may use it.
    """
    allowed = allowed_mentions_of(payload)
    if allowed is None:
        return False
    return not (allowed.get("parse") or allowed.get("users") or allowed.get("roles") or allowed.get("replied_user"))
