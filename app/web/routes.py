"""The pages: HTTP in (forms, links), HTML out. Work happens in :mod:`app.web.flows`.

Pages (French URLs, as the users are French): ``/`` the four entry points; ``/cantine``
the cook; ``/tournees`` the platform; ``/groupement`` a producer group; ``/territoire``
the territory officer; ``/travaux/{id}`` the progress of a long job (with cancel). Each
form posts back to its page and is answered by a redirect to the result (``303``), or by
the form again with every problem located (``422``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from app.deps import RuntimeDep
from app.jobs import Job, JobStatus
from app.schemas import DEMO_NAME, JOB_ID_PATTERN
from app.tasks import PLAN, POOLING, PROPOSAL, ROUNDS
from app.web import flows, views
from app.web.i18n import COOKIE, LANGS, Words, pick_lang
from app.web.settings import WebSettings

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")

router = APIRouter(include_in_schema=False)

JobId = Annotated[str, PathParam(pattern=JOB_ID_PATTERN)]

#: Result page of each job kind (a plan job is shown by the territory, or the platform).
RESULT_PAGES = {
    PROPOSAL: "/cantine/resultat/{id}",
    ROUNDS: "/tournees/resultat/{id}",
    POOLING: "/groupement/resultat/{id}",
    PLAN: "/territoire/resultat/{id}",
}
#: Pages of the header's menu: (path, label).
MENU = (
    ("/cantine", "Ma cantine"),
    ("/tournees", "Tournées"),
    ("/groupement", "Groupement"),
    ("/territoire", "Territoire"),
)
#: Fields read from a form at most (the producer group's form ticks many members).
MAX_FORM_FIELDS = 400


def get_words(request: Request) -> Words:
    """The page's language (``?lang=``, cookie, ``Accept-Language``)."""
    return Words(
        pick_lang(
            request.query_params.get("lang"),
            request.cookies.get(COOKIE),
            request.headers.get("accept-language"),
        )
    )


def get_web(request: Request) -> WebSettings:
    """Settings of the pages."""
    web: WebSettings = request.app.state.web_settings
    return web


WordsDep = Annotated[Words, Depends(get_words)]
WebDep = Annotated[WebSettings, Depends(get_web)]


def render(
    request: Request, t: Words, name: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page in the visitor's language (remembered when chosen with ``?lang=``)."""
    response = templates.TemplateResponse(
        request,
        name,
        {"t": t, "lang": t.lang, "menu": MENU, "path": request.url.path, **context},
        status_code=status_code,
    )
    chosen = request.query_params.get("lang")
    if chosen in LANGS:
        response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="lax")
    return response


def see_other(url: str) -> RedirectResponse:
    """Redirect after a form (``303``: the browser then GETs ``url``)."""
    return RedirectResponse(url, status_code=303)


def _job(rt: RuntimeDep, job_id: str, kinds: tuple[str, ...]) -> Job | None:
    job = rt.store.get(job_id)
    return job if job is not None and job.kind in kinds else None


def _not_found(request: Request, t: Words) -> HTMLResponse:
    return render(request, t, "not_found.html", status_code=404)


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


async def _upload(form: FormData, key: str) -> flows.Upload | None:
    value = form.get(key)
    if not isinstance(value, UploadFile) or not value.filename:
        return None
    data = await value.read()
    return flows.Upload(value.filename, data) if data or value.filename else None


async def _form(request: Request) -> FormData:
    return await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)


# --------------------------------------------------------------------------- names


@functools.lru_cache(maxsize=8)
def _inline_names(text: str) -> views.Names:
    from app import services

    return views.names_of(services.load_scenario(json.loads(text)))


def names_for(rt: RuntimeDep, request: Mapping[str, Any]) -> views.Names:
    """Names of the places and products of the scenario a job ran on."""
    inline = request.get("scenario")
    if isinstance(inline, Mapping):
        return _inline_names(json.dumps(inline, sort_keys=True))
    return views.names_of(rt.resolver.bundled(str(request.get("scenario_name") or DEMO_NAME)))


# --------------------------------------------------------------------------- home


