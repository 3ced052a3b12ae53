"""Fixtures shared by every test package: the tiny hand-written scenario."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from solver.core import Scenario
from solver.scenario import load_scenario

DATA_DIR = Path(__file__).resolve().parent / "data"
TINY_DIR = DATA_DIR / "scenarios" / "tiny"


@pytest.fixture(scope="session")
def tiny_scenario_dir() -> Path:
    """Folder of the tiny valid scenario (read-only: copy it before editing)."""
    return TINY_DIR


@pytest.fixture(scope="session")
def tiny_scenario(tiny_scenario_dir: Path) -> Scenario:
    """The tiny scenario, read and validated."""
    return load_scenario(tiny_scenario_dir)


@pytest.fixture
def tiny_copy(tiny_scenario_dir: Path, tmp_path: Path) -> Path:
    """A writable copy of the tiny scenario folder."""
    return Path(shutil.copytree(tiny_scenario_dir, tmp_path / "tiny"))
