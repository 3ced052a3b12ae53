"""scenarios/README.md documents every column of every scenario file, generated from the model."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

from solver.core import Settings, TravelSettings
from solver.scenario import TABLES, table_columns

ROOT = Path(__file__).resolve().parents[2]


def _document_format() -> ModuleType:
    path = ROOT / "scenarios" / "document_format.py"
    spec = importlib.util.spec_from_file_location("document_format", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["document_format"] = module
    spec.loader.exec_module(module)
    return module


def _documented_columns(readme: str) -> dict[str, set[str]]:
    """file -> columns listed in its README table."""
    out: dict[str, set[str]] = {}
    current = ""
    for line in readme.splitlines():
        m = re.match(r"^#### `([^`]+)`", line)
        if m:
            current = m.group(1)
            out[current] = set()
        m = re.match(r"^\| `([^`]+)` \|", line)
        if m and current:
            out[current].add(m.group(1))
    return out


def test_readme_tables_are_up_to_date() -> None:
    """The generated block of the README is exactly what document_format.py prints now."""
    doc = _document_format()
    text = (ROOT / "scenarios" / "README.md").read_text(encoding="utf-8")
    assert doc.refreshed_readme(text) == text, (
        "scenarios/README.md is stale: run `uv run python scenarios/document_format.py --write`"
    )


def test_readme_lists_every_model_field() -> None:
    """Every column of every file and every settings key has a row in the README."""
    text = (ROOT / "scenarios" / "README.md").read_text(encoding="utf-8")
    documented = _documented_columns(text)
    for spec in TABLES:
        expected = set(table_columns(spec.model)) | set(spec.extra_columns)
        assert documented.get(spec.file) == expected, spec.file
    settings = {k for k in Settings.model_fields if k != "travel"}
    settings |= {f"travel.{k}" for k in TravelSettings.model_fields}
    assert documented["settings.toml"] == settings


def test_every_column_has_a_description() -> None:
    """No column is left without a description (model description or FIELD_DOCS)."""
    assert _document_format().undocumented() == []


def test_field_docs_name_existing_columns() -> None:
    """FIELD_DOCS has no entry for a column that no longer exists."""
    doc = _document_format()
    existing = {
        f"{s.file}.{c}" for s in TABLES for c in (*table_columns(s.model), *s.extra_columns)
    }
    existing |= {f"settings.toml.{k}" for k in Settings.model_fields}
    assert set(doc.FIELD_DOCS) <= existing
