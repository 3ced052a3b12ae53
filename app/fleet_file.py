"""A platform's fleet file (CSV, ``racines rounds --vans FILE``): one van per row.

The fixed cost per van and day makes the trade-off between vans and km explicit: the rounds
minimise km and hours at each van's rates plus each used van's fixed cost, and report it.

| column | unit | default |
|---|---|---|
| ``id`` | van id | required |
| ``capacity_kg`` | kg | required |
| ``refrigerated`` | yes / no | yes |
| ``fixed_cost_eur`` | EUR per day the van is used | 0 |
| ``cost_eur_per_km`` | EUR per km | 0.35 |
| ``cost_eur_per_hour`` | EUR per hour | 25 |
| ``co2_kg_per_km`` | kg CO2 per km | 0.25 |
| ``shift_start`` / ``shift_end`` | ``HH:MM`` | 06:00 / 15:00 |
| ``max_shift_min`` | minutes | ``shift_end - shift_start`` |
| ``max_trips`` | trips per day (reloading at the depot in between) | 1 |

``,`` or ``;`` separated, UTF-8 (a BOM is accepted). Every bad cell is reported at once, naming
file, row, column and value.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from solver.core import Problem, ScenarioError
from solver.rounds import Vehicle

YES = {"yes", "y", "true", "1", "oui", "o"}
NO = {"no", "n", "false", "0", "non"}


def _number(text: str) -> float:
    value = float(text.replace(",", "."))
    if not math.isfinite(value) or value < 0:
        raise ValueError
    return value


def _clock_s(text: str) -> int:
    hours, minutes = text.split(":")
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 47 and 0 <= m <= 59):
        raise ValueError
    return h * 3600 + m * 60


def _flag(text: str) -> bool:
    low = text.lower()
    if low in YES:
        return True
    if low in NO:
        return False
    raise ValueError


def _trips(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError
    return value


#: column -> (parser, default text, what the message says a good value is)
COLUMNS: dict[str, tuple[Callable[[str], Any], str | None, str]] = {
    "id": (str, None, "a van id"),
    "capacity_kg": (_number, None, "a number > 0"),
    "refrigerated": (_flag, "yes", "yes or no"),
    "fixed_cost_eur": (_number, "0", "a number >= 0"),
    "cost_eur_per_km": (_number, "0.35", "a number >= 0"),
    "cost_eur_per_hour": (_number, "25", "a number >= 0"),
    "co2_kg_per_km": (_number, "0.25", "a number >= 0"),
    "shift_start": (_clock_s, "06:00", "a time HH:MM"),
    "shift_end": (_clock_s, "15:00", "a time HH:MM"),
    "max_shift_min": (_number, "", "minutes > 0"),
    "max_trips": (_trips, "1", "a whole number >= 1"),
}


def _row_vehicle(
    row: dict[str, str], file: str, line: int, depot_site_id: str, problems: list[Problem]
) -> Vehicle | None:
    values: dict[str, Any] = {}
    for col, (parse, default, want) in COLUMNS.items():
        text = (row.get(col) or "").strip()
        if not text:
            if default is None:
                problems.append(Problem(file, line, col, "", "required value is missing"))
                continue
            if default == "":
                values[col] = None
                continue
            text = default
        try:
            values[col] = parse(text)
        except ValueError:
            problems.append(Problem(file, line, col, text, f"must be {want}"))
    if len(values) < len(COLUMNS):
        return None
    start, end = values["shift_start"], values["shift_end"]
    if end <= start or values["capacity_kg"] <= 0:
        col = "shift_end" if end <= start else "capacity_kg"
        msg = "must be after shift_start" if end <= start else "must be a number > 0"
        problems.append(Problem(file, line, col, (row.get(col) or "").strip(), msg))
        return None
    max_min = values["max_shift_min"]
    return Vehicle(
        id=values["id"],
        capacity_kg=values["capacity_kg"],
        depot_site_id=depot_site_id,
        refrigerated=values["refrigerated"],
        cost_eur_per_km=values["cost_eur_per_km"],
        cost_eur_per_hour=values["cost_eur_per_hour"],
        co2_kg_per_km=values["co2_kg_per_km"],
        shift_start_s=start,
        shift_end_s=end,
        max_shift_s=end - start if max_min is None else int(round(max_min * 60)),
        fixed_cost_eur=values["fixed_cost_eur"],
        max_trips=values["max_trips"],
    )


def read_fleet_csv(path: str | Path, depot_site_id: str) -> list[Vehicle]:
    """The vans of a fleet file, based at ``depot_site_id``.

    Raises
    ------
    ScenarioError
        Every problem found (missing column, bad cell, duplicate id, no van).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(p.name, 0, "", "", f"cannot read: {exc}")]) from None
    dialect = ";" if text.count(";") > text.count(",") else ","
    reader = csv.DictReader(text.splitlines(), delimiter=dialect)
    missing = [c for c in ("id", "capacity_kg") if c not in (reader.fieldnames or [])]
    if missing:
        raise ScenarioError(
            [Problem(p.name, 1, c, "", "required column is missing") for c in missing]
        )
    problems: list[Problem] = []
    vans: list[Vehicle] = []
    for line, row in enumerate(reader, start=2):
        van = _row_vehicle(row, p.name, line, depot_site_id, problems)
        if van is None:
            continue
        if any(v.id == van.id for v in vans):
            problems.append(Problem(p.name, line, "id", van.id, "duplicate van id"))
            continue
        vans.append(van)
    if not vans and not problems:
        problems.append(Problem(p.name, 0, "", "", "the fleet file lists no van"))
    if problems:
        raise ScenarioError(problems)
    return vans
