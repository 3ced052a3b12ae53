"""The sourcing's solves on a Dask cluster: the same answer as in-process."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.cluster import DaskRunner, parse_address
from solver.core import SolveParams
from solver.sourcing import BOUND_JOINT, Decomposition, LogisticsOverrides, solve_sourcing

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "solver"))
from matching_fixtures import NO_TIE, PEN, random_instance  # noqa: E402


def test_cluster_addresses() -> None:
    """``local:N`` starts N local workers; anything else names a scheduler."""
    assert parse_address("local:2") == ("local", 2)
    assert parse_address("tcp://10.0.0.1:8786") == ("remote", 0)
    for bad in ("local:0", "local:", "local:x"):
        with pytest.raises(ValueError, match="local:N"):
            parse_address(bad)


def test_a_local_cluster_of_two_workers_gives_the_in_process_answer() -> None:
    """Two kitchens planned as two groups over six weeks (year relaxations, pricing
    passes, bound windows as tasks): a LocalCluster of two workers returns the same plan,
    cost and territory bound as the solver's own threads (the same seed, and limits the
    tiny solves never reach). The workers are threads of this process (worker processes
    take most of a test's time to start; ``racines plan --cluster local:N`` and the
    scale benchmark start real ones)."""
    from distributed import Client, LocalCluster

    inst, drops, _ = random_instance(1, capacity_scale=0.5, weeks=6)
    kitchens = sorted(set(inst.demand["kitchen_id"]))
    dec = Decomposition(kitchen_groups=tuple((k,) for k in kitchens), pricing_passes=8)

    def solve(runner):  # type: ignore[no-untyped-def]
        return solve_sourcing(
            inst.scenario,
            inst.demand,
            inst.meals,
            inst.eligibility,
            params=SolveParams(time_limit_s=120.0, window_weeks=1, seed=3),
            tiebreak=NO_TIE,
            penalties=PEN,
            logistics_cost_overrides=LogisticsOverrides(direct_drop_eur=drops),
            decomposition=dec,
            runner=runner,
        )

    here = solve(None)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        runner = DaskRunner(client)
        assert runner.slots == 2
        there = solve(runner)
    assert here.bound_kind == BOUND_JOINT
    assert there.plan.lines == here.plan.lines
    assert there.objective_eur == here.objective_eur
    assert there.lower_bound_eur == here.lower_bound_eur
    assert there.bound_method == here.bound_method
