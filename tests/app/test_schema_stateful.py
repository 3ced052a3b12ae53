"""Stateful run of the OpenAPI schema (schemathesis): create jobs, poll, cancel, delete.

Schemathesis follows the schema's links (every answer holding a job links to
``get_job`` and ``cancel_or_delete_job``) to chain calls on real job ids. Checks: no 5xx,
documented status codes and bodies; and, after a DELETE answered 204, the job is gone.
In-process through ASGI, on instant fake solves, derandomised and bounded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from api_fakes import FakeServices
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
from app.paths import SCENARIOS_DIR

DATA = Path(__file__).resolve().parents[1] / "data"

_settings = Settings(
    database_url="sqlite://",
    scenarios_dir=SCENARIOS_DIR,
    cache_dir=DATA / "no-cache",
    sync_time_limit_s=0.5,
    job_time_limit_s=2.0,
    job_grace_s=0.5,
)
app = create_app(_settings, services=FakeServices(delay_s=0.05))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class JobWorkflow(schema.as_state_machine()):  # type: ignore[misc]
    """Sequences of calls linked by job ids, with the app's lifespan running."""

    client: Any = None
    seen: set[tuple[str, str, int]] = set()

    def after_call(self, response: Any, case: schemathesis.Case) -> None:
        """Record which (method, route, status) the run reached."""
        type(self).seen.add((case.method.upper(), case.path, response.status_code))

    def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
        """Call through the started in-process client (workers running)."""
        return {"session": type(self).client}

    def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
        """The fuzz run's checks, and a deleted job is really gone."""
        case.validate_response(response, checks=CHECKS)
        if case.method.upper() == "DELETE" and response.status_code == 204:
            job_id = case.path_parameters["job_id"]  # type: ignore[index]
            again = type(self).client.get(f"/v1/jobs/{job_id}")
            assert again.status_code == 404, again.text


def test_job_workflows() -> None:
    """Create (plans, proposals, rounds, pooling), poll, cancel and delete jobs: no 5xx."""
    with asgi.get_client(app) as client:  # type: ignore[arg-type]  # FastAPI is an ASGI app
        JobWorkflow.client = client
        JobWorkflow.run(
            settings=settings(
                max_examples=40,
                stateful_step_count=6,
                deadline=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
        )
    seen = JobWorkflow.seen
    print(sorted(seen))
    created = {(m, p) for m, p, status in seen if status in (200, 202) and m == "POST"}
    assert created, "no job was created"
    assert ("GET", "/v1/jobs/{job_id}", 200) in seen, "no job was polled"
    assert ("DELETE", "/v1/jobs/{job_id}", 204) in seen, "no finished job was deleted"
