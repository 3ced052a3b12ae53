"""``POST /v1/plans``: a whole territory (scenario JSON or a zip of its folder), as a job."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.config import Settings
from app.deps import RuntimeDep
from app.errors import ApiError, scenario_error_items
from app.examples import plan_examples
from app.routers.common import ERRORS, accepted, enqueue
from app.schemas import ErrorOut, JobOut, PlanRequest
from app.tasks import PLAN, Services
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


def _safe_extract(data: bytes, dest: Path, settings: Settings) -> Path:
    """Extract a zip, refusing path tricks and zip bombs; return the scenario folder."""
    loc: list[str | int] = ["body", "file"]
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _bad(loc, f"{len(data)} bytes", "not a zip file") from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > settings.max_zip_files:
            msg = (
                f"{len(infos)} files exceed the limit of {settings.max_zip_files} "
                f"(setting {settings.env_name('max_zip_files')})"
            )
            raise _bad(loc, len(infos), msg)
        total = sum(i.file_size for i in infos)
        if total > settings.max_zip_bytes:
            msg = (
                f"{total} uncompressed bytes exceed the limit of {settings.max_zip_bytes} "
                f"(setting {settings.env_name('max_zip_bytes')})"
            )
            raise _bad(loc, total, msg)
        for info in infos:
            parts = PurePosixPath(info.filename.replace("\\", "/")).parts
            if not parts or info.filename.startswith("/") or ".." in parts:
                raise _bad(loc, info.filename, "unsafe path inside the zip")
            if parts[0] == "__MACOSX":
                continue
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                target.write_bytes(zf.read(info))
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
                raise _bad(loc, info.filename, f"cannot extract: {exc}") from None
    if (dest / "settings.toml").is_file():
        return dest
    found = sorted(p.parent for p in dest.rglob("settings.toml") if "__MACOSX" not in p.parts)
    if len(found) != 1:
        msg = "the zip must hold one scenario folder (settings.toml and the CSV files)"
        raise _bad(loc, f"{len(found)} settings.toml found", msg)
    return found[0]


def _scenario_from_zip(services: Services, data: bytes, settings: Settings) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="racines-upload-") as tmp:
        folder = _safe_extract(data, Path(tmp), settings)
        try:
            scenario = services.load_scenario(folder)
        except ScenarioError as exc:  # located in the uploaded files
            raise ApiError(422, scenario_error_items(exc, prefix=("body", "file"))) from None
    parsed: dict[str, Any] = json.loads(scenario_to_json(scenario))
    return parsed


async def _from_multipart(request: Request, rt: RuntimeDep) -> dict[str, Any]:
    try:
        form = await request.form(max_files=1, max_fields=10)
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
    scenario = await run_in_threadpool(_scenario_from_zip, rt.services, data, rt.settings)
    return {**body.to_request(), "scenario": scenario}


async def _from_json(request: Request) -> dict[str, Any]:
    raw = await request.body()
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


@router.post(
    "",
    response_model=JobOut,
    status_code=202,
    responses={**ERRORS, **_UNSUPPORTED},
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
    await run_in_threadpool(rt.resolver.resolve, job_request)
    return accepted(enqueue(rt.store, rt.worker, PLAN, job_request))
