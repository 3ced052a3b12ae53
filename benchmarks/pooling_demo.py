"""Benchmark: pooling checks on the demo territory (bar: an answer in under 10 s).

Usage::

    uv run python benchmarks/pooling_demo.py [--time-limit-s 2.0] [--repeat 3]

Runs the worked example (the Laragne group of organic market gardeners answering the Sisteron
central kitchen's weekly carrot order over the school year 2025-26,
``scenarios/baronnies/pooling/``) under each transport mode and sharing rule, in one run, and
prints wall-clock seconds (best of ``--repeat``) for:

* ``load + matrix``: reading the scenario and the estimated travel matrix (done once per answer
  by ``app.services.pooling_check``);
* each check (``solver.pooling.check_pooling_order``: allocation, transport, relaxations
and the
  independent checker), with its ratio to the baseline ``each_delivers / proportional`` (the
  allocation stage plus closed-form trips, no routing engine).

The rounds engine runs until its time limit (PyVRP ``MaxRuntime``), so routed modes cost about
``--time-limit-s`` more; ``collects 08:30`` (the kitchen receives until 08:30 only) adds the
window relaxation: one re-solve with an open window, then a bisection to the minute.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from app import services
from solver.pooling import PoolingInputs, Transport, check_pooling_order, load_order, resolve_group

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "baronnies"
GROUP = DEMO / "pooling" / "group_laragne.csv"
ORDER = DEMO / "pooling" / "order_sisteron_carottes.toml"


def _best(fn, repeat: int):  # type: ignore[no-untyped-def]
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv: list[str] | None = None) -> int:
    """Print the timing table; exit 1 when an answer takes 10 s or more."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit-s", type=float, default=2.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    def load() -> PoolingInputs:
        sc = services.load_scenario(DEMO)
        order, transport, rule = load_order(ORDER, sc)
        return PoolingInputs(
            scenario=sc,
            member_ids=resolve_group(str(GROUP), sc),
            order=order,
            travel=services.travel_matrix(sc, base_dir=DEMO),
            transport=transport,
            rule=rule,
        )

    t_load, base = _best(load, args.repeat)
    tight = base.with_order(receiving_end_min=8 * 60 + 30)
    each = dataclasses.replace(base, transport=Transport(mode="each_delivers"))
    cases = [
        ("each_delivers", "proportional", each),
        ("each_delivers", "fewest_members", dataclasses.replace(each, rule="fewest_members")),
        ("member_collects", "proportional", base),
        ("member_collects", "balanced", dataclasses.replace(base, rule="balanced")),
        ("member_collects", "fewest_members", dataclasses.replace(base, rule="fewest_members")),
        ("collects 08:30", "proportional", tight),
        (
            "platform",
            "proportional",
            dataclasses.replace(base, transport=Transport(mode="platform")),
        ),
    ]
    print(
        f"demo territory: {len(base.scenario.producers)} producers, group of "
        f"{len(base.member_ids)}, {len(base.order.weeks)} weeks, "
        f"travel {base.travel.source}"
    )
    print(f"load + matrix: {t_load:.2f} s (best of {args.repeat})\n")
    head = f"{'mode':<16} {'rule':<15} {'seconds':>8} {'ratio':>7} {'total s':>8}  verdict"
    print(head)
    print("-" * len(head))
    baseline = None
    worst = 0.0
    for mode, rule, inp in cases:
        secs, ans = _best(
            lambda inp=inp: check_pooling_order(inp, time_limit_s=args.time_limit_s),
            args.repeat,
        )
        baseline = baseline or secs
        worst = max(worst, secs + t_load)
        ok = "check ok" if ans.check is not None and ans.check.ok else "CHECK FAILED"
        print(
            f"{mode:<16} {rule:<15} {secs:8.2f} {secs / baseline:7.1f} {secs + t_load:8.2f}  "
            f"{ans.verdict[:60]} ({ok})"
        )
    print(f"\nslowest answer including load + matrix: {worst:.2f} s (bar: < 10 s)")
    return 0 if worst < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
