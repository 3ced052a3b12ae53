"""Jobs: 202 and polling, progress, cancel, time limit, restart, concurrency."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from api_fakes import FakeServices
from fastapi.testclient import TestClient

from app.config import Settings
from app.jobs import JobStatus, SqlJobStore
from app.main import create_app


def _wait(client: TestClient, job_id: str, until: set[str], timeout_s: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in until or time.monotonic() > deadline:
            return job
        time.sleep(0.02)


def _job_body(**extra: Any) -> dict[str, Any]:
    body = {"scenario_name": "tiny", "canteen_id": "sisteron-cc", "weeks": 2, "mode": "job"}
    return {**body, **extra}


def test_long_proposal_is_a_job(client: TestClient) -> None:
    """A horizon over sync_max_weeks answers 202 with Location; the job then succeeds."""
    body = {"scenario_name": "tiny", "canteen_id": "ribiers", "weeks": 20}
    r = client.post("/v1/sourcing-proposals", json=body)
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] in ("queued", "running", "succeeded")
    assert r.headers["location"] == f"/v1/jobs/{job['id']}"
    done = _wait(client, job["id"], {"succeeded", "failed"})
    assert done["status"] == "succeeded", done
    assert done["progress"] == 1.0
    assert done["result"]["weeks"] == 20
    assert done["result"]["canteen_id"] == "ribiers"


def test_running_job_shows_progress_and_best_so_far(
    make_settings: Callable[..., Settings],
) -> None:
    """While it runs, a job reports progress and the best result so far."""
    gate = threading.Event()
    fake = FakeServices(gate=gate)
    with TestClient(create_app(make_settings(), services=fake)) as client:
        job = client.post("/v1/sourcing-proposals", json=_job_body()).json()
        assert fake.started.wait(5)
        time.sleep(0.3)
        running = client.get(f"/v1/jobs/{job['id']}").json()
        assert running["status"] == "running"
        assert running["result"] is not None and "best_cost_eur" in running["result"]
        assert client.get("/healthz").json()["jobs_running"] == 1
        gate.set()
        done = _wait(client, job["id"], {"succeeded"})
        assert done["status"] == "succeeded"
        assert "best_cost_eur" not in done["result"]


def test_cancel_running_job(make_settings: Callable[..., Settings]) -> None:
    """DELETE stops a running job at its next progress report; exports are then 409;
    a second DELETE deletes the finished job (204, then 404)."""
    fake = FakeServices(gate=threading.Event())  # never opens
    with TestClient(create_app(make_settings(), services=fake)) as client:
        job = client.post("/v1/sourcing-proposals", json=_job_body()).json()
        assert fake.started.wait(5)
        r = client.delete(f"/v1/jobs/{job['id']}")
        assert r.status_code == 200
        assert r.json()["cancel_requested"] is True
        done = _wait(client, job["id"], {"cancelled"})
        assert done["status"] == "cancelled"
        r = client.get(f"/v1/jobs/{job['id']}/purchase_plan.csv")
        assert r.status_code == 409
        assert "cancelled" in r.json()["detail"][0]["message"]
        r = client.delete(f"/v1/jobs/{job['id']}")
        assert r.status_code == 204
        assert client.get(f"/v1/jobs/{job['id']}").status_code == 404


def test_cancel_queued_job_is_immediate(make_settings: Callable[..., Settings]) -> None:
    """A job still waiting behind another is cancelled at once and never runs."""
    gate = threading.Event()
    fake = FakeServices(gate=gate)
    app = create_app(make_settings(workers=1), services=fake)
    with TestClient(app) as client:
        first = client.post("/v1/sourcing-proposals", json=_job_body()).json()
        assert fake.started.wait(5)
        body = {**_job_body(), "canteen_id": "ribiers"}
        second = client.post("/v1/sourcing-proposals", json=body).json()
        r = client.delete(f"/v1/jobs/{second['id']}")
        assert r.json()["status"] == "cancelled"
        gate.set()
        assert _wait(client, first["id"], {"succeeded"})["status"] == "succeeded"
        app.state.runtime.worker.wait_idle(5)
        assert fake.calls == ["propose:sisteron-cc"]


def test_job_over_time_limit_fails(make_settings: Callable[..., Settings]) -> None:
    """A job past its time limit (plus grace) is failed with code time_limit."""
    fake = FakeServices(gate=threading.Event())
    settings = make_settings(job_time_limit_s=0.3, job_grace_s=0.0)
    with TestClient(create_app(settings, services=fake)) as client:
        job = client.post("/v1/sourcing-proposals", json=_job_body()).json()
        done = _wait(client, job["id"], {"failed"})
        assert done["status"] == "failed"
        assert done["error"]["code"] == "time_limit"
        assert "0.3 s" in done["error"]["message"]


def test_unknown_and_malformed_job_ids(client: TestClient) -> None:
    """An unknown job id is 404 naming it; a malformed one is 422."""
    r = client.get("/v1/jobs/" + "a" * 32)
    assert r.status_code == 404
    assert r.json()["detail"][0]["value"] == "a" * 32
    r = client.get("/v1/jobs/not-a-job")
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "job_id"


def test_export_of_other_kind_is_404(client: TestClient) -> None:
    """A proposal has no routes.geojson: 404 listing the exports it has."""
    job = client.post("/v1/sourcing-proposals", json={**_job_body(), "mode": "sync"}).json()
    r = client.get(f"/v1/jobs/{job['id']}/routes.geojson")
    assert r.status_code == 404
    assert "purchase_plan.csv" in r.json()["detail"][0]["message"]
    r = client.get(f"/v1/jobs/{job['id']}/purchase_plan.xlsx")
    assert r.status_code == 404  # synchronous answers carry no workbook
    assert "mode=job" in r.json()["detail"][0]["message"]


def test_finished_job_survives_restart(make_settings: Callable[..., Settings]) -> None:
    """A finished job and its exports are still there after the app restarts on the same DB."""
    settings = make_settings()
    with TestClient(create_app(settings, services=FakeServices())) as client:
        job = client.post("/v1/sourcing-proposals", json=_job_body()).json()
        done = _wait(client, job["id"], {"succeeded"})
    with TestClient(create_app(settings, services=FakeServices())) as client:
        again = client.get(f"/v1/jobs/{job['id']}").json()
        assert again["status"] == "succeeded"
        assert again["result"] == done["result"]
        assert client.get(f"/v1/jobs/{job['id']}/purchase_plan.csv").status_code == 200


def test_job_interrupted_by_shutdown_resumes(make_settings: Callable[..., Settings]) -> None:
    """A job running when the app stops is re-queued and completes after the restart."""
    settings = make_settings()
    first = FakeServices(gate=threading.Event())  # would run forever
    with TestClient(create_app(settings, services=first)) as client:
        job = client.post("/v1/sourcing-proposals", json=_job_body()).json()
        assert first.started.wait(5)
    store = SqlJobStore(settings.database_url)
    stored = store.get(job["id"])
    store.close()
    assert stored is not None and stored.status is JobStatus.QUEUED
    second = FakeServices()
    with TestClient(create_app(settings, services=second)) as client:
        done = _wait(client, job["id"], {"succeeded", "failed"})
        assert done["status"] == "succeeded", done
        assert second.calls == ["propose:sisteron-cc"]


def test_job_left_running_by_killed_server_resumes(
    make_settings: Callable[..., Settings],
) -> None:
    """A job a killed server left 'running' in the store is run again at the next start."""
    settings = make_settings()
    store = SqlJobStore(settings.database_url)
    request = {"scenario_name": "tiny", "canteen_id": "ribiers", "weeks": 3, "seed": 0}
    job = store.create("proposal", request, status=JobStatus.RUNNING)
    store.close()
    with TestClient(create_app(settings, services=FakeServices())) as client:
        done = _wait(client, job.id, {"succeeded", "failed"})
        assert done["status"] == "succeeded", done
        assert done["result"]["weeks"] == 3


def test_two_concurrent_solves_complete_and_health_answers(
    make_settings: Callable[..., Settings],
) -> None:
    """Two jobs run at once on two workers, and /healthz answers while they run."""
    fake = FakeServices(delay_s=0.8)
    with TestClient(create_app(make_settings(workers=2), services=fake)) as client:
        a = client.post("/v1/sourcing-proposals", json=_job_body()).json()
        b = client.post(
            "/v1/sourcing-proposals", json={**_job_body(), "canteen_id": "ribiers"}
        ).json()
        time.sleep(0.3)
        t0 = time.monotonic()
        health = client.get("/healthz")
        health_s = time.monotonic() - t0
        assert health.status_code == 200
        assert health.json()["jobs_running"] == 2
        assert health_s < 0.5
        da = _wait(client, a["id"], {"succeeded", "failed"})
        db = _wait(client, b["id"], {"succeeded", "failed"})
        assert (da["status"], db["status"]) == ("succeeded", "succeeded")
        assert {da["result"]["canteen_id"], db["result"]["canteen_id"]} == {
            "sisteron-cc",
            "ribiers",
        }


def test_concurrent_sync_requests_do_not_block_health(
    make_settings: Callable[..., Settings],
) -> None:
    """Two synchronous solves in flight at once both answer, and /healthz answers meanwhile."""
    fake = FakeServices(delay_s=0.8)
    results: list[int] = []
    with TestClient(create_app(make_settings(), services=fake)) as client:
        body = {"scenario_name": "tiny", "canteen_id": "ribiers", "weeks": 1}

        def post() -> None:
            results.append(client.post("/v1/sourcing-proposals", json=body).status_code)

        threads = [threading.Thread(target=post) for _ in range(2)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(0.2)
        assert client.get("/healthz").status_code == 200
        health_at = time.monotonic() - t0
        for t in threads:
            t.join(10)
        total = time.monotonic() - t0
    assert results == [200, 200]
    assert health_at < 0.7  # answered before the solves finished
    assert total < 1.5  # the two 0.8 s solves overlapped


def test_job_whose_exports_cannot_be_stored_fails(make_settings: Callable[..., Settings]) -> None:
    """A failure while storing a job's exports ends the job failed, never left running."""
    fake = FakeServices(unstorable_exports=True)
    with TestClient(create_app(make_settings(), services=fake)) as client:
        job = client.post("/v1/sourcing-proposals", json=_job_body()).json()
        done = _wait(client, job["id"], {"succeeded", "failed"})
        assert done["status"] == "failed"
        assert done["error"]["code"] == "internal_error"
        assert "error id" in done["error"]["message"]


