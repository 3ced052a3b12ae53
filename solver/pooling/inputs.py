"""Pooling check inputs: the producer group, the order, the transport mode, and their files.

Order file (TOML, one order)
----------------------------
::

    id = "sisteron_carottes"                 # free text, optional
    kitchen = "sb_sisteron_cuisine_centrale"  # a canteen id of the scenario
    delivery_weekdays = ["tue", "thu"]        # mon..fri (or 1..7)
    school_year = "2025-2026"                 # every school week of that year (kitchen's zone);
    # or: weeks = ["2025-09-01", "2025-09-08"]  (Mondays, or any day of the week)
    # or: start = "2025-09-01" and n_weeks = 4
    receiving_start = "06:30"                 # optional, default: the kitchen's window
    receiving_end = "10:00"
    quality = "BIO"                           # optional: a label every supply must carry
    price_ceiling_eur_per_unit = 3.00         # optional: most the kitchen pays per unit
    rule = "proportional"                     # proportional | balanced | fewest_members

    [transport]
    mode = "member_collects"                  # each_delivers | member_collects | platform
    collector = "sb_p002"                     # member_collects: who drives the round
    van_capacity_kg = 400                     # member_collects: the collector's van
    van_refrigerated = true

    [[products]]
    product = "carotte"
    qty_per_delivery = 60                     # purchase units (kg for kg products)

With ``school_year``, deliveries falling on a day without school (holidays, public holidays)
are skipped; with explicit ``weeks`` every order weekday of every week is a delivery.

Group file (CSV): a ``producer_id`` column, one member per row (other columns ignored). A group
can also be named by ``Producer.group`` or given as comma-separated producer ids
(:func:`resolve_group`).

Every error names the file, the field (or row and column) and the value
(:class:`~solver.core.errors.ScenarioError`).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from solver.core import (
    Canteen,
    Label,
    Problem,
    Scenario,
    ScenarioError,
    Van,
    Weekday,
    school_days,
    school_year,
    school_year_weeks,
)

SharingRule = Literal["proportional", "balanced", "fewest_members"]
TransportMode = Literal["each_delivers", "member_collects", "platform"]
SHARING_RULES: tuple[str, ...] = ("proportional", "balanced", "fewest_members")
TRANSPORT_MODES: tuple[str, ...] = ("each_delivers", "member_collects", "platform")
_WEEKDAYS = {w.name.lower(): int(w) for w in Weekday}


class TravelLike(Protocol):
    """Drive times between labelled places (``geodata.TravelMatrix`` fits)."""

    @property
    def ids(self) -> tuple[str, ...]: ...  # noqa: D102

    @property
    def seconds(self) -> np.ndarray: ...  # noqa: D102

    @property
    def metres(self) -> np.ndarray: ...  # noqa: D102

    @property
    def source(self) -> str: ...  # noqa: D102

    @property
    def estimated(self) -> bool: ...  # noqa: D102


@dataclass(frozen=True)
class Travel:
    """A plain :class:`TravelLike` (tests and JSON input): ids, integer seconds and metres."""

    ids: tuple[str, ...]
    seconds: np.ndarray
    metres: np.ndarray
    source: str = "given"
    estimated: bool = False


@dataclass(frozen=True)
class OrderLine:
    """One product of the order: ``qty_per_delivery`` purchase units at every delivery."""

    product_id: str
    qty_per_delivery: float


@dataclass(frozen=True)
class PoolingOrder:
    """The kitchen's order: products, deliveries (weeks x weekdays), window, quality, price.

    ``receiving_*_min`` of None means the kitchen's own window; ``skip_dates`` are days without
    delivery (school holidays) inside the weeks.
    """

    kitchen_id: str
    lines: tuple[OrderLine, ...]
    weeks: tuple[dt.date, ...]
    delivery_weekdays: tuple[int, ...]
    id: str = "order"
    receiving_start_min: int | None = None
    receiving_end_min: int | None = None
    required_label: Label | None = None
    price_ceiling_eur_per_unit: float | None = None
    skip_dates: frozenset[dt.date] = frozenset()

    def delivery_dates(self, week: dt.date) -> list[dt.date]:
        """Delivery days of the week starting on Monday ``week``."""
        out = [week + dt.timedelta(days=wd - 1) for wd in sorted(set(self.delivery_weekdays))]
        return [d for d in out if d not in self.skip_dates]


@dataclass(frozen=True)
class Transport:
    """How goods travel; service times and costs are placeholders (as the platform's).

    ``each_delivers``: every member drives its share to the kitchen (direct check of its drive
    time, window and delivery weekdays). ``member_collects``: ``collector_id`` leaves its farm
    with ``van``, collects the other members, delivers the kitchen. ``platform``: the
    scenario's platform (``platform_id`` or the first) collects and delivers with its vans.
    """

    mode: TransportMode = "each_delivers"
    collector_id: str = ""
    van: Van | None = None
    platform_id: str = ""
    platform_vans: tuple[Van, ...] | None = None
    service_time_s: int = 300
    service_s_per_kg: float = 2.0
    own_cost_eur_per_km: float = 0.35
    own_cost_eur_per_hour: float = 25.0


DEFAULT_COLLECTOR_VAN_KG = 500.0
"""Capacity of the collecting member's van when the order file does not give one (placeholder)."""


@dataclass(frozen=True)
class PoolingInputs:
    """Everything a pooling check reads.

    ``extra_capacity`` adds weekly units ``{(producer_id, product_id, monday): units}`` (what a
    CAPACITY relaxation proposes); ``max_drive_min_floor`` lets every member drive at least that
    long (a DRIVE_TIME relaxation).
    """

    scenario: Scenario
    member_ids: tuple[str, ...]
    order: PoolingOrder
    travel: TravelLike
    transport: Transport = Transport()
    rule: SharingRule = "proportional"
    extra_capacity: dict[tuple[str, str, dt.date], float] = field(default_factory=dict)
    max_drive_min_floor: float = 0.0

    def with_order(self, **changes: Any) -> PoolingInputs:
        """A copy with fields of the order replaced."""
        return replace(self, order=replace(self.order, **changes))


# ------------------------------------------------------------------------------------- readers
def _problem(file: str, fld: str, value: object, message: str, row: int = 0) -> ScenarioError:
    return ScenarioError([Problem(file, row, fld, str(value), message)])


def resolve_group(spec: str, scenario: Scenario) -> tuple[str, ...]:
    """Member ids from a CSV file path, a ``Producer.group`` name, or comma-separated ids.

    Raises
    ------
    ScenarioError
        Unknown producer ids (file, row, column, value) or an empty group.
    """
    known = {p.id for p in scenario.producers}
    path = Path(spec)
    if path.suffix.lower() == ".csv" or path.is_file():
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise _problem(path.name, "", "", f"cannot read: {exc}") from None
        reader = csv.DictReader(text.splitlines())
        if "producer_id" not in (reader.fieldnames or []):
            raise _problem(path.name, "producer_id", "", "required column is missing", 1)
        ids: list[str] = []
        problems = []
        for i, row in enumerate(reader, start=2):
            pid = (row.get("producer_id") or "").strip()
            if pid not in known:
                problems.append(Problem(path.name, i, "producer_id", pid, "unknown producer"))
            elif pid not in ids:
                ids.append(pid)
        if problems:
            raise ScenarioError(problems)
        if not ids:
            raise _problem(path.name, "producer_id", "", "the group has no member")
        return tuple(ids)
    by_group = tuple(p.id for p in scenario.producers if p.group and p.group == spec)
    if by_group:
        return by_group
    ids = [s.strip() for s in spec.split(",") if s.strip()]
    bad = [s for s in ids if s not in known]
    if not ids or bad:
        raise _problem(
            "GROUP",
            "group",
            spec,
            "neither a group CSV, a producers.csv group name, nor known producer ids"
            + (f" (unknown: {', '.join(bad)})" if bad else ""),
        )
    return tuple(dict.fromkeys(ids))


def _weekday(v: object, file: str) -> int:
    s = str(v).strip().lower()
    if s.isdigit() and 1 <= int(s) <= 7:
        return int(s)
    if s[:3] in _WEEKDAYS:
        return _WEEKDAYS[s[:3]]
    raise _problem(file, "delivery_weekdays", v, "not a weekday (mon..sun or 1..7)")


def _minutes(v: object, file: str, fld: str) -> int:
    s = str(v).strip()
    try:
        if ":" in s:
            hh, mm = s.split(":", 1)
            h, m = int(hh), int(mm)
        else:
            h, m = divmod(int(float(s)), 60)
        if not (0 <= h <= 24 and 0 <= m < 60 and h * 60 + m <= 24 * 60):
            raise ValueError
    except ValueError:
        raise _problem(file, fld, v, "not a time of day (write HH:MM, e.g. 06:30)") from None
    return h * 60 + m


def _date(v: object, file: str, fld: str) -> dt.date:
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v).strip())
    except ValueError:
        raise _problem(file, fld, v, "not a date YYYY-MM-DD") from None