@router.get("/", response_class=HTMLResponse)
def home(request: Request, t: WordsDep, rt: RuntimeDep) -> HTMLResponse:
    """The four entry points."""
    scenario = flows.demo(rt)
    return render(
        request,
        t,
        "home.html",
        banners=views.provenance(t, synthetic=scenario.settings.synthetic, estimated=True),
        canteens=len(scenario.canteens),
        producers=len(scenario.producers),
    )


# --------------------------------------------------------------------------- cook


def _cook_form(rt: RuntimeDep, t: Words, values: Mapping[str, str]) -> dict[str, Any]:
    scenario = flows.demo(rt)
    kitchens = [
        {"id": c.id, "name": c.name} for c in scenario.canteens if c.purchasing_kitchen_id == c.id
    ]
    return {
        "kitchens": sorted(kitchens, key=lambda k: k["name"]),
        "mondays": [(d.isoformat(), t.week(d)) for d in views.school_mondays(scenario)],
        "values": {
            "canteen_id": values.get("canteen_id", ""),
            "weeks": values.get("weeks", "4"),
            "start": values.get("start", scenario.settings.start_date.isoformat()),
        },
        "max_weeks": rt.settings.max_weeks,
    }


@router.get("/cantine", response_class=HTMLResponse)
def cook_page(request: Request, t: WordsDep, rt: RuntimeDep) -> HTMLResponse:
    """The cook's form: a canteen, the weeks, optionally a menu or demand spreadsheet."""
    values = {"canteen_id": request.query_params.get("cantine", "")}
    return render(request, t, "cantine.html", **_cook_form(rt, t, values))


@router.post("/cantine", response_class=HTMLResponse)
async def cook_submit(request: Request, t: WordsDep, rt: RuntimeDep, web: WebDep) -> Response:
    """Solve the proposal and show it (or its progress when it runs as a job)."""
    form = await _form(request)
    values = {k: _text(form, k) for k in ("canteen_id", "weeks", "start")}
    upload = await _upload(form, "file")
    try:
        job = await run_in_threadpool(
            flows.cook_submit,
            rt,
            web,
            canteen_id=values["canteen_id"],
            weeks=values["weeks"],
            start=values["start"],
            upload=upload,
        )
    except flows.FormError as exc:
        context = _cook_form(rt, t, values)
        return render(request, t, "cantine.html", 422, problems=exc.problems, **context)
    return see_other(_next_page(job))


@router.get("/cantine/resultat/{job_id}", response_class=HTMLResponse)
def cook_result(job_id: JobId, request: Request, t: WordsDep, rt: RuntimeDep) -> Response:
    """The proposal: gauges, purchases per week and producer, reasons, downloads."""
    job = _job(rt, job_id, (PROPOSAL,))
    if job is None:
        return _not_found(request, t)
    if job.status is not JobStatus.SUCCEEDED or job.result is None:
        return see_other(f"/travaux/{job.id}")
    view = views.proposal_view(t, names_for(rt, job.request), job.result)
    return render(request, t, "cantine_resultat.html", job=job, v=view)


@router.get("/cantine/resultat/{job_id}/bons", response_class=HTMLResponse)
def cook_order_sheets(job_id: JobId, request: Request, t: WordsDep, rt: RuntimeDep) -> Response:
    """Printable order sheets, one per producer."""
    job = _job(rt, job_id, (PROPOSAL, PLAN))
    if job is None or job.result is None:
        return _not_found(request, t)
    names = names_for(rt, job.request)
    sheets = views.order_sheets(t, names, list(job.result.get("purchase_plan") or []))
    return render(request, t, "bons.html", job=job, sheets=sheets)


# --------------------------------------------------------------------------- platform


@router.get("/tournees", response_class=HTMLResponse)
def platform_page(request: Request, t: WordsDep, rt: RuntimeDep) -> HTMLResponse:
    """The platform's form: a week of the plan, or uploaded orders."""
    scenario = flows.demo(rt)
    return render(request, t, "tournees.html", **_platform_form(t, scenario))


