"""``racines serve`` is registered and builds the app it serves."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import cli


def test_serve_runs_uvicorn_on_loopback_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without options the service listens on 127.0.0.1:8000 with one solver worker."""
    seen: dict[str, Any] = {}

    def fake_run(app: Any, **kwargs: Any) -> None:
        seen["app"] = app
        seen.update(kwargs)

    monkeypatch.setenv("RACINES_DATABASE_URL", "sqlite://")
    monkeypatch.setattr("uvicorn.run", fake_run)
    result = CliRunner().invoke(cli, ["serve", "--workers", "2", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert seen["host"] == "127.0.0.1"
    assert seen["port"] == 8123
    assert seen["app"].state.runtime.settings.workers == 2
    assert "/v1/sourcing-proposals" in seen["app"].openapi()["paths"]


def test_serve_refuses_bad_port() -> None:
    """A port out of range is refused by the CLI, naming the option."""
    result = CliRunner().invoke(cli, ["serve", "--port", "70000"])
    assert result.exit_code != 0
    assert "--port" in result.output


def test_serve_never_prints_the_database_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """The database URL is printed with its password masked."""
    seen: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: seen.update(kw))
    monkeypatch.setattr("app.main.SqlJobStore", lambda url: _NoStore())
    url = "postgresql://racines:s3cret-pw@db.example:5432/jobs"
    result = CliRunner().invoke(cli, ["serve", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "s3cret-pw" not in result.output
    assert "racines:***@db.example" in result.output


class _NoStore:
    """A job store that is never used (the app is built, not started)."""

    def close(self) -> None:
        """Nothing to release."""
