"""A tiny fake of the solving services: real scenario validation, instant "solves".

Lets the API's infrastructure (sync answers, jobs, persistence, errors) be tested
without running a model; the real services plug in through ``create_app(services=...)``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from app.jobs import Artifact
from app.tasks import EXPORTS, Progress
from solver.core import Scenario, SolveParams
from solver.rounds import RoundsProblem
from solver.scenario import load_scenario, load_scenario_json


class FakeResult:
    """A result with ``to_dict()`` like the real ones."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return dict(self.data)


class FakeServices:
    """Services whose solves take ``delay_s`` (reporting progress) or wait for ``gate``.

    ``unstorable_exports=True`` makes every export file one the job store refuses (no
    content), to test a job whose end fails; ``load_delay_s`` slows scenario loading.
    """

    def __init__(
        self,
        delay_s: float = 0.0,
        gate: threading.Event | None = None,
        *,
        unstorable_exports: bool = False,
        load_delay_s: float = 0.0,
    ) -> None:
        self.delay_s = delay_s
        self.gate = gate
        self.unstorable_exports = unstorable_exports
        self.load_delay_s = load_delay_s
        self.calls: list[str] = []
        self.started = threading.Event()
        self._lock = threading.Lock()

    def load_scenario(self, source: Path | Mapping[str, Any]) -> Scenario:
        """Real loading and validation."""
        time.sleep(self.load_delay_s)
        if isinstance(source, Path):
            return load_scenario(source)
        return load_scenario_json(source)

    def _work(self, progress: Progress | None) -> None:
        self.started.set()
        t0 = time.monotonic()
        step = 0
        while True:
            done = time.monotonic() - t0 >= self.delay_s
            if self.gate is None and done:
                break
            if self.gate is not None and self.gate.is_set() and done:
                break
            step += 1
            if progress is not None:
                frac = min(0.99, (time.monotonic() - t0) / max(self.delay_s, 1e-9))
                progress(frac, f"step {step}", {"best_cost_eur": 100.0 - step})
            time.sleep(0.01)

    def propose(
        self,
        scenario: Scenario,
        canteen_id: str,
        *,
        weeks: int | None = None,
        params: SolveParams,
        progress: Progress | None = None,
    ) -> FakeResult:
        """Echo the question with the canteen's meals."""
        with self._lock:
            self.calls.append(f"propose:{canteen_id}")
        self._work(progress)
        canteen = scenario.canteen(canteen_id)
        return FakeResult(
            {
                "canteen_id": canteen_id,
                "canteen_name": canteen.name,
                "weeks": weeks,
                "meals_per_day": canteen.meals_per_day,
                "time_limit_s": params.time_limit_s,
                "status": "feasible",
            }
        )

    def plan_territory(
        self, scenario: Scenario, *, params: SolveParams, progress: Progress | None = None
    ) -> FakeResult:
        """Count the territory."""
        with self._lock:
            self.calls.append(f"plan:{scenario.settings.name}")
        self._work(progress)
        return FakeResult({"canteens": len(scenario.canteens), "status": "feasible"})

    def plan_rounds(
        self,
        problem: RoundsProblem,
        *,
        time_limit_s: float,
        seed: int = 0,
        mode: str = "direct",
        objective: str = "cost",
    ) -> FakeResult:
        """Count the orders."""
        with self._lock:
            self.calls.append("rounds")
        self._work(None)
        return FakeResult({"orders": len(problem.orders), "mode": mode})

    def pooling_check(
        self,
        scenario: Scenario,
        members: tuple[str, ...],
        order: Mapping[str, Any],
        *,
        time_limit_s: float,
        seed: int,
    ) -> FakeResult:
        """Echo the group and the order's kitchen."""
        with self._lock:
            self.calls.append("pooling")
        self._work(None)
        return FakeResult({"members": list(members), "kitchen": order["kitchen"]})

    def plan_week(
        self,
        scenario: Scenario,
        week: Any,
        *,
        params: SolveParams,
        availability: Any = (),
        fixed: Any = (),
        progress: Progress | None = None,
        **_options: Any,
    ) -> FakeResult:
        """Echo the week and the number of rows."""
        with self._lock:
            self.calls.append(f"week:{week}")
        self._work(progress)
        return FakeResult({"week": str(week), "availability": len(availability)})

    def replan(
        self,
        scenario: Scenario,
        previous: Any,
        shortfalls: Any,
        *,
        params: SolveParams,
        objective: str = "lexicographic",
        progress: Progress | None = None,
        **_options: Any,
    ) -> FakeResult:
        """Echo the objective and the number of shortfalls."""
        with self._lock:
            self.calls.append(f"replan:{objective}")
        self._work(progress)
        return FakeResult({"objective": objective, "shortfalls": len(shortfalls)})

    def compare(
        self,
        scenarios: Sequence[tuple[str, Scenario]],
        *,
        weeks: int | None = None,
        params: SolveParams,
        with_rounds: bool = True,
        progress: Progress | None = None,
    ) -> FakeResult:
        """Name the scenarios and count their canteens."""
        with self._lock:
            self.calls.append("compare:" + ",".join(name for name, _ in scenarios))
        self._work(progress)
        return FakeResult(
            {
                "scenarios": [
                    {"name": name, "canteens": len(sc.canteens), "platforms": len(sc.platforms)}
                    for name, sc in scenarios
                ],
                "weeks": weeks,
            }
        )

    def contracts(
        self,
        scenario: Scenario,
        *,
        weeks: int | None = None,
        params: SolveParams,
        with_rounds: bool = True,
        progress: Progress | None = None,
    ) -> FakeResult:
        """Name the scenario."""
        with self._lock:
            self.calls.append(f"contracts:{scenario.settings.name}")
        self._work(progress)
        return FakeResult({"scenario": scenario.settings.name, "weeks": weeks})

    def artifacts(self, kind: str, result: Any, *, full: bool = True) -> list[Artifact]:
        """One small file per export name of the kind (no workbook unless ``full``)."""
        data = result.to_dict()
        if self.unstorable_exports:
            return [Artifact(name, media, None) for name, media in EXPORTS[kind].items()]  # type: ignore[arg-type]
        return [
            Artifact(name, media, f"{name},{data.get('canteen_id', '')}\n".encode())
            for name, media in EXPORTS[kind].items()
            if full or not name.endswith(".xlsx")
        ]