def _platform_form(t: Words, scenario: Any) -> dict[str, Any]:
    platform = scenario.platforms[0] if scenario.platforms else None
    return {
        "mondays": [(d.isoformat(), t.week(d)) for d in views.school_mondays(scenario)],
        "platform": platform,
        "round_days": ", ".join(t.weekday(d.name.lower()) for d in platform.round_weekdays)
        if platform
        else "",
    }


@router.post("/tournees", response_class=HTMLResponse)
async def platform_submit(request: Request, t: WordsDep, rt: RuntimeDep, web: WebDep) -> Response:
    """Plan the rounds of a week (a job) or of uploaded orders."""
    form = await _form(request)
    upload = await _upload(form, "file")
    try:
        if upload is not None:
            job = await run_in_threadpool(flows.orders_rounds_submit, rt, web, upload=upload)
        else:
            week = _text(form, "week")
            job = await run_in_threadpool(flows.week_rounds_submit, rt, web, week=week)
    except flows.FormError as exc:
        context = _platform_form(t, flows.demo(rt))
        return render(request, t, "tournees.html", 422, problems=exc.problems, **context)
    return see_other(_next_page(job, view="tournees"))


def _rounds_of(job: Job) -> dict[str, Any] | None:
    if job.result is None:
        return None
    if job.kind == PLAN:
        rounds = job.result.get("rounds")
        return dict(rounds) if isinstance(rounds, Mapping) else None
    return dict(job.result)


@router.get("/tournees/resultat/{job_id}", response_class=HTMLResponse)
def platform_result(job_id: JobId, request: Request, t: WordsDep, rt: RuntimeDep) -> Response:
    """The rounds on a map, a table per van and day, the orders not served."""
    job = _job(rt, job_id, (ROUNDS, PLAN))
    if job is None:
        return _not_found(request, t)
    if job.status is not JobStatus.SUCCEEDED:
        return see_other(f"/travaux/{job.id}?vue=tournees")
    names = names_for(rt, job.request)
    rounds = _rounds_of(job)
    view = None
    if rounds is not None:
        view = views.rounds_view(t, names, rounds, request=job.request, synthetic=names.synthetic)
    weeks = list((job.result or {}).get("weeks") or [])
    return render(
        request,
        t,
        "tournees_resultat.html",
        job=job,
        v=view,
        week=t.week(weeks[0]) if weeks else "",
        tiles=request.app.state.web_settings.map_tile_url,
    )


@router.get("/tournees/resultat/{job_id}/feuille", response_class=HTMLResponse)
def driver_sheet(job_id: JobId, request: Request, t: WordsDep, rt: RuntimeDep) -> Response:
    """The driver's sheet: one printable page per van and day."""
    job = _job(rt, job_id, (ROUNDS, PLAN))
    rounds = None if job is None else _rounds_of(job)
    if job is None or rounds is None:
        return _not_found(request, t)
    names = names_for(rt, job.request)
    view = views.rounds_view(t, names, rounds, request=job.request, synthetic=names.synthetic)
    return render(request, t, "feuille.html", job=job, v=view)


# --------------------------------------------------------------------------- producer group


def _pooling_form(rt: RuntimeDep, t: Words, form: flows.PoolingForm | None) -> dict[str, Any]:
    scenario = flows.demo(rt)
    group = sorted({p.group for p in scenario.producers if p.group})
    default_members = _default_group(scenario)
    values = form or flows.PoolingForm(
        members=default_members,
        kitchen="sb_sisteron_cuisine_centrale",
        product="carotte",
        qty="40",
        weekdays=("tue", "thu"),
        period="weeks",
        start=scenario.settings.start_date.isoformat(),
        n_weeks="4",
        quality="BIO",
        price_ceiling="2.50",
        transport="member_collects",
        collector=default_members[0] if default_members else "",
        van_capacity="300",
        rule="proportional",
    )
    producers = sorted(scenario.producers, key=lambda p: (p.commune, p.name))
    return {
        "producers": producers,
        "groups": group,
        "kitchens": sorted(
            (c for c in scenario.canteens if c.purchasing_kitchen_id == c.id),
            key=lambda c: c.name,
        ),
        "products": sorted(scenario.products, key=lambda p: p.name),
        "labels": ["BIO", "LABEL_ROUGE", "AOCAOP", "IGP", "HVE"],
        "f": values,
        "weekdays": ("mon", "tue", "wed", "thu", "fri"),
        "mondays": [(d.isoformat(), t.week(d)) for d in views.school_mondays(scenario)],
    }