def _number(v: object, file: str, fld: str, *, positive: bool = True) -> float:
    try:
        x = float(str(v).replace(",", "."))
    except ValueError:
        raise _problem(file, fld, v, "not a number") from None
    if not math.isfinite(x):
        raise _problem(file, fld, v, "not a finite number")
    if positive and not x > 0:
        raise _problem(file, fld, v, "must be > 0")
    return x


def load_order(path: str | Path, scenario: Scenario) -> tuple[PoolingOrder, Transport, SharingRule]:
    """Read an order TOML file (format in the module docstring) against ``scenario``.

    Raises
    ------
    ScenarioError
        Naming the file, the field and the value.
    """
    p = Path(path)
    f = p.name
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise _problem(f, "", "", f"cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise _problem(f, "", "", f"not valid TOML: {exc}") from None
    return order_from_dict(data, scenario, file=f)


def _weekdays(data: dict[str, Any], f: str) -> tuple[int, ...]:
    days = data.get("delivery_weekdays", [])
    if isinstance(days, str):
        days = [d for d in days.replace(";", ",").split(",") if d.strip()]
    if not days:
        raise _problem(f, "delivery_weekdays", days, "give at least one weekday")
    return tuple(sorted({_weekday(d, f) for d in days}))


def _weeks(
    data: dict[str, Any], canteen: Canteen, f: str
) -> tuple[list[dt.date], frozenset[dt.date]]:
    """The order's Mondays and, with ``school_year``, the days without school in them."""
    if "weeks" in data:
        raw = data["weeks"]
        if not isinstance(raw, list) or not raw:
            raise _problem(f, "weeks", raw, "a non-empty list of dates")
        weeks = sorted({(d := _date(w, f, "weeks")) - dt.timedelta(days=d.weekday()) for w in raw})
        return weeks, frozenset()
    if "start" in data:
        start = _date(data["start"], f, "start")
        n = int(_number(data.get("n_weeks", 1), f, "n_weeks"))
        monday = start - dt.timedelta(days=start.weekday())
        return [monday + dt.timedelta(weeks=k) for k in range(n)], frozenset()
    year = str(data.get("school_year", "")).strip()
    if not year:
        raise _problem(f, "school_year", "", "give school_year, weeks or start + n_weeks")
    try:
        weeks = school_year_weeks(canteen.school_zone, year)
        sy = school_year(canteen.school_zone, year)
        open_days = set(
            school_days(canteen.school_zone, sy.rentree, sy.summer_start - dt.timedelta(1))
        )
    except (ValueError, KeyError) as exc:
        raise _problem(f, "school_year", year, f"unknown school year ({exc})") from None
    skip = frozenset(  # every weekday, so that other delivery days can be tried
        w + dt.timedelta(days=k)
        for w in weeks
        for k in range(7)
        if w + dt.timedelta(days=k) not in open_days
    )
    return weeks, skip


def _lines(data: dict[str, Any], scenario: Scenario, f: str) -> list[OrderLine]:
    lines: list[OrderLine] = []
    products = {x.id for x in scenario.products}
    raw_lines = data.get("products", [])
    if not isinstance(raw_lines, list) or not raw_lines:
        raise _problem(f, "products", raw_lines, "give at least one [[products]] table")
    for i, ln in enumerate(raw_lines):
        pid = str(ln.get("product", "")).strip()
        if pid not in products:
            raise _problem(f, f"products[{i}].product", pid, "unknown product id")
        if any(x.product_id == pid for x in lines):
            raise _problem(f, f"products[{i}].product", pid, "product listed twice")
        qty = _number(ln.get("qty_per_delivery", ""), f, f"products[{i}].qty_per_delivery")
        lines.append(OrderLine(pid, qty))
    return lines


def _quality(data: dict[str, Any], f: str) -> Label | None:
    if not str(data.get("quality", "")).strip():
        return None
    q = str(data["quality"]).strip().upper()
    try:
        return Label(q)
    except ValueError:
        raise _problem(f, "quality", q, f"not a label ({', '.join(Label)})") from None


def _receiving(data: dict[str, Any], canteen: Canteen, f: str) -> tuple[int | None, int | None]:
    """The order's receiving window in minutes (None: the kitchen's own bound)."""
    rs = data.get("receiving_start")
    re_ = data.get("receiving_end")
    start_min = _minutes(rs, f, "receiving_start") if rs is not None else None
    end_min = _minutes(re_, f, "receiving_end") if re_ is not None else None
    if (start_min if start_min is not None else canteen.receiving_start_min) >= (
        end_min if end_min is not None else canteen.receiving_end_min
    ):
        raise _problem(f, "receiving_end", re_, "must be after receiving_start")
    return start_min, end_min


def order_from_dict(
    data: dict[str, Any], scenario: Scenario, *, file: str = "order"
) -> tuple[PoolingOrder, Transport, SharingRule]:
    """Build the order, transport and rule from the TOML/JSON content (see :func:`load_order`)."""
    f = file
    kitchen = str(data.get("kitchen", "")).strip()
    try:
        canteen = scenario.canteen(kitchen)
    except KeyError:
        raise _problem(f, "kitchen", kitchen, "unknown canteen id") from None
    weekdays = _weekdays(data, f)
    weeks, skip = _weeks(data, canteen, f)
    lines = _lines(data, scenario, f)
    label = _quality(data, f)
    ceiling = None
    if "price_ceiling_eur_per_unit" in data:
        ceiling = _number(data["price_ceiling_eur_per_unit"], f, "price_ceiling_eur_per_unit")
    start_min, end_min = _receiving(data, canteen, f)
    rule = str(data.get("rule", "proportional")).strip()
    if rule not in SHARING_RULES:
        raise _problem(f, "rule", rule, f"must be one of {', '.join(SHARING_RULES)}")
    order = PoolingOrder(
        kitchen_id=kitchen,
        lines=tuple(lines),
        weeks=tuple(weeks),
        delivery_weekdays=weekdays,
        id=str(data.get("id", Path(f).stem)),
        receiving_start_min=start_min,
        receiving_end_min=end_min,
        required_label=label,
        price_ceiling_eur_per_unit=ceiling,
        skip_dates=skip,
    )
    return order, _transport(data.get("transport", {}), scenario, f), rule  # type: ignore[return-value]


def _transport(t: Any, scenario: Scenario, f: str) -> Transport:
    if not isinstance(t, dict):
        raise _problem(f, "transport", t, "a [transport] table")
    mode = str(t.get("mode", "each_delivers")).strip()
    if mode not in TRANSPORT_MODES:
        raise _problem(f, "transport.mode", mode, f"must be one of {', '.join(TRANSPORT_MODES)}")
    collector = str(t.get("collector", "")).strip()
    van = None
    if mode == "member_collects":
        try:
            scenario.producer(collector)
        except KeyError:
            raise _problem(f, "transport.collector", collector, "unknown producer id") from None
        cap = _number(t.get("van_capacity_kg", DEFAULT_COLLECTOR_VAN_KG), f, "van_capacity_kg")
        van = Van(
            id=f"{collector}_van",
            capacity_kg=cap,
            refrigerated=bool(t.get("van_refrigerated", True)),
        )
    platform_id = str(t.get("platform", "")).strip()
    if mode == "platform":
        ids = [p.id for p in scenario.platforms]
        if not ids:
            raise _problem("platforms.csv", "", "", "the scenario has no platform")
        if platform_id and platform_id not in ids:
            raise _problem(f, "transport.platform", platform_id, "unknown platform id")
    return Transport(mode=mode, collector_id=collector, van=van, platform_id=platform_id)  # type: ignore[arg-type]


def validate_inputs(inputs: PoolingInputs) -> None:
    """Bad inputs raise :class:`~solver.core.errors.ScenarioError` naming the field and value."""
    sc = inputs.scenario
    known = {p.id for p in sc.producers}
    problems = [
        Problem("group", 0, "producer_id", m, "unknown producer")
        for m in inputs.member_ids
        if m not in known
    ]
    if not inputs.member_ids:
        problems.append(Problem("group", 0, "producer_id", "", "the group has no member"))
    if inputs.order.kitchen_id not in {c.id for c in sc.canteens}:
        problems.append(Problem("order", 0, "kitchen", inputs.order.kitchen_id, "unknown canteen"))
    tr = inputs.transport
    if tr.mode == "member_collects" and tr.collector_id not in inputs.member_ids:
        problems.append(
            Problem("order", 0, "transport.collector", tr.collector_id, "not a member of the group")
        )
    if not problems:
        have = set(inputs.travel.ids)
        problems += [
            Problem("travel", 0, "ids", i, "no travel time to or from this place")
            for i in (*inputs.member_ids, inputs.order.kitchen_id)
            if i not in have
        ]
    if problems:
        raise ScenarioError(problems)