def test_job_that_crashed_the_server_twice_is_failed(
    make_settings: Callable[..., Settings],
) -> None:
    """A job found running at start-up after its last allowed attempt is failed with a reason."""
    settings = make_settings(job_max_attempts=2)
    store = SqlJobStore(settings.database_url)
    request = {"scenario_name": "tiny", "canteen_id": "ribiers", "weeks": 3, "seed": 0}
    once = store.create("proposal", request)
    twice = store.create("proposal", request)
    for job, starts in ((once, 1), (twice, 2)):
        for _ in range(starts):
            store.update(job.id, status=JobStatus.QUEUED)
            assert store.claim(job.id, "running")  # the server died while it ran
    store.close()
    fake = FakeServices()
    with TestClient(create_app(settings, services=fake)) as client:
        first = _wait(client, once.id, {"succeeded", "failed"})
        second = client.get(f"/v1/jobs/{twice.id}").json()
    assert first["status"] == "succeeded"
    assert second["status"] == "failed"
    assert second["error"]["code"] == "crashed"
    assert second["error"]["attempts"] == 2
    assert "2 times" in second["error"]["message"]
    assert fake.calls == ["propose:ribiers"]


def test_shutdown_does_not_count_an_attempt(make_settings: Callable[..., Settings]) -> None:
    """A job interrupted by a clean shutdown is queued again without using up an attempt."""
    settings = make_settings()
    with TestClient(create_app(settings, services=FakeServices(gate=threading.Event()))) as c:
        job = c.post("/v1/sourcing-proposals", json=_job_body()).json()
        _wait(c, job["id"], {"running"})
    store = SqlJobStore(settings.database_url)
    stored = store.get(job["id"])
    store.close()
    assert stored is not None
    assert (stored.status, stored.attempts) == (JobStatus.QUEUED, 0)


