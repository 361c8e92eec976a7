"""What every route gets from the app: the injected store, the frozen settings, the pipeline lock."""

from __future__ import annotations

import threading

from fastapi import Request

from cnpolicy.api.settings import Settings
from cnpolicy.search.backend import Store


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_pipeline_lock(request: Request) -> threading.Lock:
    lock: threading.Lock = request.app.state.pipeline_lock
    return lock
