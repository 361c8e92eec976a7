"""The service's settings (token, upload limit, CORS origins, originals, pipeline options), frozen.

`settings_from_env` is the only place the environment is read; everything below gets a Settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from cnpolicy.config import MAX_INPUT_BYTES, UPLOAD_SECONDS, Options
from cnpolicy.errors import ConfigError

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_FILES_PER_UPLOAD",
    "MAX_PAGE_SIZE",
    "TOKEN_VARIABLE",
    "Settings",
    "settings_from_env",
]

# The environment variable holding the bearer token that write endpoints require when set.
TOKEN_VARIABLE = "CNPOLICY_API_TOKEN"
# Results per page on the search page and the default `limit` of the list endpoints: one screen
# of snippets on a laptop; the API lets a client ask for up to MAX_PAGE_SIZE.
DEFAULT_PAGE_SIZE = 20
# The most rows one list request may return: enough for any screen or a comparison of every
# prefecture in China (~330), small enough that one request cannot make the server build a huge
# response; bulk use goes through /export.
MAX_PAGE_SIZE = 500
# Files accepted in one upload request: a folder of a year's reports is a few dozen files; the
# web page sends one file per request, so this bounds only scripted multi-file uploads.
MAX_FILES_PER_UPLOAD = 50


@dataclass(frozen=True, slots=True)
class Settings:
    """What the app needs to know about its deployment; the store is passed separately."""

    token: str | None = None
    # One upload request (all its files together) may carry at most this many bytes of body:
    # the ingest limit (cnpolicy.config.MAX_INPUT_BYTES, 50 MB) plus the multipart framing.
    max_upload_bytes: int = MAX_INPUT_BYTES
    cors_origins: tuple[str, ...] = ()
    options: Options = field(default_factory=Options)
    page_size: int = DEFAULT_PAGE_SIZE
    max_files: int = MAX_FILES_PER_UPLOAD
    # How the store is described on /health and the pages ("sqlite:data/cnpolicy.db").
    store_label: str = ""
    # Keep each uploaded file (up to search.sources.MAX_SOURCE_BYTES) as the document's original,
    # served by GET /documents/{id}/source; `cnpolicy serve --no-sources` turns it off.
    keep_sources: bool = True
    # Seconds one upload request may spend being processed (cnpolicy.config.UPLOAD_SECONDS).
    upload_seconds: float = UPLOAD_SECONDS

    def __post_init__(self) -> None:
        if self.max_upload_bytes < 1:
            raise ConfigError(
                f"expected a positive number of bytes, got {self.max_upload_bytes}",
                field="max_upload_bytes",
            )
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ConfigError(
                f"expected 1 to {MAX_PAGE_SIZE}, got {self.page_size}", field="page_size"
            )
        if not self.upload_seconds > 0:
            raise ConfigError(
                f"expected a positive number of seconds, got {self.upload_seconds}",
                field="upload_seconds",
            )
        if self.token is not None and not self.token.strip():
            raise ConfigError("the API token is blank; unset it or give a value", field="token")
        for origin in self.cors_origins:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ConfigError(
                    f"expected an origin like https://example.org or *, got {origin!r}",
                    field="cors_origins",
                )


def settings_from_env(
    environ: Mapping[str, str] | None = None,
    *,
    max_upload_bytes: int = MAX_INPUT_BYTES,
    cors_origins: tuple[str, ...] = (),
    options: Options | None = None,
    store_label: str = "",
    keep_sources: bool = True,
    upload_seconds: float = UPLOAD_SECONDS,
) -> Settings:
    """Settings with the token read from CNPOLICY_API_TOKEN (an empty value means no token)."""
    env = os.environ if environ is None else environ
    token = env.get(TOKEN_VARIABLE) or None
    return Settings(
        token=token,
        max_upload_bytes=max_upload_bytes,
        cors_origins=cors_origins,
        options=options or Options(),
        store_label=store_label,
        keep_sources=keep_sources,
        upload_seconds=upload_seconds,
    )
