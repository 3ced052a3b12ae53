"""Readers for the standard routing benchmark files: Li & Lim (PDPTW) and Solomon (VRPTW).

Both formats are described in ``/work/shared/benchmarks/README.md``. The format is detected per
file from its content, not its name: a Solomon file has a ``VEHICLE`` header line, a Li & Lim
file starts with three numbers ``K Q S``.

Conventions of the literature (used by :mod:`routing_bks`): Euclidean distance in double
precision, travel time = distance, service must *start* inside ``[ready, due]`` (early arrival
waits), vehicles leave and return to the depot inside its window, and for Li & Lim each pickup and
its delivery on the same route, pickup first.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Task:
    """One line of an instance file (index 0 is the depot)."""

    id: int
    x: float
    y: float
    demand: int
    ready: int
    due: int
    service: int
    pickup_index: int = 0
    delivery_index: int = 0


@dataclass(frozen=True)
class Instance:
    """A benchmark instance: ``tasks[0]`` is the depot; ``kind`` is ``"lilim"`` or ``"solomon"``."""

    name: str
    kind: str
    num_vehicles: int
    capacity: int
    tasks: tuple[Task, ...]

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """(pickup id, delivery id) pairs of a Li & Lim instance (empty for Solomon)."""
        if self.kind != "lilim":
            return []
        return [(t.id, t.delivery_index) for t in self.tasks[1:] if t.delivery_index > 0]

    def distance(self, a: int, b: int) -> float:
        """Euclidean distance between task ``a`` and task ``b`` (double precision)."""
        ta, tb = self.tasks[a], self.tasks[b]
        return math.hypot(ta.x - tb.x, ta.y - tb.y)


@dataclass(frozen=True)
class Bks:
    """Best-known solution of one instance (hierarchical: vehicles first, then distance)."""

    vehicles: int
    distance: float


class BenchmarkFormatError(ValueError):
    """An instance file that matches neither format; the message names file, line and value."""


def _numbers(line: str) -> list[str]:
    return line.replace("\t", " ").split()


def detect_format(path: Path) -> str:
    """Return ``"solomon"`` or ``"lilim"`` for the instance file at ``path``."""
    text = path.read_text(encoding="utf-8", errors="replace")
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.upper().startswith("VEHICLE"):
            return "solomon"
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if lines and len(_numbers(lines[0])) == 3:
        try:
            [float(v) for v in _numbers(lines[0])]
        except ValueError:
            pass
        else:
            return "lilim"
    msg = f"{path}: not a Li & Lim or Solomon instance (first line {lines[:1]!r})"
    raise BenchmarkFormatError(msg)


def _task_from(fields: list[str], path: Path, lineno: int, n_expected: int) -> Task:
    if len(fields) < n_expected:
        msg = f"{path}:{lineno}: expected {n_expected} fields, got {len(fields)}: {fields!r}"
        raise BenchmarkFormatError(msg)
    try:
        vals = [float(v) for v in fields[:n_expected]]
    except ValueError as exc:
        msg = f"{path}:{lineno}: non-numeric field in {fields!r}"
        raise BenchmarkFormatError(msg) from exc
    ints = [int(round(v)) for v in vals]
    return Task(
        id=ints[0],
        x=vals[1],
        y=vals[2],
        demand=ints[3],
        ready=ints[4],
        due=ints[5],
        service=ints[6],
        pickup_index=ints[7] if n_expected > 7 else 0,
        delivery_index=ints[8] if n_expected > 8 else 0,
    )


def read_lilim(path: Path) -> Instance:
    """Read a Li & Lim PDPTW file (first line ``K Q S``, then 9 fields per task)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    head = _numbers(lines[0])
    num_vehicles, capacity = int(float(head[0])), int(float(head[1]))
    tasks = [
        _task_from(_numbers(line), path, i + 1, 9)
        for i, line in enumerate(lines[1:], start=1)
        if line.strip()
    ]
    for pos, task in enumerate(tasks):
        if task.id != pos:
            msg = f"{path}: task ids must be 0..n-1 in order; line {pos + 2} has id {task.id}"
            raise BenchmarkFormatError(msg)
    return Instance(path.stem, "lilim", num_vehicles, capacity, tuple(tasks))


def read_solomon(path: Path) -> Instance:
    """Read a Solomon VRPTW file (``VEHICLE`` block, then ``CUSTOMER`` lines of 7 fields)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    num_vehicles = capacity = -1
    tasks: list[Task] = []
    for i, raw in enumerate(lines):
        line = raw.strip()
        if line.upper().startswith("NUMBER"):
            nums = _numbers(lines[i + 1])
            num_vehicles, capacity = int(nums[0]), int(nums[1])
        fields = _numbers(line)
        if len(fields) == 7 and all(f.replace(".", "", 1).isdigit() for f in fields):
            tasks.append(_task_from(fields, path, i + 1, 7))
    if num_vehicles < 0 or not tasks:
        msg = f"{path}: missing VEHICLE block or customer lines"
        raise BenchmarkFormatError(msg)
    return Instance(path.stem, "solomon", num_vehicles, capacity, tuple(tasks))


def read_instance(path: Path) -> Instance:
    """Read an instance file of either format (detected from the content)."""
    kind = detect_format(path)
    return read_solomon(path) if kind == "solomon" else read_lilim(path)


def read_bks(path: Path) -> dict[str, Bks]:
    """Read ``bks.csv`` (columns ``instance, ..., bks_vehicles, bks_distance``), keyed by name."""
    out: dict[str, Bks] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[row["instance"].strip()] = Bks(int(row["bks_vehicles"]), float(row["bks_distance"]))
    return out