def _default_group(scenario: Any) -> tuple[str, ...]:
    """The demo's Laragne market gardeners when present, else the first producer group."""
    folder = scenario_group_file()
    if folder is not None:
        ids = {p.id for p in scenario.producers}
        rows = [ln.split(",")[0] for ln in folder.read_text(encoding="utf-8").splitlines()[1:]]
        members = tuple(r for r in rows if r in ids)
        if members:
            return members
    groups = sorted({p.group for p in scenario.producers if p.group})
    return tuple(p.id for p in scenario.producers if groups and p.group == groups[0])


def scenario_group_file() -> Path | None:
    """The demo's example group (``pooling/group_laragne.csv``), when bundled."""
    from app.paths import DEMO_SCENARIO

    path = DEMO_SCENARIO / "pooling" / "group_laragne.csv"
    return path if path.is_file() else None


@router.get("/groupement", response_class=HTMLResponse)
def pooling_page(request: Request, t: WordsDep, rt: RuntimeDep) -> HTMLResponse:
    """The producer group's form: members and the order."""
    return render(request, t, "groupement.html", **_pooling_form(rt, t, None))


@router.post("/groupement", response_class=HTMLResponse)
async def pooling_submit(request: Request, t: WordsDep, rt: RuntimeDep, web: WebDep) -> Response:
    """Check the order: the verdict at once when quick, else a job."""
    form = await _form(request)
    values = flows.PoolingForm(
        members=tuple(v for v in form.getlist("members") if isinstance(v, str)),
        weekdays=tuple(v for v in form.getlist("weekdays") if isinstance(v, str)),
        **{
            k: _text(form, k)
            for k in (
                "kitchen",
                "product",
                "qty",
                "period",
                "start",
                "n_weeks",
                "quality",
                "price_ceiling",
                "transport",
                "collector",
                "van_capacity",
                "rule",
            )
        },
    )
    try:
        job = await run_in_threadpool(flows.pooling_submit, rt, web, values)
    except flows.FormError as exc:
        context = _pooling_form(rt, t, values)
        return render(request, t, "groupement.html", 422, problems=exc.problems, **context)
    return see_other(_next_page(job))


@router.get("/groupement/resultat/{job_id}", response_class=HTMLResponse)
def pooling_result(job_id: JobId, request: Request, t: WordsDep, rt: RuntimeDep) -> Response:
    """The verdict, the weekly chart, members' shares, the binding constraint."""
    job = _job(rt, job_id, (POOLING,))
    if job is None:
        return _not_found(request, t)
    if job.status is not JobStatus.SUCCEEDED or job.result is None:
        return see_other(f"/travaux/{job.id}")
    group = job.request.get("group")
    members = [group] if isinstance(group, str) else list(group or [])
    view = views.pooling_view(
        t,
        names_for(rt, job.request),
        job.result,
        members=members,
        order=job.request.get("order") or {},
    )
    return render(request, t, "groupement_resultat.html", job=job, v=view)


# --------------------------------------------------------------------------- territory


def _territory_form(rt: RuntimeDep, web: WebSettings) -> dict[str, Any]:
    scenario = flows.demo(rt)
    default = int(web.plan_time_limit_s)
    ceiling = rt.settings.job_time_limit_s
    limits = [
        (s, f"{s // 60} min" if s % 60 == 0 else f"{s} s", s == default)
        for s in sorted({30, 60, 120, 300, default})
        if s <= ceiling
    ]
    return {
        "scenario": scenario,
        "kitchens": len(list(scenario.kitchens())),
        "weeks": scenario.settings.horizon_weeks,
        "limits": limits,
    }


