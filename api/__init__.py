"""The HTTP API and the web interface over the store (FastAPI, server-rendered Jinja2 pages).

`create_app(store, settings=...)` builds the app; `cnpolicy serve` (cnpolicy/cli/serve.py) runs it.
Imported lazily, so `cnpolicy --help` does not load FastAPI and the extraction pipeline.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Settings", "create_app", "settings_from_env"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from cnpolicy.api.app import create_app

        return create_app
    if name in ("Settings", "settings_from_env"):
        from cnpolicy.api import settings

        return getattr(settings, name)
    raise AttributeError(f"module 'cnpolicy.api' has no attribute {name!r}")
