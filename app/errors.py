"""HTTP errors: every 4xx names the field and the value, no stack trace ever reaches a client.

All error bodies share one shape::

    {"detail": [{"loc": ["body", "weeks"], "field": "weeks", "value": 0,
                 "message": "weeks: Input should be greater than or equal to 1 (got 0)"}]}

Domain exceptions map to status codes here (``ScenarioError`` -> 422), so routers hold no
try/except. Anything unexpected becomes a 500 with an error id, logged with its traceback
on the server side only.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from solver.core import ScenarioError

logger = logging.getLogger(__name__)

_MAX_VALUE_CHARS = 200
_LOC_SOURCES = ("body", "query", "path", "header", "cookie")


class ApiError(Exception):
    """An error answered to the client with ``status`` and located items."""

    def __init__(
        self,
        status: int,
        items: Sequence[dict[str, Any]],
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(items[0]["message"] if items else str(status))
        self.status = status
        self.items = list(items)
        self.headers = headers

    @classmethod
    def one(
        cls,
        status: int,
        loc: Sequence[str | int],
        value: Any,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> ApiError:
        """An error about a single field."""
        return cls(status, [error_item(loc, value, message, **extra)], headers=headers)


class RequestProblem(ValueError):
    """A request names something that does not fit (unknown id, a limit exceeded).

    ``field`` is the dotted request field (``canteen_id``, ``scenario.canteens``);
    answered 422 (or a failed job with code ``invalid_request``).
    """

    def __init__(self, field: str, value: Any, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.value = value
        self.message = message

    def item(self) -> dict[str, Any]:
        """The error item of this problem (``scenarios[1].variants[0]`` is located as
        ``["body", "scenarios", 1, "variants", 0]``)."""
        loc: list[str | int] = ["body"]
        for part in self.field.split("."):
            name, *indices = part.replace("]", "").split("[")
            loc.append(name)
            loc += [int(i) for i in indices if i.isdigit()]
        return error_item(loc, self.value, self.message, field=self.field)


_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:[^\s'\"():,;/]+/)*([^\s'\"():,;/]+)")


def redact_paths(text: str) -> str:
    """``text`` with every absolute path cut to its last part (no server folder is shown)."""
    return _ABSOLUTE_PATH.sub(lambda m: m.group(1), text)


def field_name(loc: Iterable[str | int]) -> str:
    """``("body", "scenario", "canteens", 3, "lat")`` -> ``scenario.canteens[3].lat``."""
    parts = list(loc)
    if parts and parts[0] in _LOC_SOURCES:
        parts = parts[1:]
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += f".{p}" if out else str(p)
    return out or "body"


def shown_value(value: Any) -> Any:
    """A JSON-safe, size-bounded copy of an offending value."""
    try:
        enc = jsonable_encoder(value)
        text = json.dumps(enc, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        text = repr(value)
        enc = text
    if len(text) > _MAX_VALUE_CHARS:
        return text[:_MAX_VALUE_CHARS] + "..."
    return enc


def error_item(
    loc: Sequence[str | int],
    value: Any,
    message: str,
    *,
    field: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One located error: loc, field, value and a message naming both."""
    field = field if field is not None else field_name(loc)
    value = shown_value(value)
    text = message if message.startswith(field) else f"{field}: {message}"
    if value is not None and value != "" and "(got " not in text:
        text += f" (got {json.dumps(value, ensure_ascii=False)[:_MAX_VALUE_CHARS]})"
    return {"loc": list(loc), "field": field, "value": value, "message": text, **extra}


def scenario_error_items(
    exc: ScenarioError, prefix: Sequence[str | int] = ("body", "scenario")
) -> list[dict[str, Any]]:
    """One error item per problem of a :class:`ScenarioError` (file, row, column, value).

    A problem of a scenario *file* (``producers.csv``, row 3, column lat) keeps the
    spreadsheet's row number; a problem of an inline JSON scenario (``offers``, record 1)
    is located like the JSON itself: ``scenario.offers[0].producer_id``.
    """
    items = []
    for p in exc.problems:
        columns = [c for c in p.column.split(".") if c] if p.column else []
        loc: list[str | int] = [*prefix, p.file]
        if "." in p.file:  # a file of a scenario folder
            field = p.file + (f", row {p.row}" if p.row else "")
            field += f", column {p.column}" if p.column else ""
            if p.row:
                loc.append(p.row)
            loc += columns
            field_arg: str | None = field
        else:  # a collection of the JSON form; rows count from 1 there too
            if p.row:
                loc.append(p.row - 1)
            loc += columns
            field_arg = None
        items.append(
            error_item(
                loc, p.value, p.message, field=field_arg, file=p.file, row=p.row, column=p.column
            )
        )
    return items


