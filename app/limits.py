"""Request body size limit, enforced before the body is parsed (413 naming the limit)."""

from __future__ import annotations

import json
import logging

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)


class BodyTooLarge(HTTPException):
    """The body went past the limit while being received (answered 413).

    An ``HTTPException`` so that FastAPI's body reader re-raises it as is.
    """

    def __init__(self, item: dict[str, object]) -> None:
        super().__init__(status_code=413, detail=str(item["message"]))
        self.items = [item]


class BodySizeLimit:
    """ASGI middleware answering 413 to a body larger than ``max_bytes``.

    A declared ``Content-Length`` over the limit is refused before anything is read; a
    chunked body is counted as it arrives and refused as soon as it passes the limit.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, setting: str) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.setting = setting

    def _item(self, size: int | None) -> dict[str, object]:
        shown = f"{size} bytes" if size is not None else "more bytes"
        message = (
            f"body: the request body ({shown}) exceeds the limit of {self.max_bytes} bytes "
            f"(setting {self.setting})"
        )
        return {"loc": ["body"], "field": "body", "value": size, "message": message}

    def _body(self, size: int | None) -> bytes:
        return json.dumps({"detail": [self._item(size)]}).encode()

    async def _refuse(self, send: Send, size: int | None) -> None:
        body = self._body(size)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count the received bytes."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._refuse(send, declared)
                    return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self._item(None))
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, None)
