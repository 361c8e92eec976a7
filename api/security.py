"""Security headers on every response: a Content-Security-Policy the pages pass (scripts only
from our own static files; no inline script), no MIME sniffing, no framing, a strict referrer.

A response that sets its own policy (a downloaded original file: `sandbox`) keeps it; an
original PDF gets none (see PDF).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SECURITY_HEADERS", "SecurityHeadersMiddleware"]

# The pages load their scripts and styles from /static; bar widths are style attributes (hence
# style-src-attr); the document page's records are a JSON <script type="application/json">,
# which is data, not script. Nothing is framed, posted elsewhere or loaded from another origin.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# An original PDF is served inline without a policy: Chromium's PDF viewer is a plugin, which
# `object-src 'none'` (or a sandbox) would block; the file is never HTML, so it runs no script.
PDF = b"application/pdf"
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)


class SecurityHeadersMiddleware:
    """Add SECURITY_HEADERS to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                media = dict(headers).get(b"content-type", b"").split(b";")[0].strip()
                if media == PDF:
                    present.add(b"content-security-policy")  # see PDF
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
