"""The files of extract/data (lexicons, patterns, person and place lists), read by name."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from cnpolicy.errors import ExtractError

__all__ = ["read_data", "read_json"]


def read_data(name: str) -> str:
    """The text of a file in extract/data."""
    return resources.files("cnpolicy.extract").joinpath("data").joinpath(name).read_text("utf-8")


def read_json(name: str) -> Any:
    """A JSON file in extract/data; ExtractError naming it when it is not valid JSON."""
    try:
        return json.loads(read_data(name))
    except json.JSONDecodeError as exc:
        raise ExtractError(f"invalid JSON: {exc}", source=f"extract/data/{name}") from exc
