"""The cook's flow in a real browser: Ribiers, 4 weeks, from submit to results shown.

Starts ``racines serve`` (default settings, basemap tiles off) on a free loopback port and
a headless Chromium (Debian's ``chromium``, driven by Playwright). Each run opens
``/cantine``, chooses the demo's Ribiers canteen and 4 weeks, and times from the click
on "Proposer mes achats" until the page shows the gauges (the proposal solved, its
exports written, the result page rendered). One cold run first, then ``--runs`` timed.

Baselines of the same run, same request:

1. the API alone: ``POST /v1/sourcing-proposals`` (synchronous answer, CSV exports only);
2. the page's form alone: ``POST /cantine`` without following the redirect (the proposal
   and every export, XLSX included, recorded as a finished job).

Prints a table (median, min, max, ratio to the API) and checks the bar: median of the
browser flow under 5 s.

Usage::

    uv run python benchmarks/webapp_cook.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "web"))

from live import browser_problem, chromium, live_server  # noqa: E402

BAR_S = 5.0
CANTEEN = "sb_ribiers"
WEEKS = 4


def timed(fn: Callable[[], None], runs: int) -> list[float]:
    """Seconds of ``runs`` calls of ``fn``."""
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def browser_flow(page: object, base: str) -> float:
    """One cook flow in the browser; seconds from submit to the gauges shown."""
    p: object = page
    p.goto(base + "/cantine")  # type: ignore[attr-defined]
    p.select_option("#canteen_id", CANTEEN)  # type: ignore[attr-defined]
    p.fill("#weeks", str(WEEKS))  # type: ignore[attr-defined]
    t0 = time.perf_counter()
    p.click("form button[type=submit]")  # type: ignore[attr-defined]
    p.wait_for_selector("[data-testid=gauges]", timeout=60_000)  # type: ignore[attr-defined]
    p.wait_for_load_state("load")  # type: ignore[attr-defined]
    return time.perf_counter() - t0


def main() -> int:
    """Run the benchmark; 0 when the bar is met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    problem = browser_problem()
    if problem is not None:
        print(problem)
        return 2
    with live_server(short_solves=False) as base, chromium() as context:
        client = httpx.Client(base_url=base, timeout=120)
        body = {"canteen_id": CANTEEN, "weeks": WEEKS, "mode": "sync"}
        form = {"canteen_id": CANTEEN, "weeks": str(WEEKS)}

        def api() -> None:
            r = client.post("/v1/sourcing-proposals", json=body)
            assert r.status_code == 200, r.text[:300]

        def form_post() -> None:
            r = client.post("/cantine", data=form, follow_redirects=False)
            assert r.status_code == 303, r.text[-300:]

        page = context.new_page()
        cold = browser_flow(page, base)
        api()
        form_post()
        series = {
            "API alone (POST /v1/sourcing-proposals)": timed(api, args.runs),
            "form alone (POST /cantine, all exports)": timed(form_post, args.runs),
            "browser: submit -> gauges shown": [browser_flow(page, base) for _ in range(args.runs)],
        }
    base_s = statistics.median(series["API alone (POST /v1/sourcing-proposals)"])
    print(
        f"Cook flow, {CANTEEN}, {WEEKS} weeks, median of {args.runs} (cold first run {cold:.2f} s)"
    )
    print(f"{'what':44} {'median s':>9} {'min s':>7} {'max s':>7} {'x API':>7}")
    for name, values in series.items():
        med = statistics.median(values)
        print(f"{name:44} {med:9.3f} {min(values):7.3f} {max(values):7.3f} {med / base_s:7.2f}")
    flow = statistics.median(series["browser: submit -> gauges shown"])
    ok = flow < BAR_S
    print(f"bar: median browser flow {flow:.2f} s < {BAR_S:.0f} s: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
