"""Data files shipped inside the packages (lexicons, patterns, the taxonomy), read by package and
name: one reader for every stage, an unreadable or malformed file an ExtractError naming it."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from cnpolicy.errors import ExtractError

__all__ = ["data_source", "read_data_json", "read_data_text"]


def data_source(package: str, name: str) -> str:
    """How errors name a data file: `extract/data/units.json`, `cnpolicy/data/indicators.json`."""
    return f"{package.rsplit('.', 1)[-1]}/data/{name}"


def read_data_text(package: str, name: str) -> str:
    """The text of `name` in the `data` folder of `package` (e.g. "cnpolicy.extract")."""
    path = resources.files(package).joinpath("data").joinpath(name)
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ExtractError(f"cannot read it ({error})", source=data_source(package, name)) from None


def read_data_json(package: str, name: str) -> dict[str, Any]:
    """A JSON object in the `data` folder of `package`."""
    try:
        data = json.loads(read_data_text(package, name))
    except json.JSONDecodeError as error:
        raise ExtractError(f"invalid JSON: {error}", source=data_source(package, name)) from None
    if not isinstance(data, dict):
        raise ExtractError("expected a JSON object", source=data_source(package, name))
    return data
