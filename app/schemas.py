"""HTTP request and response models, separate from the domain model.

Requests carry a scenario either by name (a bundled scenario) or inline as JSON (the same
content as a scenario folder, see ``scenarios/README.md``); the inline scenario is kept as
a JSON object here and validated against the domain model by :mod:`app.tasks`, so the
OpenAPI document stays small and every error is located as ``scenario.canteens[3].lat``.
``to_request()`` gives the JSON stored with a job; :meth:`JobOut.from_job` turns a stored
job into a response.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.jobs import Job, JobStatus
from app.paths import DEMO_SCENARIO
from solver.core import Label
from solver.rounds import DEFAULT_RELOAD_S, RoundsProblem, problem_from_json

#: Name of the bundled demo territory, the default scenario of every request.
DEMO_NAME = DEMO_SCENARIO.name

#: Allowed scenario names (no dots or slashes: a name never walks out of scenarios/).
NAME_PATTERN = r"^[A-Za-z0-9_\-]+$"
#: Job ids.
JOB_ID_PATTERN = r"^[0-9a-f]{32}$"

ScenarioName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=NAME_PATTERN,
        description="Name of a bundled scenario (GET /v1/scenarios lists them).",
        examples=[DEMO_NAME],
    ),
]
RecordId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
TimeLimit = Annotated[
    float,
    Field(gt=0, le=3600, description="Solver time limit, seconds (capped by the server)."),
]
Seed = Annotated[int, Field(ge=0, le=2**31 - 1, description="Random seed of the solvers.")]
Mode = Annotated[
    Literal["auto", "sync", "job"],
    Field(
        description=(
            "auto: answer at once when the request is small, else 202 + job; "
            "sync: always answer at once (within the server's synchronous time limit); "
            "job: always 202 + job."
        )
    ),
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _ScenarioRef(_Request):
    scenario_name: ScenarioName | None = Field(
        default=None, description=f"A bundled scenario; default {DEMO_NAME!r}."
    )
    scenario: dict[str, Any] | None = Field(
        default=None,
        description=(
            "A whole scenario inline: keys settings, products, producers, offers, canteens, "
            "menu, direct_demand, reference_offers, platforms (GET /v1/scenarios/{name} "
            "returns one to start from)."
        ),
    )

    @model_validator(mode="after")
    def _one_source(self) -> _ScenarioRef:
        if self.scenario_name is not None and self.scenario is not None:
            msg = "give scenario_name or scenario, not both"
            raise ValueError(msg)
        return self

    def scenario_json(self) -> dict[str, Any]:
        """The scenario part of the stored request."""
        if self.scenario is not None:
            return {"scenario": self.scenario}
        return {"scenario_name": self.scenario_name or DEMO_NAME}


class ProposalRequest(_ScenarioRef):
    """The cook's question: what to buy locally for one canteen over some weeks."""

    canteen_id: RecordId = Field(description="Canteen (kitchen) of the scenario.")
    weeks: int = Field(default=4, ge=1, le=60, description="Planning horizon, weeks.")
    time_limit_s: TimeLimit = 10.0
    seed: Seed = 0
    mode: Mode = "auto"

    def to_request(self) -> dict[str, Any]:
        """JSON stored with the job."""
        return {
            **self.scenario_json(),
            "canteen_id": self.canteen_id,
            "weeks": self.weeks,
            "time_limit_s": self.time_limit_s,
            "seed": self.seed,
        }


class PlanRequest(_ScenarioRef):
    """A whole territory to plan (always a job)."""

    time_limit_s: TimeLimit = 60.0
    seed: Seed = 0

    def to_request(self) -> dict[str, Any]:
        """JSON stored with the job."""
        return {**self.scenario_json(), "time_limit_s": self.time_limit_s, "seed": self.seed}


DAY_S = 24 * 3600
WEEK_S = 7 * DAY_S
Seconds = Annotated[int, Field(ge=0, le=WEEK_S, description="Seconds since midnight.")]
Window = tuple[Seconds, Seconds]


