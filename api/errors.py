"""Errors become HTTP responses here and only here: cnpolicy's exception tree → status codes.

Every error answer is `{"error": {"status", "type", "message", "message_zh", "field", "source"}}`
(JSON: `message` in English, naming what went wrong; `message_zh` the Chinese sentence for its type), or
the error page for the web interface; nothing the client sends produces a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from cnpolicy.api.labels import chinese_message
from cnpolicy.errors import (
    BackendUnavailableError,
    CnpolicyError,
    ConfigError,
    CorruptFileError,
    DecodeError,
    EmptyDocumentError,
    EncryptedFileError,
    ExtractError,
    FileTooLargeError,
    GoldFormatError,
    IngestError,
    NoTextLayerError,
    NotFoundError,
    QueryError,
    SchemaVersionError,
    StoreError,
    TooLargeError,
    UnsupportedFormatError,
)

__all__ = [
    "LOG",
    "QUERY_FIELDS",
    "STATUS_CODES",
    "WEB_PREFIXES",
    "AuthError",
    "BadRequestError",
    "UploadTooLargeError",
    "describe_validation",
    "error_body",
    "handle_cnpolicy_error",
    "handle_http_error",
    "handle_unexpected",
    "handle_validation_error",
    "install_error_handlers",
    "render_error",
    "status_for",
    "wants_html",
]

LOG = logging.getLogger("cnpolicy.api")

# First match wins, so subclasses come before their bases.
STATUS_CODES: tuple[tuple[type[CnpolicyError], int], ...] = (
    (TooLargeError, 413),
    (UnsupportedFormatError, 415),
    (EmptyDocumentError, 422),
    (DecodeError, 422),
    (NoTextLayerError, 422),
    (EncryptedFileError, 422),
    (CorruptFileError, 422),
    (IngestError, 422),
    (NotFoundError, 404),
    (QueryError, 400),
    (ConfigError, 422),
    (GoldFormatError, 422),
    (BackendUnavailableError, 503),
    (SchemaVersionError, 503),
    (StoreError, 500),
    (ExtractError, 500),
)
# Query errors about these fields are a malformed query (400); about any other parameter they
# are an invalid parameter (422), like FastAPI's own validation errors.
QUERY_FIELDS = frozenset({None, "q", "query"})
# Path prefixes of the web interface: errors there render the HTML error page.
WEB_PREFIXES = ("/ui",)


class UploadTooLargeError(FileTooLargeError):
    """The request body went over the upload limit while it was being received."""


class AuthError(CnpolicyError):
    """A write request without the right bearer token."""


class BadRequestError(CnpolicyError):
    """A request body that cannot be parsed at all (not JSON, not multipart)."""


def status_for(error: CnpolicyError) -> int:
    """The HTTP status for one of our exceptions."""
    if isinstance(error, AuthError):
        return 401
    if isinstance(error, BadRequestError):
        return 400
    if isinstance(error, QueryError) and error.field not in QUERY_FIELDS:
        return 422
    for kind, status in STATUS_CODES:
        if isinstance(error, kind):
            return status
    return 500


def error_body(
    status: int,
    kind: str,
    message: str,
    *,
    field: str | None = None,
    source: str | None = None,
    details: Sequence[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": status,
        "type": kind,
        "message": message,
        "message_zh": chinese_message(kind, status),
        "field": field,
        "source": source,
    }
    if details:
        body["details"] = list(details)
    return {"error": body}


def wants_html(request: Request) -> bool:
    return request.url.path.startswith(WEB_PREFIXES)


def render_error(
    request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    """The JSON error, or the web interface's error page for a page request."""
    if wants_html(request):
        templates = getattr(request.app.state, "templates", None)
        if templates is not None:
            response: Response = templates.TemplateResponse(
                request, "error.html", {"error": body["error"]}, status_code=status
            )
            if headers:
                response.headers.update(headers)
            return response
        return HTMLResponse(f"<h1>{status}</h1>", status_code=status, headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


def describe_validation(errors: Sequence[Any]) -> tuple[str, str | None, list[dict[str, Any]]]:
    """One readable message naming the parameters, the first one's name, and the details."""
    details: list[dict[str, Any]] = []
    for item in errors:
        loc = [str(part) for part in item.get("loc", ()) if part not in ("query", "path", "body")]
        details.append({"field": ".".join(loc) or None, "message": str(item.get("msg", ""))})
    parts = [f"{d['field']}: {d['message']}" if d["field"] else d["message"] for d in details]
    first = details[0]["field"] if details else None
    return "; ".join(parts) or "invalid request", first, details


async def handle_cnpolicy_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, CnpolicyError)
    status = status_for(error)
    if status >= 500:
        LOG.error("%s %s: %s: %s", request.method, request.url.path, type(error).__name__, error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    body = error_body(
        status, type(error).__name__, error.message, field=error.field, source=error.source
    )
    return render_error(request, status, body, headers)


async def handle_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = list(error.errors())
    malformed = any(str(item.get("type")) == "json_invalid" for item in errors)
    status = 400 if malformed else 422
    message, field, details = describe_validation(errors)
    body = error_body(status, "ValidationError", message, field=field, details=details)
    return render_error(request, status, body)


async def handle_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    body = error_body(error.status_code, "HTTPError", str(error.detail))
    return render_error(request, error.status_code, body, dict(error.headers or {}) or None)


async def handle_unexpected(request: Request, error: Exception) -> Response:
    LOG.exception("%s %s: internal error", request.method, request.url.path)
    message = f"internal error: {type(error).__name__} (please report this)"
    return render_error(request, 500, error_body(500, "InternalError", message))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CnpolicyError, handle_cnpolicy_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(Exception, handle_unexpected)
