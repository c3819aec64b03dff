"""Limits that keep one client from taking the sandbox down: the size of a request's body."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._errors import error_response

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024  # 10 MiB: far above any realistic run body


def _too_large(limit: int) -> str:
    return f"Request body too large (the limit is {limit} bytes)"


class BodyLimit:
    """Refuses a request body over `limit` bytes with 413: at once when Content-Length says so,
    else as soon as the bytes read pass it, so a huge body is never held in memory."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await error_response(413, _too_large(self.limit))(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:  # the handler reading the body gets the 413
                raise HTTPException(413, _too_large(self.limit))
            return message

        await self.app(scope, counted, send)
