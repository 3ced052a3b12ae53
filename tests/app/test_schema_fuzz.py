"""Property-based run of the OpenAPI schema (schemathesis) on the real services: no 5xx.

Bounded (a few cases per operation, derandomised) and in-process through ASGI, offline.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.config import Settings
from app.main import create_app

DATA = Path(__file__).resolve().parents[1] / "data"

_settings = Settings(
    database_url="sqlite://",
    scenarios_dir=DATA / "scenarios",
    cache_dir=DATA / "no-cache",
    sync_time_limit_s=0.1,
    job_time_limit_s=2.0,
)
app = create_app(_settings)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def session() -> Iterator[asgi.ASGIClient]:
    """One in-process client for the whole run (app lifespan started once)."""
    with asgi.get_client(app) as client:  # type: ignore[arg-type]  # FastAPI is an ASGI app
        yield client


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_schema(case: schemathesis.Case, session: asgi.ASGIClient) -> None:
    """Every generated request gets a documented, schema-conforming, non-5xx answer."""
    case.call_and_validate(session=session, checks=CHECKS)
