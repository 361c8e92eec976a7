"""What every route gets from the app: the injected store, the frozen settings."""

from __future__ import annotations

from fastapi import Request

from cnpolicy.api.settings import Settings
from cnpolicy.search.backend import Store

__all__ = [
    "get_settings",
    "get_store",
]


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings
