"""FastAPI dependencies: the service's runtime (settings, job store, worker, services).

Routes declare what they need as typed aliases (``SettingsDep``, ``StoreDep``, ...); the
objects live on ``app.state.runtime``, built by :func:`app.main.create_app`. Tests swap
any of them with ``app.dependency_overrides`` or by passing them to ``create_app``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.jobs import JobStore
from app.offload import Validation
from app.tasks import ScenarioResolver, Services
from app.worker import Worker


@dataclass
class Runtime:
    """Everything a request may need, built once per app."""

    settings: Settings
    store: JobStore
    services: Services
    resolver: ScenarioResolver
    worker: Worker
    validation: Validation


def get_runtime(request: Request) -> Runtime:
    """The app's runtime."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> Settings:
    """Service settings."""
    return runtime.settings


def get_store(runtime: RuntimeDep) -> JobStore:
    """The job store."""
    return runtime.store


def get_resolver(runtime: RuntimeDep) -> ScenarioResolver:
    """Bundled-scenario lookup and request scenario resolution."""
    return runtime.resolver


def get_worker(runtime: RuntimeDep) -> Worker:
    """The background worker."""
    return runtime.worker


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[JobStore, Depends(get_store)]
ResolverDep = Annotated[ScenarioResolver, Depends(get_resolver)]
WorkerDep = Annotated[Worker, Depends(get_worker)]
