"""The request examples shown in /docs work against the bundled demo territory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.paths import SCENARIOS_DIR


def _examples(openapi: dict[str, Any], path: str) -> dict[str, Any]:
    content = openapi["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    examples: dict[str, Any] = content["examples"]
    return examples


def test_docs_examples_are_answered(make_settings: Callable[..., Settings]) -> None:
    """Every example of /docs gets 200 (or 202 for jobs) on the demo territory."""
    settings = make_settings(scenarios_dir=SCENARIOS_DIR, sync_time_limit_s=5.0)
    with TestClient(create_app(settings)) as client:
        openapi = client.get("/openapi.json").json()
        seen = 0
        for path in ("/v1/sourcing-proposals", "/v1/rounds", "/v1/pooling-checks", "/v1/plans"):
            for name, example in _examples(openapi, path).items():
                body = example["value"]
                if path == "/v1/sourcing-proposals":
                    body = {**body, "weeks": 1}  # same scenario and canteen, a shorter solve
                if "time_limit_s" in body:
                    body = {**body, "time_limit_s": min(body["time_limit_s"], 0.5)}
                r = client.post(path, json=body)
                expected = 202 if path == "/v1/plans" or body.get("mode") == "job" else 200
                assert r.status_code == expected, (path, name, r.text[:500])
                job = r.json()
                if expected == 200:
                    assert job["status"] == "succeeded"
                    assert job["result"], (path, name)
                else:
                    client.delete(job["links"]["self"])
                seen += 1
        assert seen >= 5
