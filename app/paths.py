"""Where racines finds its bundled files."""

from __future__ import annotations

from pathlib import Path

#: Root of the source checkout (racines is installed in editable mode from it).
ROOT = Path(__file__).resolve().parents[1]
#: Folder of bundled scenarios.
SCENARIOS_DIR = ROOT / "scenarios"
#: The demo territory, the default scenario of every command.
DEMO_SCENARIO = SCENARIOS_DIR / "baronnies"
