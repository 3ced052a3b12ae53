"""Fixtures of the API tests: a scenarios folder holding the tiny scenario, app factories."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_fakes import FakeServices
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


@pytest.fixture
def scenarios_dir(tiny_scenario_dir: Path, tmp_path: Path) -> Path:
    """A bundled-scenarios folder with one scenario, ``tiny``."""
    root = tmp_path / "scenarios"
    shutil.copytree(tiny_scenario_dir, root / "tiny")
    return root


@pytest.fixture
def make_settings(scenarios_dir: Path, tmp_path: Path) -> Callable[..., Settings]:
    """Settings on a temporary database and the test scenarios, with overrides."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "cache_dir": tmp_path / "cache",
            "database_url": f"sqlite:///{tmp_path / 'jobs.db'}",
            "scenarios_dir": scenarios_dir,
            **overrides,
        }
        return Settings(**values)

    return make


@pytest.fixture
def fake() -> FakeServices:
    """Instant fake services."""
    return FakeServices()


@pytest.fixture
def app(make_settings: Callable[..., Settings], fake: FakeServices) -> FastAPI:
    """The app on the fake services."""
    return create_app(make_settings(), services=fake)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client of the running app (lifespan started)."""
    with TestClient(app) as c:
        yield c