class SiteIn(_Request):
    """A stop of the rounds: the platform depot, a farm or a kitchen."""

    id: RecordId
    location: tuple[
        Annotated[float, Field(ge=-180, le=180)], Annotated[float, Field(ge=-90, le=90)]
    ] = Field(description="[lon, lat], WGS84 degrees (VROOM order).")
    kind: Literal["depot", "farm", "kitchen"] = "kitchen"
    time_windows: list[Window] = Field(
        default_factory=lambda: [(0, DAY_S)],
        min_length=1,
        max_length=1,
        description="One [start, end] window, seconds since midnight.",
    )
    setup: int = Field(default=0, ge=0, le=DAY_S, description="Fixed time per visit, s.")

    @model_validator(mode="after")
    def _window(self) -> SiteIn:
        start, end = self.time_windows[0]
        if end < start:
            msg = f"time window end {end} is before its start {start}"
            raise ValueError(msg)
        return self


class ShipmentStepIn(_Request):
    """One end of a shipment."""

    site: RecordId = Field(description="Id of a site of the problem.")


class ShipmentIn(_Request):
    """An order: kg collected at a farm and delivered to a kitchen."""

    id: RecordId
    pickup: ShipmentStepIn
    delivery: ShipmentStepIn
    amount_kg: float = Field(gt=0, le=100_000, description="Mass, kg.")
    cold_chain: Literal["ambient", "chilled", "frozen"] = "ambient"
    skills: list[str] = Field(default_factory=list, max_length=8, description="Informative.")
    day: str = Field(default="", max_length=16, description="Round day, e.g. 'tue'.")
    service_s_per_kg: float = Field(default=0.0, ge=0, le=600, description="Handling, s/kg.")


class CostsIn(_Request):
    """Van costs."""

    per_km: float = Field(default=0.35, ge=0, le=1_000, description="EUR per km.")
    per_hour: float = Field(default=25.0, ge=0, le=10_000, description="EUR per hour.")
    fixed: float = Field(
        default=0.0, ge=0, le=100_000, description="EUR per day the van is used (fixed cost)."
    )


class VehicleIn(_Request):
    """A van of the platform."""

    id: RecordId
    start: RecordId = Field(description="Depot site id (the van returns there).")
    end: RecordId | None = Field(default=None, description="Must equal start when given.")
    capacity_kg: float = Field(gt=0, le=100_000)
    refrigerated: bool = True
    skills: list[str] = Field(default_factory=list, max_length=8, description="Informative.")
    costs: CostsIn = Field(default_factory=CostsIn)
    co2_kg_per_km: float = Field(default=0.25, ge=0, le=100)
    time_window: Window = (6 * 3600, 15 * 3600)
    max_travel_time: int | None = Field(default=None, gt=0, le=WEEK_S, description="Max shift, s.")
    max_trips: int = Field(
        default=1, ge=1, le=10, description="Trips per day (reloading at the depot in between)."
    )

    @model_validator(mode="after")
    def _shift(self) -> VehicleIn:
        start, end = self.time_window
        if end <= start:
            msg = f"time_window end {end} must be after its start {start}"
            raise ValueError(msg)
        if self.end is not None and self.end != self.start:
            msg = f"end {self.end!r} must equal start {self.start!r} (vans return to their depot)"
            raise ValueError(msg)
        return self


MatrixRow = list[Annotated[int, Field(ge=-1, le=10_000_000)]]
ColdClass = Literal["ambient", "chilled", "frozen"]


class ColdRoomIn(_Request):
    """The depot's cold room for overnight cross-dock (orders collected the day before)."""

    capacity_kg: dict[ColdClass, Annotated[float, Field(ge=0, le=1_000_000)]] = Field(
        default_factory=dict, description="Kg stored overnight per cold-chain class."
    )
    max_storage_h: dict[ColdClass, Annotated[float, Field(ge=0, le=24 * 30)]] = Field(
        default_factory=dict, description="Longest storage per class, hours (absent: no limit)."
    )


class MatrixIn(_Request):
    """Travel matrices, one row per site in order; -1 = no road connection."""

    durations: list[MatrixRow] = Field(description="Seconds.")
    distances: list[MatrixRow] = Field(description="Metres.")