def test_finished_jobs_are_deleted_after_retention(
    make_settings: Callable[..., Settings],
) -> None:
    """Finished jobs older than the retention are deleted with their exports; others stay."""
    settings = make_settings(job_retention_s=0.5, cleanup_interval_s=0.2)
    store = SqlJobStore(settings.database_url)
    waiting = store.create("unknown-kind", {}, status=JobStatus.RUNNING)
    store.close()
    with TestClient(create_app(settings, services=FakeServices())) as client:
        done = client.post("/v1/sourcing-proposals", json={**_job_body(), "mode": "sync"}).json()
        assert done["status"] == "succeeded"
        assert client.get(f"/v1/jobs/{done['id']}/purchase_plan.csv").status_code == 200
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        runtime.store.update(waiting.id, status=JobStatus.RUNNING)
        deadline = time.monotonic() + 5
        while client.get(f"/v1/jobs/{done['id']}").status_code != 404:
            assert time.monotonic() < deadline, "the finished job was not deleted"
            time.sleep(0.1)
        assert runtime.store.get_artifact(done["id"], "purchase_plan.csv") is None
        assert client.get(f"/v1/jobs/{waiting.id}").json()["status"] == "running"


def test_delete_finished_job(client: TestClient) -> None:
    """DELETE on a finished job deletes it and its exports: 204, then 404."""
    job = client.post("/v1/sourcing-proposals", json={**_job_body(), "mode": "sync"}).json()
    assert job["status"] == "succeeded"
    r = client.delete(f"/v1/jobs/{job['id']}")
    assert r.status_code == 204
    assert client.get(f"/v1/jobs/{job['id']}").status_code == 404
    assert client.get(f"/v1/jobs/{job['id']}/purchase_plan.csv").status_code == 404
    assert client.delete(f"/v1/jobs/{job['id']}").status_code == 404