@router.get("/territoire", response_class=HTMLResponse)
def territory_page(request: Request, t: WordsDep, rt: RuntimeDep, web: WebDep) -> HTMLResponse:
    """The territory officer's form: run the whole plan."""
    return render(request, t, "territoire.html", **_territory_form(rt, web))


@router.post("/territoire", response_class=HTMLResponse)
async def territory_submit(request: Request, t: WordsDep, rt: RuntimeDep, web: WebDep) -> Response:
    """Queue the plan job and show its progress."""
    form = await _form(request)
    try:
        job = await run_in_threadpool(
            flows.territory_submit,
            rt,
            web,
            weeks=_text(form, "weeks"),
            time_limit=_text(form, "time_limit"),
        )
    except flows.FormError as exc:
        context = _territory_form(rt, web)
        return render(request, t, "territoire.html", 422, problems=exc.problems, **context)
    return see_other(_next_page(job, view="territoire"))


@router.get("/territoire/resultat/{job_id}", response_class=HTMLResponse)
def territory_result(job_id: JobId, request: Request, t: WordsDep, rt: RuntimeDep) -> Response:
    """The dashboard: indicators per kitchen, producers and revenue, map, exports."""
    job = _job(rt, job_id, (PLAN,))
    if job is None:
        return _not_found(request, t)
    if job.status is not JobStatus.SUCCEEDED or job.result is None:
        return see_other(f"/travaux/{job.id}?vue=territoire")
    view = views.territory_view(t, names_for(rt, job.request), job.result)
    return render(
        request,
        t,
        "territoire_resultat.html",
        job=job,
        v=view,
        tiles=request.app.state.web_settings.map_tile_url,
    )


# --------------------------------------------------------------------------- jobs


def _result_url(job: Job, view: str = "") -> str:
    if job.kind == PLAN and view == "tournees":
        return f"/tournees/resultat/{job.id}"
    return RESULT_PAGES.get(job.kind, "/").format(id=job.id)


def _next_page(job: Job, view: str = "") -> str:
    if job.status is JobStatus.SUCCEEDED:
        return _result_url(job, view)
    return f"/travaux/{job.id}" + (f"?vue={view}" if view else "")


def _state(t: Words, job: Job, view: str) -> dict[str, Any]:
    error = job.error or {}
    return {
        "status": job.status.value,
        "status_text": t.status(job.status.value),
        "progress": round(job.progress, 3),
        "message": t.progress(job.message),
        "finished": job.status.finished,
        "result_url": _result_url(job, view) if job.status is JobStatus.SUCCEEDED else None,
        "error": str(error.get("message") or "") if job.status is JobStatus.FAILED else "",
    }


@router.get("/travaux/{job_id}", response_class=HTMLResponse)
def job_page(job_id: JobId, request: Request, t: WordsDep, rt: RuntimeDep) -> Response:
    """A long job: its progress bar, its step, a cancel button; the result when done."""
    job = rt.store.get(job_id)
    if job is None:
        return _not_found(request, t)
    view = request.query_params.get("vue", "")
    state = _state(t, job, view)
    if state["result_url"]:
        return see_other(state["result_url"])
    title = views.job_title(t, job.kind, view)
    return render(request, t, "travail.html", job=job, s=state, view=view, title=title)


@router.get("/travaux/{job_id}/etat")
def job_state(job_id: JobId, request: Request, t: WordsDep, rt: RuntimeDep) -> JSONResponse:
    """The job's state for the progress bar (polled by the page's script)."""
    job = rt.store.get(job_id)
    if job is None:
        return JSONResponse({"status": "unknown"}, status_code=404)
    return JSONResponse(_state(t, job, request.query_params.get("vue", "")))


@router.post("/travaux/{job_id}/annuler")
def job_cancel(job_id: JobId, request: Request, rt: RuntimeDep) -> Response:
    """Cancel the job (at once when queued, at its next progress report when running)."""
    if rt.store.get(job_id) is not None:
        rt.worker.cancel(job_id)
    view = request.query_params.get("vue", "")
    return see_other(f"/travaux/{job_id}" + (f"?vue={view}" if view else ""))