class RoundsProblemIn(_Request):
    """VROOM-like rounds problem (the JSON ``solver.rounds.problem_to_json`` writes)."""

    sites: list[SiteIn] = Field(min_length=1)
    shipments: list[ShipmentIn] = Field(default_factory=list)
    vehicles: list[VehicleIn] = Field(min_length=1)
    matrices: dict[Literal["car"], MatrixIn] = Field(description='{"car": {durations, distances}}')
    travel_source: str = Field(default="estimate", max_length=64)
    estimated: bool | None = Field(default=None, description="Informative (from travel_source).")
    days: list[Annotated[str, Field(max_length=16)]] = Field(default_factory=list, max_length=7)
    catchment_s: int | None = Field(default=None, ge=0, le=WEEK_S)
    reload_s: int = Field(
        default=DEFAULT_RELOAD_S, ge=0, le=DAY_S, description="Time at the depot between trips, s."
    )
    cold_room: ColdRoomIn | None = Field(
        default=None, description="The depot's cold room: enables overnight cross-dock."
    )

    @model_validator(mode="after")
    def _references(self) -> RoundsProblemIn:
        n = len(self.sites)
        ids = [s.id for s in self.sites]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            msg = f"sites: duplicate id(s) {dup}"
            raise ValueError(msg)
        known = set(ids)
        oids = [o.id for o in self.shipments]
        dup = sorted({i for i in oids if oids.count(i) > 1})
        if dup:
            msg = f"shipments: duplicate id(s) {dup}"
            raise ValueError(msg)
        for i, o in enumerate(self.shipments):
            for end in ("pickup", "delivery"):
                site = getattr(o, end).site
                if site not in known:
                    msg = f"shipments[{i}].{end}.site {site!r} is not a site id"
                    raise ValueError(msg)
        vids = [v.id for v in self.vehicles]
        dup = sorted({i for i in vids if vids.count(i) > 1})
        if dup:
            msg = f"vehicles: duplicate id(s) {dup}"
            raise ValueError(msg)
        for i, v in enumerate(self.vehicles):
            if v.start not in known:
                msg = f"vehicles[{i}].start {v.start!r} is not a site id"
                raise ValueError(msg)
        car = self.matrices.get("car")
        if car is None:
            msg = "matrices: the 'car' profile is required"
            raise ValueError(msg)
        for name in ("durations", "distances"):
            rows = getattr(car, name)
            if len(rows) != n or any(len(r) != n for r in rows):
                shape = f"{len(rows)} rows of lengths {sorted({len(r) for r in rows})}"
                msg = f"matrices.car.{name}: {shape}, expected {n} x {n} (one per site)"
                raise ValueError(msg)
        return self

    @property
    def stops(self) -> int:
        """Pickups plus deliveries."""
        return 2 * len(self.shipments)

    def to_domain(self) -> RoundsProblem:
        """The solver's problem."""
        return problem_from_json(self.model_dump(mode="json", exclude_none=True))


class RoundsRequest(_Request):
    """The platform's question: routes for these orders and vans."""

    problem: RoundsProblemIn = Field(
        description=(
            "VROOM-like rounds problem: sites (depot, farms, kitchens with [lon, lat]), "
            "shipments (pickup at a farm, delivery to a kitchen, kg, day), vehicles "
            "(capacity kg, refrigerated, costs, shift), travel matrices."
        )
    )
    routing_mode: Literal["direct", "cross_dock"] = Field(
        default="direct",
        description="direct: vans collect and deliver; cross_dock: via the depot's cold room.",
    )
    objective: Literal["cost", "fewest_vans"] = Field(
        default="cost",
        description="cost: least cost (km, hours, fixed costs); fewest_vans: fewest vans each "
        "day first, then least cost.",
    )
    time_limit_s: TimeLimit = 5.0
    seed: Seed = 0
    mode: Mode = "auto"

    def to_request(self) -> dict[str, Any]:
        """JSON stored with the job."""
        return {
            "problem": self.problem.model_dump(mode="json", exclude_none=True),
            "routing_mode": self.routing_mode,
            "objective": self.objective,
            "time_limit_s": self.time_limit_s,
            "seed": self.seed,
        }


WeekdayName = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["06:30"])]


class PoolingProductIn(_Request):
    """One product of a pooled order."""

    product: RecordId = Field(description="Product id of the scenario.")
    qty_per_delivery: float = Field(gt=0, le=100_000, description="Purchase units per delivery.")


class PoolingTransportIn(_Request):
    """How the group's goods reach the kitchen."""

    mode: Literal["each_delivers", "member_collects", "platform"] = "each_delivers"
    collector: RecordId | None = Field(default=None, description="member_collects: who drives.")
    van_capacity_kg: float | None = Field(default=None, gt=0, le=100_000)
    van_refrigerated: bool = True
    platform: RecordId | None = Field(default=None, description="platform: which platform.")


