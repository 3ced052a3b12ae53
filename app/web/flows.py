"""What a page's form asks, as the API's request, run by the API's own task functions.

Each ``*_submit`` function turns a form's fields into the same request JSON the HTTP API
stores with a job, validates it with the API's schemas and limits, then either answers at
once (small work: :func:`app.tasks.run_proposal` and friends, recorded as a finished job
so its exports can be downloaded) or queues a job on the service's worker (long work:
progress, cancel). It returns the job; a bad form raises :class:`FormError` with every
problem located (field, or file, row and column of an uploaded spreadsheet).

These functions block (solves, uploads): the routes call them off the event loop.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.deps import Runtime
from app.errors import ApiError, RequestProblem, field_name
from app.jobs import Job
from app.routers.common import enqueue, record_done
from app.schemas import (
    DEMO_NAME,
    PlanRequest,
    PoolingCheckRequest,
    ProposalRequest,
    RoundsRequest,
)
from app.tasks import (
    PLAN,
    POOLING,
    PROPOSAL,
    ROUNDS,
    check_canteen,
    check_pooling_weeks,
    check_rounds,
    check_weeks,
    group_members,
    run_pooling,
    run_proposal,
    run_rounds,
)
from app.web import uploads
from app.web.settings import WebSettings
from solver.core import Scenario, ScenarioError
from solver.rounds import problem_to_json
from solver.scenario import scenario_to_json


@dataclass(frozen=True)
class Upload:
    """A file sent with a form: the name the browser gave (display only) and its bytes."""

    shown_name: str
    data: bytes


@dataclass(frozen=True)
class FormProblem:
    """One thing wrong with a form: a field, or a cell of an uploaded file."""

    message: str
    field: str = ""
    file: str = ""
    row: int = 0
    column: str = ""
    letter: str = ""
    value: str = ""


class FormError(Exception):
    """A form the service cannot answer; ``problems`` says where and why."""

    def __init__(self, problems: Sequence[FormProblem]) -> None:
        super().__init__(problems[0].message if problems else "invalid form")
        self.problems = list(problems)


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _from_scenario_error(exc: ScenarioError, sheet: uploads.Sheet | None) -> FormError:
    out = []
    for p in exc.problems:
        in_upload = sheet is not None and p.file in ("menu.csv", "demand.csv", "orders.csv")
        out.append(
            FormProblem(
                message=p.message,
                file=sheet.shown_name if in_upload and sheet is not None else p.file,
                row=int(p.row or 0),
                column=p.column,
                letter=sheet.letter(p.column) if in_upload and sheet is not None else "",
                value=_shown(p.value),
            )
        )
    out.sort(key=lambda p: (p.file, p.row))
    return FormError(out)


def _from_items(items: Sequence[Mapping[str, Any]]) -> FormError:
    return FormError(
        [
            FormProblem(
                message=str(i.get("message") or i.get("msg") or ""),
                field=str(i.get("field") or field_name(i.get("loc") or ())),
                value=_shown(i.get("value", i.get("input", ""))),
            )
            for i in items
        ]
    )


def located(exc: Exception, sheet: uploads.Sheet | None = None) -> FormError:
    """The located problems of any error the services raise for bad input.

    Raises ``exc`` again when it is not about the input.
    """
    if isinstance(exc, FormError):
        return exc
    if isinstance(exc, ScenarioError):
        return _from_scenario_error(exc, sheet)
    if isinstance(exc, RequestProblem):
        return FormError(
            [FormProblem(message=exc.message, field=exc.field, value=_shown(exc.value))]
        )
    if isinstance(exc, RequestValidationError | ValidationError):
        return _from_items([dict(e) for e in exc.errors()])
    if isinstance(exc, ApiError):
        return _from_items(exc.items)
    raise exc


def _validated(model: Any, data: Mapping[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise located(exc) from None


def _int(field: str, text: str | None, default: int) -> int:
    if text is None or text.strip() == "":
        return default
    try:
        return int(text.strip())
    except ValueError:
        raise FormError(
            [FormProblem(message="not a whole number", field=field, value=_shown(text))]
        ) from None


def _float(field: str, text: str | None) -> float | None:
    if text is None or text.strip() == "":
        return None
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        raise FormError([FormProblem(message="not a number", field=field, value=text)]) from None


def _date(field: str, text: str | None) -> dt.date | None:
    if text is None or text.strip() == "":
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        msg = "not a date YYYY-MM-DD"
        raise FormError([FormProblem(message=msg, field=field, value=text)]) from None


def demo(rt: Runtime) -> Scenario:
    """The bundled demo territory every page starts from."""
    return rt.resolver.bundled(DEMO_NAME)


def _inline(scenario: Scenario, **settings: Any) -> dict[str, Any]:
    """``scenario`` as request JSON, with some settings changed."""
    data: dict[str, Any] = json.loads(scenario_to_json(scenario))
    data["settings"] = {**data["settings"], **settings}
    return data


def _sheet(rt: Runtime, web: WebSettings, upload: Upload) -> uploads.Sheet:
    limit = min(web.max_upload_bytes, rt.settings.max_body_bytes)
    try:
        return uploads.read_sheet(
            upload.data, upload.shown_name, max_bytes=limit, max_rows=web.max_upload_rows
        )
    except ScenarioError as exc:
        raise located(exc) from None


# --------------------------------------------------------------------------- cook


def cook_submit(
    rt: Runtime,
    web: WebSettings,
    *,
    canteen_id: str,
    weeks: str | None,
    start: str | None,
    upload: Upload | None,
) -> Job:
    """The cook's proposal: at once up to the service's synchronous horizon, else a job.

    An uploaded menu cycle or weekly demand replaces the demo's (checked row by row); a
    first week other than the scenario's start date is sent as an inline scenario.
    """
    n_weeks = _int("weeks", weeks, 4)
    first = _date("start", start)
    base = demo(rt)
    sheet = None
    request: dict[str, Any] = {"scenario_name": DEMO_NAME}
    try:
        scenario = base
        if upload is not None:
            sheet = _sheet(rt, web, upload)
            scenario = uploads.scenario_with_sheet(base, sheet)
        moved = first is not None and first != base.settings.start_date
        if sheet is not None or moved:
            changes = {"start_date": first.isoformat()} if first is not None and moved else {}
            request = {"scenario": _inline(scenario, **changes)}
        time_limit = min(web.cook_time_limit_s, rt.settings.sync_time_limit_s)
        body = _validated(
            ProposalRequest,
            {**request, "canteen_id": canteen_id, "weeks": n_weeks, "time_limit_s": time_limit},
        )
        check_weeks(body.weeks, rt.settings)
        job_request = body.to_request()
        resolved = rt.resolver.resolve(job_request)
        check_canteen(resolved, body.canteen_id)
        if body.weeks > rt.settings.sync_max_weeks:
            return enqueue(rt.store, rt.worker, PROPOSAL, job_request)
        out = run_proposal(
            rt.services, resolved, job_request, ceiling_s=rt.settings.sync_time_limit_s
        )
    except (ScenarioError, RequestProblem, RequestValidationError, ApiError) as exc:
        raise located(exc, sheet) from None
    return record_done(rt.store, PROPOSAL, job_request, out)


# --------------------------------------------------------------------------- platform


def week_rounds_submit(rt: Runtime, web: WebSettings, *, week: str | None) -> Job:
    """The platform's rounds of one week: the week's plan (its platform orders) as a job."""
    base = demo(rt)
    monday = _date("week", week) or base.settings.start_date
    request = {
        "scenario": _inline(base, start_date=monday.isoformat(), horizon_weeks=1),
        "time_limit_s": web.week_plan_time_limit_s,
    }
    try:
        job_request = _validated(PlanRequest, request).to_request()
        rt.resolver.resolve(job_request)
    except (ScenarioError, RequestProblem, RequestValidationError, ApiError) as exc:
        raise located(exc) from None
    return enqueue(rt.store, rt.worker, PLAN, job_request)


def orders_rounds_submit(rt: Runtime, web: WebSettings, *, upload: Upload) -> Job:
    """Rounds for uploaded orders, on the demo's farms, kitchens and platform vans."""
    from app import services

    sheet = None
    try:
        sheet = _sheet(rt, web, upload)
        scenario = demo(rt)
        lines = uploads.orders_of_sheet(scenario, sheet)
        matrix = services.travel_matrix(scenario)
        problem = services.build_rounds_problem(scenario, matrix, lines)
        time_limit = min(web.rounds_time_limit_s, rt.settings.sync_time_limit_s)
        request = {"problem": problem_to_json(problem), "time_limit_s": time_limit}
        body = _validated(RoundsRequest, request)
        stops = check_rounds(body.problem, rt.settings)
        job_request = body.to_request()
        if stops > rt.settings.sync_max_stops:
            return enqueue(rt.store, rt.worker, ROUNDS, job_request)
        out = run_rounds(rt.services, job_request, ceiling_s=rt.settings.sync_time_limit_s)
    except (ScenarioError, RequestProblem, RequestValidationError, ApiError) as exc:
        raise located(exc, sheet) from None
    except ValueError as exc:  # cross-field rules of the rounds problem itself
        raise FormError([FormProblem(message=str(exc), field="orders")]) from None
    return record_done(rt.store, ROUNDS, job_request, out)


