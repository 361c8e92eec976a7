"""The upload limit, enforced while the body arrives (ASGI middleware), before anything is parsed.

A declared Content-Length over the limit is refused at once; a body that grows past it (chunked
uploads, lying headers) is cut off with the same 413.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cnpolicy.api.errors import UploadTooLargeError, error_body

__all__ = [
    "BODY_METHODS",
    "MULTIPART_OVERHEAD",
    "BodyLimitMiddleware",
    "too_large_message",
]

# Room for the multipart framing around the files (boundaries, part headers: ~200 bytes a part
# for up to MAX_FILES_PER_UPLOAD parts), so a file of exactly the limit still fits.
MULTIPART_OVERHEAD = 64 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def too_large_message(limit: int) -> str:
    return f"the upload is over the limit of {limit} bytes ({limit / 1024 / 1024:.0f} MB)"


class BodyLimitMiddleware:
    """Refuse request bodies over `max_bytes` (+ the multipart overhead) with 413."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.cap = max_bytes + MULTIPART_OVERHEAD

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.cap:
            await self._refuse(send)
            return
        received = 0
        cap, limit = self.cap, self.max_bytes

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise UploadTooLargeError(too_large_message(limit), field="files")
            return message

        await self.app(scope, limited, send)

    async def _refuse(self, send: Send) -> None:
        body = error_body(
            413, "UploadTooLargeError", too_large_message(self.max_bytes), field="files"
        )
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None