class PoolingOrderIn(_Request):
    """A big recurring order to a producer group (the order TOML file as JSON)."""

    id: str = Field(default="order", max_length=64)
    kitchen: RecordId = Field(description="Canteen id of the scenario that orders.")
    delivery_weekdays: list[WeekdayName] = Field(min_length=1, max_length=7)
    school_year: Annotated[str, Field(pattern=r"^\d{4}-\d{4}$")] | None = Field(
        default=None, description="Every school week of that year, e.g. 2025-2026."
    )
    weeks: list[dt.date] | None = Field(default=None, min_length=1, max_length=60)
    start: dt.date | None = None
    n_weeks: int | None = Field(default=None, ge=1, le=60)
    receiving_start: ClockTime | None = None
    receiving_end: ClockTime | None = None
    quality: Label | None = Field(default=None, description="A label every supply must carry.")
    price_ceiling_eur_per_unit: float | None = Field(default=None, gt=0, le=10_000)
    rule: Literal["proportional", "balanced", "fewest_members"] = "proportional"
    transport: PoolingTransportIn = Field(default_factory=PoolingTransportIn)
    products: list[PoolingProductIn] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _calendar(self) -> PoolingOrderIn:
        given = [k for k in ("school_year", "weeks", "start") if getattr(self, k) is not None]
        if len(given) != 1:
            msg = f"give exactly one of school_year, weeks or start (+ n_weeks); got {given}"
            raise ValueError(msg)
        return self

    @property
    def n_weeks_asked(self) -> int:
        """Weeks covered (a school year counts 36)."""
        if self.weeks is not None:
            return len(self.weeks)
        if self.start is not None:
            return self.n_weeks or 1
        return 36


class PoolingCheckRequest(_ScenarioRef):
    """The producer group's question: can we, together, honour this order?"""

    group: list[RecordId] | RecordId = Field(
        description="Member producer ids, or a group name of producers.csv (column group)."
    )
    order: PoolingOrderIn
    time_limit_s: TimeLimit = 5.0
    seed: Seed = 0
    mode: Mode = "auto"

    def to_request(self) -> dict[str, Any]:
        """JSON stored with the job."""
        return {
            **self.scenario_json(),
            "group": self.group,
            "order": self.order.model_dump(mode="json", exclude_none=True),
            "time_limit_s": self.time_limit_s,
            "seed": self.seed,
        }


class ErrorItem(BaseModel):
    """One located error."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int] = Field(description="Where: body/query/path then the field path.")
    field: str = Field(description="Dotted field, e.g. scenario.canteens[3].lat.")
    value: Any = Field(default=None, description="The offending value (truncated).")
    message: str = Field(description="What is wrong, naming the field and the value.")


class ErrorOut(BaseModel):
    """Body of every 4xx/5xx answer."""

    detail: list[ErrorItem]


class JobOut(BaseModel):
    """A job: its status, progress and result (the best so far while it runs)."""

    id: str
    kind: str
    status: JobStatus
    progress: float = Field(ge=0, le=1, description="0..1.")
    message: str
    cancel_requested: bool
    created: dt.datetime
    updated: dt.datetime
    result: dict[str, Any] | None = Field(
        default=None, description="The result; while running, the best result so far."
    )
    error: dict[str, Any] | None = Field(
        default=None, description="Why the job failed: code, message and details."
    )
    links: dict[str, str] = Field(description="The job itself and its export files.")

    @classmethod
    def from_job(cls, job: Job, base: str = "/v1/jobs") -> JobOut:
        """Response form of a stored job."""
        me = f"{base}/{job.id}"
        links = {"self": me, **{name: f"{me}/{name}" for name in job.artifact_names}}
        return cls(
            id=job.id,
            kind=job.kind,
            status=job.status,
            progress=job.progress,
            message=job.message,
            cancel_requested=job.cancel_requested,
            created=job.created,
            updated=job.updated,
            result=job.result,
            error=job.error,
            links=links,
        )


class ScenarioSummary(BaseModel):
    """A bundled scenario as listed."""

    name: str
    description: str
    canteens: int
    producers: int
    synthetic: bool
    link: str


class HealthOut(BaseModel):
    """Liveness answer."""

    status: Literal["ok"]
    version: str
    jobs_running: int
