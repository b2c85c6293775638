"""What every answer and every request body goes through, before any route: the browser's
security headers, and the body size limits (OWASP ASVS L2, issue 23).

A plain ASGI middleware, outside the framework's parsing: a body larger than its route
accepts is refused with 413 when its declared length says so, before a byte of it is read,
and otherwise as soon as the bytes read pass the limit (a chunked body), so no one can make
the server hold more than the limit in memory, signed in or not.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from habeas.api.errors import body as error_body

KIB, MIB = 1024, 1024 * 1024
BATCH_BYTES = 50 * MIB  # a day's file from a regional system; larger goes through `habeas import`
BODY_BYTES = 1 * MIB  # one event (at most 64 KiB as a line), a sign-in, a web form
BATCH_PATH = "/api/v1/events:batch"

# No script but our own files, no inline script or style, no framing, forms only to us.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# Swagger UI (served from the package, never a CDN) sets a few styles inline.
DOCS_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def limit_of(path: str) -> int:
    return BATCH_BYTES if path == BATCH_PATH else BODY_BYTES


class TooLarge(StarletteHTTPException):
    def __init__(self, limit: int):
        super().__init__(413, f"the body is larger than {_size(limit)}: refused unread")


def _size(limit: int) -> str:
    return f"{limit // MIB} MB" if limit >= MIB else f"{limit // KIB} KB"


class Guard:
    """Security headers on every answer (HSTS when the request came over HTTPS, as the
    server or a proxy it trusts says: uvicorn's `--proxy-headers`), and body limits."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        policy = DOCS_POLICY if path.startswith("/api/docs") else POLICY
        extra = [(b"content-security-policy", policy.encode()), *HEADERS]
        if scope.get("scheme") == "https":
            extra.append(HSTS)

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
            await send(message)

        limit = limit_of(path)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send_guarded, limit)  # the body is never read
            return
        read = 0

        async def receive_limited() -> Message:
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > limit:
                    raise TooLarge(limit)  # the route's error handlers answer 413
            return message

        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_guarded(message)

        try:
            await self.app(scope, receive_limited, send_tracked)
        except TooLarge:  # raised where no handler answered it
            if not started:
                await _refuse(send_guarded, limit)


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, limit: int) -> None:
    import json

    payload = json.dumps(error_body("too_large", f"the body is larger than {_size(limit)}: refused unread")).encode()
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
