"""``POST /v1/plans``: a whole territory (scenario JSON or a zip of its folder), as a job."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.config import Settings
from app.deps import RuntimeDep
from app.errors import ApiError, redact_paths, scenario_error_items
from app.examples import plan_examples
from app.guards import check_scenario_files
from app.limits import BodyTooLarge
from app.routers.common import ERRORS, JOB_LINKS, queue_job
from app.schemas import ErrorOut, JobOut, PlanRequest
from app.tasks import PLAN, Services
from app.uploads import UploadError, ZipLimits, read_scenario_zip, write_scenario_files
from solver.core import ScenarioError
from solver.scenario import scenario_to_json

router = APIRouter(prefix="/v1/plans", tags=["plans"])

_UPLOAD_SCHEMA = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {
            "type": "string",
            "format": "binary",
            "description": "Zip of a scenario folder (settings.toml and the CSV files).",
        },
        "time_limit_s": {"type": "number", "exclusiveMinimum": 0, "maximum": 3600},
        "seed": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
    },
}
_REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": PlanRequest.model_json_schema(ref_template="#/components/schemas/{model}"),
            "examples": plan_examples(),
        },
        "multipart/form-data": {"schema": _UPLOAD_SCHEMA},
    },
}
_UNSUPPORTED: dict[int | str, dict[str, Any]] = {
    415: {"model": ErrorOut, "description": "Body neither JSON nor multipart/form-data."}
}


def _bad(loc: list[str | int], value: Any, message: str) -> ApiError:
    return ApiError.one(422, loc, value, message)


def _zip_limits(settings: Settings) -> ZipLimits:
    return ZipLimits(
        max_entries=settings.max_zip_files,
        max_total_bytes=settings.max_zip_bytes,
        max_ratio=settings.max_zip_ratio,
        entries_setting=settings.env_name("max_zip_files"),
        bytes_setting=settings.env_name("max_zip_bytes"),
        ratio_setting=settings.env_name("max_zip_ratio"),
    )


def _upload_items(exc: ScenarioError, folder: Path) -> list[dict[str, Any]]:
    """Error items of a problem in the uploaded files, without the server's folder."""
    items = scenario_error_items(exc, prefix=("body", "file"))
    for item in items:
        item["message"] = redact_paths(item["message"].replace(str(folder), "upload"))
    return items


def _scenario_from_zip(services: Services, data: bytes, settings: Settings) -> dict[str, Any]:
    """The scenario of a zip upload, as JSON: read in memory, checked, then loaded.

    The loader reads a folder: the accepted files are written under their fixed names
    into a fresh temporary folder, deleted on return.
    """
    try:
        files = read_scenario_zip(data, _zip_limits(settings))
    except UploadError as exc:
        raise _bad(["body", "file"], exc.entry, exc.message) from None
    try:
        check_scenario_files(files, settings)
    except ScenarioError as exc:
        raise ApiError(422, scenario_error_items(exc, prefix=("body", "file"))) from None
    with tempfile.TemporaryDirectory(prefix="racines-upload-") as tmp:
        folder = write_scenario_files(files, Path(tmp))
        try:
            scenario = services.load_scenario(folder)
        except ScenarioError as exc:  # located in the uploaded files
            raise ApiError(422, _upload_items(exc, folder)) from None
    parsed: dict[str, Any] = json.loads(scenario_to_json(scenario))
    return parsed


async def _from_multipart(request: Request, rt: RuntimeDep) -> dict[str, Any]:
    try:
        form = await request.form(max_files=1, max_fields=10)
    except BodyTooLarge:
        raise
    except Exception as exc:  # malformed multipart: the client's fault
        raise _bad(["body"], None, f"unreadable multipart body: {exc}") from None
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise _bad(["body", "file"], None, "field required: a zip of the scenario folder")
    data = await upload.read()
    options: dict[str, Any] = {}
    for key in ("time_limit_s", "seed"):
        value = form.get(key)
        if isinstance(value, str) and value != "":
            options[key] = value
    try:
        body = PlanRequest.model_validate({"scenario": {}, **options})
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        ) from None
    scenario = await rt.validation.run(
        _scenario_from_zip, rt.services, data, rt.settings, field="file"
    )
    return {**body.to_request(), "scenario": scenario}


def _parse_json(raw: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _bad(["body"], raw[:80].decode("utf-8", "replace"), f"invalid JSON: {exc}") from None
    try:
        body = PlanRequest.model_validate(payload)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        ) from None
    return body.to_request()


async def _from_json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    return await run_in_threadpool(_parse_json, raw)


@router.post(
    "",
    response_model=JobOut,
    status_code=202,
    responses={202: {"links": JOB_LINKS}, **ERRORS, **_UNSUPPORTED},
    openapi_extra={"requestBody": _REQUEST_BODY},
)
async def create_plan(request: Request, rt: RuntimeDep) -> Response:
    """Plan a whole territory: always a job (202), poll ``links.self``.

    Send the scenario as JSON (``scenario_name`` or inline ``scenario``), or upload a zip
    of a scenario folder as ``multipart/form-data`` field ``file``. The scenario is
    validated before the job is queued: a bad one is answered 422 with every problem
    (file, row, column, value).
    """
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        job_request = await _from_json(request)
    elif ctype == "multipart/form-data":
        job_request = await _from_multipart(request, rt)
    else:
        msg = "send application/json (scenario) or multipart/form-data (zip in field 'file')"
        raise ApiError.one(415, ["header", "content-type"], ctype, msg)
    await rt.validation.run(rt.resolver.resolve, job_request)
    return await queue_job(rt, PLAN, job_request)