# --------------------------------------------------------------------------- producer group


@dataclass(frozen=True)
class PoolingForm:
    """The producer group's form, as typed."""

    members: tuple[str, ...]
    kitchen: str
    product: str
    qty: str
    weekdays: tuple[str, ...]
    period: str
    start: str
    n_weeks: str
    quality: str
    price_ceiling: str
    transport: str
    collector: str
    van_capacity: str
    rule: str


def pooling_order(form: PoolingForm) -> dict[str, Any]:
    """The order JSON of ``POST /v1/pooling-checks`` from the form."""
    order: dict[str, Any] = {
        "kitchen": form.kitchen,
        "delivery_weekdays": list(form.weekdays),
        "rule": form.rule or "proportional",
        "products": [{"product": form.product, "qty_per_delivery": _float("qty", form.qty)}],
    }
    if form.period == "year":
        order["school_year"] = "2025-2026"
    else:
        order["start"] = (_date("start", form.start) or dt.date(2025, 9, 1)).isoformat()
        order["n_weeks"] = _int("n_weeks", form.n_weeks, 4)
    if form.quality:
        order["quality"] = form.quality
    ceiling = _float("price_ceiling", form.price_ceiling)
    if ceiling is not None:
        order["price_ceiling_eur_per_unit"] = ceiling
    transport: dict[str, Any] = {"mode": form.transport or "each_delivers"}
    if transport["mode"] == "member_collects":
        transport["collector"] = form.collector or (form.members[0] if form.members else None)
        transport["van_capacity_kg"] = _float("van_capacity", form.van_capacity)
    order["transport"] = {k: v for k, v in transport.items() if v is not None}
    return order