def validation_items(errors: Iterable[Any]) -> list[dict[str, Any]]:
    """Error items of pydantic / FastAPI validation errors."""
    items = []
    for err in errors:
        loc = tuple(err.get("loc", ()))
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        value = err.get("input")
        if err.get("type") == "missing":
            value = None
        items.append(error_item(loc, value, msg))
    return items


def domain_error_items(exc: Exception) -> tuple[int, list[dict[str, Any]]] | None:
    """Status and items of a domain error that is the request's fault, else None.

    ``CalendarError`` (weeks outside the known school calendar), ``GeodataError``
    (unusable travel settings) and ``NetworkDataError`` (a road network that cannot be
    read) are 422; a failed geocoder is 502. Server paths in their messages are cut to
    the file name.
    """
    from geodata import GeocodingError, GeodataError, NetworkDataError
    from solver.core import CalendarError

    if isinstance(exc, CalendarError):
        loc: list[str | int] = ["body", "scenario", "settings", "start_date"]
        return 422, [error_item(loc, None, f"the planned weeks do not fit: {exc}")]
    if isinstance(exc, GeodataError):
        loc = ["body", "scenario", "settings", "travel"]
        msg = f"travel times unavailable: {redact_paths(str(exc))}"
        return 422, [error_item(loc, None, msg)]
    if isinstance(exc, NetworkDataError):
        loc = ["body", "scenario", "settings", "travel", "road_file"]
        msg = f"the road network cannot be used: {redact_paths(str(exc))}"
        return 422, [error_item(loc, None, msg)]
    if isinstance(exc, GeocodingError):
        return 502, [error_item(["body"], None, f"geocoding service failed: {exc}")]
    return None


async def _domain_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    mapped = domain_error_items(exc)
    assert mapped is not None
    status, items = mapped
    return JSONResponse(status_code=status, content={"detail": items})


async def _validation_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(status_code=422, content={"detail": validation_items(exc.errors())})


async def _api_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(status_code=exc.status, content={"detail": exc.items}, headers=exc.headers)


async def _scenario_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ScenarioError)
    return JSONResponse(status_code=422, content={"detail": scenario_error_items(exc)})


async def _request_problem_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestProblem)
    return JSONResponse(status_code=422, content={"detail": [exc.item()]})


async def _http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    items = getattr(exc, "items", None)
    if exc.status_code == 400 and items is None:  # FastAPI could not read the body
        msg = f"the body could not be read ({exc.detail}): send UTF-8 JSON"
        return JSONResponse(status_code=422, content={"detail": [error_item(["body"], None, msg)]})
    if items is None:
        items = [error_item(["path"], request.url.path, str(exc.detail))]
    return JSONResponse(status_code=exc.status_code, content={"detail": items}, headers=exc.headers)


async def _internal_error_handler(request: Request, exc: Exception) -> JSONResponse:
    error_id = uuid.uuid4().hex[:12]
    logger.error(
        "unhandled error %s on %s %s",
        error_id,
        request.method,
        request.url.path,
        exc_info=exc,
    )
    return JSONResponse(
        status_code=500,
        content={
            "detail": [
                {
                    "loc": [],
                    "field": "",
                    "value": None,
                    "message": f"internal error; quote error id {error_id}",
                    "error_id": error_id,
                }
            ]
        },
    )


def install(app: FastAPI) -> None:
    """Register the exception handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(ApiError, _api_error_handler)
    app.add_exception_handler(ScenarioError, _scenario_error_handler)
    app.add_exception_handler(RequestProblem, _request_problem_handler)
    from geodata import GeocodingError, GeodataError, NetworkDataError
    from solver.core import CalendarError

    for cls in (CalendarError, GeodataError, NetworkDataError, GeocodingError):
        app.add_exception_handler(cls, _domain_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_error_handler)
    app.add_exception_handler(Exception, _internal_error_handler)
