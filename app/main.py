"""The racines HTTP service: ``create_app()`` builds the FastAPI application.

Run it with ``racines serve`` (uvicorn) or ``uvicorn app.main:create_app --factory``.
Routers translate HTTP to the shared services (:mod:`app.tasks`) and back; long solves
run as jobs on :class:`app.worker.Worker`, persisted in :class:`app.jobs.SqlJobStore`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI

from app import errors, web
from app.config import Settings
from app.deps import Runtime
from app.jobs import JobStore, SqlJobStore
from app.limits import BodySizeLimit
from app.offload import Validation
from app.routers import (
    comparisons,
    contracts,
    health,
    jobs,
    plans,
    pooling_checks,
    replans,
    rounds,
    scenarios,
    sourcing_proposals,
    weeks,
)
from app.tasks import ScenarioResolver, Services, make_tasks
from app.whatif_tasks import whatif_tasks
from app.worker import Worker

logger = logging.getLogger(__name__)

DESCRIPTION = """
Feed school canteens from local farms.

* **Cooks**: `POST /v1/sourcing-proposals` — what to buy locally for one canteen, week by week.
* **Platform**: `POST /v1/rounds` — van routes collecting at farms and delivering kitchens.
* **Producer groups**: `POST /v1/pooling-checks` — can we, together, honour this order?
* **Territory**: `POST /v1/plans` — a whole scenario (JSON or a zip of its folder), as a job.
* **Weekly cycle**: `POST /v1/weeks` — a week's orders from the producers' availability
  lists, orders already sent kept; `POST /v1/replans` — the weeks left after a shortfall,
  changing as few order lines as possible.
* **Territory**: `POST /v1/plans` — a whole scenario (JSON or a zip of its folder), as a job;
  `POST /v1/comparisons` — what-ifs side by side (bundled variants or posted override files);
  `POST /v1/contracts` — yearly contracts with a backup for every line.
* Start from the demo territory: `GET /v1/scenarios/{name}`.

Long solves answer `202` with a job: poll `GET /v1/jobs/{id}` (status, progress, best result
so far), cancel with `DELETE`, fetch exports from the job's `links`. Every error body is
`{"detail": [{"loc", "field", "value", "message"}]}`; an infeasible request is a `200`
answer with its explanation.
"""


def default_services(settings: Settings | None = None) -> Services:
    """The production services (the orchestration shared with the CLI), their plans on
    the Dask cluster of ``settings.dask_scheduler`` if one is set."""
    from app.adapter import AppServices

    return AppServices(cluster=(settings or Settings()).dask_scheduler)


def create_app(
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    store: JobStore | None = None,
) -> FastAPI:
    """Build the application.

    Parameters
    ----------
    settings
        Service settings; default read from ``RACINES_*`` environment variables.
    services
        The solving services; default :class:`app.adapter.AppServices`. Tests pass a fake.
    store
        Job store; default :class:`SqlJobStore` on ``settings.database_url``.
    """
    settings = settings or Settings()
    services = services or default_services(settings)
    own_store = store is None
    job_store: JobStore = store if store is not None else SqlJobStore(settings.database_url)
    resolver = ScenarioResolver(services, settings)
    worker = Worker(
        job_store,
        {**make_tasks(services, resolver, settings), **whatif_tasks(services, resolver, settings)},
        workers=settings.workers,
        time_limit_s=settings.job_time_limit_s,
        grace_s=settings.job_grace_s,
        max_attempts=settings.job_max_attempts,
        retention_s=settings.job_retention_s,
        cleanup_interval_s=settings.cleanup_interval_s,
        max_queued=settings.max_queued_jobs,
        retry_after_s=settings.queue_retry_after_s,
        queue_setting=settings.env_name("max_queued_jobs"),
    )
    validation = Validation(
        workers=settings.validation_workers,
        time_limit_s=settings.validation_time_limit_s,
        setting=settings.env_name("validation_time_limit_s"),
        retry_after_s=settings.queue_retry_after_s,
    )
    runtime = Runtime(
        settings=settings,
        store=job_store,
        services=services,
        resolver=resolver,
        worker=worker,
        validation=validation,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        resumed = worker.start()
        logger.info("racines service up (%d job(s) resumed)", resumed)
        try:
            yield
        finally:
            worker.stop()
            validation.close()
            if own_store:
                job_store.close()

    app = FastAPI(
        title="racines",
        version=version("racines"),
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    errors.install(app)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        setting=settings.env_name("max_body_bytes"),
    )
    routers = (
        health,
        scenarios,
        sourcing_proposals,
        rounds,
        pooling_checks,
        plans,
        weeks,
        replans,
        comparisons,
        contracts,
        jobs,
    )
    for module in routers:
        app.include_router(module.router)
    web.install(app)
    return app