def pooling_submit(rt: Runtime, web: WebSettings, form: PoolingForm) -> Job:
    """The group's verdict: at once when the order is short or members deliver, else a job."""
    if not form.members:
        msg = "tick at least one member of the group"
        raise FormError([FormProblem(message=msg, field="members")])
    try:
        body = _validated(
            PoolingCheckRequest,
            {
                "scenario_name": DEMO_NAME,
                "group": list(form.members),
                "order": pooling_order(form),
                "time_limit_s": web.pooling_time_limit_s,
            },
        )
        request = body.to_request()
        weeks = check_pooling_weeks(request["order"], rt.settings)
        scenario = rt.resolver.resolve(request)
        group_members(scenario, body.group)
        quick = weeks <= rt.settings.sync_max_weeks or body.order.transport.mode == "each_delivers"
        if not quick:
            return enqueue(rt.store, rt.worker, POOLING, request)
        ceiling = min(web.pooling_time_limit_s, rt.settings.sync_time_limit_s)
        out = run_pooling(rt.services, scenario, request, ceiling_s=ceiling, full=False)
    except (ScenarioError, RequestProblem, RequestValidationError, ApiError) as exc:
        raise located(exc) from None
    return record_done(rt.store, POOLING, request, out)


# --------------------------------------------------------------------------- territory


def territory_submit(
    rt: Runtime, web: WebSettings, *, weeks: str | None, time_limit: str | None = None
) -> Job:
    """The whole territory's plan, as a job (progress, cancel).

    ``time_limit``: the sourcing time limit asked for, seconds (default the pages'
    setting; the service caps it at its job time limit).
    """
    base = demo(rt)
    n_weeks = _int("weeks", weeks, base.settings.horizon_weeks)
    limit_s = _float("time_limit", time_limit) or web.plan_time_limit_s
    request: dict[str, Any] = {"scenario_name": DEMO_NAME}
    if n_weeks != base.settings.horizon_weeks:
        request = {"scenario": _inline(base, horizon_weeks=n_weeks)}
    try:
        check_weeks(n_weeks, rt.settings)
        body = _validated(PlanRequest, {**request, "time_limit_s": limit_s})
        job_request = body.to_request()
        rt.resolver.resolve(job_request)
    except (ScenarioError, RequestProblem, RequestValidationError, ApiError) as exc:
        raise located(exc) from None
    return enqueue(rt.store, rt.worker, PLAN, job_request)
