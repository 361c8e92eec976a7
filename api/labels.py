"""The web pages' Chinese labels for stored codes and errors, read once from templates/labels.json."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

__all__ = ["chinese_message", "labels"]

# What an error says in Chinese when neither its type nor its status has a sentence of its own.
FALLBACK_MESSAGE = "出错了。"


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    text = resources.files("cnpolicy.api").joinpath("templates").joinpath("labels.json")
    data: dict[str, dict[str, str]] = json.loads(text.read_text("utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def chinese_message(kind: str, status: int) -> str:
    """An error's sentence in Chinese: by its type, else by its HTTP status."""
    table = labels()
    return table["error_types"].get(kind) or table["error_statuses"].get(
        str(status), FALLBACK_MESSAGE
    )
