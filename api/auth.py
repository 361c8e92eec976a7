"""Write access: a bearer token, when CNPOLICY_API_TOKEN is set, compared in constant time.

Reads stay open; POST and DELETE endpoints depend on `require_token`.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from cnpolicy.api.errors import AuthError
from cnpolicy.api.settings import Settings

__all__ = [
    "SCHEME",
    "check_token",
    "require_token",
    "token_matches",
]

SCHEME = "bearer"


def token_matches(expected: str, header: str | None) -> bool:
    """Whether an Authorization header carries the expected bearer token (constant time)."""
    if not header:
        return False
    scheme, _, given = header.strip().partition(" ")
    if scheme.lower() != SCHEME:
        return False
    # Header values arrive decoded as Latin-1 (HTTP's rule); re-encoding gives the bytes sent,
    # which for a non-ASCII token are its UTF-8 bytes.
    sent = given.strip().encode("latin-1", errors="replace")
    return hmac.compare_digest(sent, expected.encode("utf-8"))


def check_token(settings: Settings, header: str | None) -> None:
    if settings.token is None:
        return
    if not header:
        raise AuthError(
            "this server requires a token for writes: send Authorization: Bearer <token>",
            field="Authorization",
        )
    if not token_matches(settings.token, header):
        raise AuthError("the bearer token is not valid", field="Authorization")


def require_token(request: Request) -> None:
    """FastAPI dependency for write endpoints."""
    settings: Settings = request.app.state.settings
    check_token(settings, request.headers.get("authorization"))
