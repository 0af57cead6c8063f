"""Points discord.py at a fake Discord in a child process (tests only).

Python imports ``sitecustomize`` at startup when its folder is on PYTHONPATH. If
``FAKE_DISCORD_API_BASE`` is set, this module waits for ``discord`` to be imported (no cost for
processes that never import it) and then sets:

* ``discord.http.Route.BASE`` to ``FAKE_DISCORD_API_BASE``;
* ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` to ``FAKE_DISCORD_GATEWAY_URL``
  (default: ``ws://<host:port of the API>/gateway-ws``);
* ``discord.asset.Asset.BASE`` to ``FAKE_DISCORD_CDN_BASE`` (default: the API's origin).

Any other ``sitecustomize`` this one shadows still runs.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit


def _patch_discord() -> None:
    import yarl
    from discord.asset import Asset
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    api_base = os.environ["FAKE_DISCORD_API_BASE"].rstrip("/")
    origin = urlsplit(api_base)
    Route.BASE = api_base
    gateway = os.environ.get("FAKE_DISCORD_GATEWAY_URL") or f"ws://{origin.netloc}/gateway-ws"
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    Asset.BASE = os.environ.get("FAKE_DISCORD_CDN_BASE") or f"{origin.scheme}://{origin.netloc}"


class _PatchDiscordOnImport(importlib.abc.MetaPathFinder):
    """Runs ``_patch_discord`` right after the ``discord`` package has finished importing."""

    def find_spec(self, name: str, path: Any = None, target: ModuleType | None = None) -> Any:
        if name != "discord":
            return None
        sys.meta_path.remove(self)  # once is enough, and avoids finding ourselves below
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        exec_module = loader.exec_module

        def exec_then_patch(module: ModuleType) -> None:
            exec_module(module)
            _patch_discord()

        loader.exec_module = exec_then_patch  # type: ignore[method-assign]
        return spec


def _run_shadowed_sitecustomize() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    others = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", others)
    if spec is None or spec.loader is None or spec.origin == os.path.abspath(__file__):
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


if os.environ.get("FAKE_DISCORD_API_BASE"):
    if "discord" in sys.modules:
        _patch_discord()
    else:
        sys.meta_path.insert(0, _PatchDiscordOnImport())
_run_shadowed_sitecustomize()
