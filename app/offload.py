"""Request work kept off the event loop: JSON bodies and scenario validation, time-limited.

The event loop answers ``/healthz`` and job polls; nothing a client sends is parsed on
it. :class:`OffLoopRoute` decodes JSON bodies on a worker thread, and :class:`Validation`
runs the reading and validation of a posted scenario on a small pool of its own, with a
time limit: past it, the client gets a 422 naming the field (or a 503 with
``Retry-After`` when the pool was too busy to start the work), and the request's thread
finishes on its own (the size limits bound what it can still do).
"""

from __future__ import annotations

import asyncio
import functools
import json
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from app.errors import ApiError, error_item

T = TypeVar("T")


class _OffLoopJSONRequest(Request):
    """A request whose JSON body is decoded on a worker thread."""

    async def json(self) -> Any:
        """The decoded body (``json.JSONDecodeError`` as FastAPI expects)."""
        if not hasattr(self, "_json"):
            body = await self.body()
            self._json = await run_in_threadpool(json.loads, body)
        return self._json


class OffLoopRoute(APIRoute):
    """Route class of the POST routers: JSON bodies are decoded off the event loop."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, given a request that decodes JSON on a thread."""
        handler = super().get_route_handler()

        async def off_loop_handler(request: Request) -> Response:
            return await handler(_OffLoopJSONRequest(request.scope, request.receive))

        return off_loop_handler


class Validation:
    """A bounded pool running request validation with a time limit.

    Parameters
    ----------
    workers
        Validations run at once; more wait their turn (within the time limit).
    time_limit_s
        Longest a validation may take, waiting included.
    setting
        Name of the setting holding the time limit (for messages).
    retry_after_s
        ``Retry-After`` of the 503 answered when the pool could not start the work in time.
    """

    def __init__(
        self, *, workers: int, time_limit_s: float, setting: str, retry_after_s: int = 10
    ) -> None:
        self.time_limit_s = time_limit_s
        self.setting = setting
        self.retry_after_s = retry_after_s
        self.workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self.workers, thread_name_prefix="racines-validation"
                )
            return self._pool

    async def run(self, fn: Callable[..., T], *args: Any, field: str = "scenario") -> T:
        """``fn(*args)`` on the pool; 422 on ``field`` past the time limit, 503 if never started.

        Raises
        ------
        ApiError
        """
        started = threading.Event()

        def work() -> T:
            started.set()
            return fn(*args)

        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor(), functools.partial(work))
        try:
            return await asyncio.wait_for(future, self.time_limit_s)
        except TimeoutError:
            loc = ["body", *field.split(".")]
            if not started.is_set():
                msg = (
                    f"the server is busy validating other requests; retry in {self.retry_after_s} s"
                )
                item = error_item(loc, None, msg)
                headers = {"Retry-After": str(self.retry_after_s)}
                raise ApiError(503, [item], headers=headers) from None
            msg = (
                f"reading and validating took longer than {self.time_limit_s:g} s "
                f"(setting {self.setting}): send a smaller scenario"
            )
            raise ApiError(422, [error_item(loc, None, msg)]) from None

    def close(self) -> None:
        """Stop the pool (running validations finish; waiting ones are dropped).

        A later :meth:`run` starts a new pool (the app may be started again).
        """
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
