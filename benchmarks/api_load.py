"""Load benchmark of the HTTP API against a real uvicorn process on loopback.

Starts ``racines serve --host 127.0.0.1 --workers 1`` on a free port with a temporary job
database, then, for the cook's endpoint (``POST /v1/sourcing-proposals``, a demo canteen,
4 weeks, synchronous answer):

1. ``/healthz`` alone (the baseline of the same run: what the server costs per request);
2. the proposal one request at a time (latency of one cook);
3. the proposal under bounded concurrent load (``--concurrency`` clients,
   ``--requests`` in total, stopped after ``--max-seconds``), while a prober measures
   ``/healthz`` latency *during* the load (does a solve block the server?).

Prints latency percentiles (p50/p95/p99), throughput, and ratios to the baseline, and
checks the bar: p95 of a 4-week proposal under 2 s with one worker.

Usage::

    uv run python benchmarks/api_load.py [--requests 30] [--concurrency 2] [--max-seconds 120]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.paths import DEMO_SCENARIO  # noqa: E402
from solver.scenario import load_scenario  # noqa: E402

BAR_P95_S = 2.0


@dataclass
class Series:
    """Latencies of one kind of request."""

    name: str
    latencies_s: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)
    wall_s: float = 0.0

    def add(self, seconds: float, status: int, ok: int = 200) -> None:
        """Record one answer."""
        if status == ok:
            self.latencies_s.append(seconds)
        else:
            self.errors[status] = self.errors.get(status, 0) + 1

    def pct(self, q: float) -> float:
        """Percentile ``q`` (0..100) of the latencies, seconds (nearest rank)."""
        xs = sorted(self.latencies_s)
        if not xs:
            return float("nan")
        k = max(0, min(len(xs) - 1, round(q / 100 * len(xs) + 0.5) - 1))
        return xs[k]

    def row(self) -> str:
        """A table row."""
        n = len(self.latencies_s)
        thr = n / self.wall_s if self.wall_s > 0 else float("nan")
        mean = statistics.fmean(self.latencies_s) if n else float("nan")
        errs = ",".join(f"{k}x{v}" for k, v in sorted(self.errors.items())) or "-"
        return (
            f"| {self.name:<34} | {n:>4} | {errs:>6} | {1000 * self.pct(50):>8.1f} | "
            f"{1000 * self.pct(95):>8.1f} | {1000 * self.pct(99):>8.1f} | {1000 * mean:>8.1f} | "
            f"{thr:>7.2f} |"
        )


HEADER = (
    "| series                             |    n | errors |  p50 ms |  p95 ms |  p99 ms |"
    " mean ms |   req/s |\n"
    "|------------------------------------|------|--------|---------|---------|---------|"
    "---------|---------|"
)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, db_dir: Path) -> subprocess.Popen[bytes]:
    """``racines serve`` on 127.0.0.1:port, one worker, its own database."""
    env = {
        **os.environ,
        "RACINES_DATABASE_URL": f"sqlite:///{db_dir / 'bench.db'}",
        "RACINES_WORKERS": "1",
    }
    cmd = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", "1", "--log-level", "warning"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)


def wait_up(base: str, proc: subprocess.Popen[bytes], timeout_s: float = 180.0) -> float:
    """Seconds until /healthz answers."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        if proc.poll() is not None:
            msg = f"server exited with code {proc.returncode}"
            raise RuntimeError(msg)
        try:
            if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                return time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    msg = "server did not answer /healthz in time"
    raise RuntimeError(msg)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT (graceful), then SIGKILL if needed — only the process group we started."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def timed(client: httpx.Client, method: str, url: str, **kw: object) -> tuple[float, int]:
    """(seconds, status) of one request."""
    t0 = time.perf_counter()
    r = client.request(method, url, **kw)  # type: ignore[arg-type]
    return time.perf_counter() - t0, r.status_code


def health_series(client: httpx.Client, base: str, n: int, name: str) -> Series:
    """``n`` sequential /healthz."""
    s = Series(name)
    t0 = time.perf_counter()
    for _ in range(n):
        s.add(*timed(client, "GET", f"{base}/healthz"))
    s.wall_s = time.perf_counter() - t0
    return s


def proposal_load(
    base: str, bodies: list[dict[str, object]], n: int, concurrency: int, max_s: float, name: str
) -> tuple[Series, Series]:
    """``n`` proposals on ``concurrency`` clients (stopped after ``max_s``), health probed."""
    series, probe = Series(name), Series(f"/healthz during {name}")
    stop = threading.Event()
    deadline = time.perf_counter() + max_s
    lock = threading.Lock()
    counter = iter(range(n))

    def client_loop() -> None:
        with httpx.Client(timeout=120.0) as c:
            while time.perf_counter() < deadline:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                body = bodies[i % len(bodies)]
                dt, status = timed(c, "POST", f"{base}/v1/sourcing-proposals", json=body)
                with lock:
                    series.add(dt, status)

    def prober() -> None:
        with httpx.Client(timeout=30.0) as c:
            while not stop.is_set():
                probe.add(*timed(c, "GET", f"{base}/healthz"))
                stop.wait(0.05)

    p = threading.Thread(target=prober, daemon=True)
    p.start()
    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for f in [pool.submit(client_loop) for _ in range(concurrency)]:
            f.result()
    series.wall_s = time.perf_counter() - t0
    stop.set()
    p.join(5)
    probe.wall_s = series.wall_s
    return series, probe


def restart_check(port: int, db_dir: Path, time_limit_s: float) -> list[str]:
    """Submit a territory plan job, SIGKILL the server while it runs, restart, wait.

    Returns the lines to print. The job must end ``succeeded`` after the restart.
    """
    lines = []
    base = f"http://127.0.0.1:{port}"
    proc = start_server(port, db_dir)
    try:
        wait_up(base, proc)
        body = {"scenario_name": DEMO_SCENARIO.name, "time_limit_s": time_limit_s}
        r = httpx.post(f"{base}/v1/plans", json=body, timeout=60)
        job_id = r.json()["id"]
        lines.append(f"POST /v1/plans -> {r.status_code}, job {job_id}")
        t0 = time.perf_counter()
        status = ""
        while time.perf_counter() - t0 < 60:
            job = httpx.get(f"{base}/v1/jobs/{job_id}", timeout=30).json()
            status = job["status"]
            if status == "running" and job["progress"] > 0:
                break
            time.sleep(0.2)
        time.sleep(1.0)
        job = httpx.get(f"{base}/v1/jobs/{job_id}", timeout=30).json()
        lines.append(
            f"status before kill: {job['status']} (progress {job['progress']:.2f}, "
            f"{job['message']!r})"
        )
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # a crash: no graceful shutdown
            proc.wait(10)
    lines.append(f"server SIGKILLed (exit {proc.returncode}); restarting on the same database")
    proc = start_server(port, db_dir)
    try:
        up = wait_up(base, proc)
        t0 = time.perf_counter()
        job = httpx.get(f"{base}/v1/jobs/{job_id}", timeout=30).json()
        lines.append(f"after restart ({up:.1f} s): {job['status']}, {job['message']!r}")
        while job["status"] not in ("succeeded", "failed", "cancelled"):
            if time.perf_counter() - t0 > 600:
                break
            time.sleep(1.0)
            job = httpx.get(f"{base}/v1/jobs/{job_id}", timeout=30).json()
        took = time.perf_counter() - t0
        n_lines = len((job.get("result") or {}).get("purchase_plan", []))
        exports = sorted(k for k in job["links"] if k != "self")
        verdict = "NOTHING LOST" if job["status"] == "succeeded" else "LOST"
        lines.append(
            f"job {job['status']} {took:.1f} s after the restart: {n_lines} plan lines, "
            f"exports {', '.join(exports)} -> {verdict}"
        )
    finally:
        stop_server(proc)
    return lines


class InProcess:
    """The same proposal called in this process (``run_proposal``), no HTTP, no database.

    Called alternately with the HTTP requests, so both see the same machine load.
    """

    def __init__(self, kitchens: list[str], weeks: int) -> None:
        from app.adapter import AppServices

        self.services = AppServices()
        self.scenario = self.services.load_scenario(DEMO_SCENARIO)
        self.weeks = weeks
        for k in kitchens:  # warm-up, as the server had
            self.call(k)

    def call(self, kitchen: str) -> tuple[float, int]:
        """(seconds, 200) of one in-process proposal."""
        from app.tasks import run_proposal

        req = {"canteen_id": kitchen, "weeks": self.weeks}
        t = time.perf_counter()
        run_proposal(self.services, self.scenario, req, ceiling_s=10.0, full=False)
        return time.perf_counter() - t, 200


def main() -> None:
    """Run the benchmark and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=30, help="Proposals under load (total).")
    ap.add_argument("--concurrency", type=int, default=2, help="Concurrent clients.")
    ap.add_argument("--sequential", type=int, default=10, help="Proposals one at a time.")
    ap.add_argument("--max-seconds", type=float, default=120.0, help="Cap of the load phase.")
    ap.add_argument("--canteens", type=int, default=3, help="Demo kitchens cycled through.")
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument(
        "--restart-check",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Also kill the server during a territory plan job and check it resumes.",
    )
    ap.add_argument("--plan-time-limit-s", type=float, default=5.0)
    args = ap.parse_args()

    scenario = load_scenario(DEMO_SCENARIO)
    kitchens = [c.id for c in scenario.kitchens()][: max(1, args.canteens)]
    bodies: list[dict[str, object]] = [
        {"scenario_name": DEMO_SCENARIO.name, "canteen_id": k, "weeks": args.weeks, "mode": "sync"}
        for k in kitchens
    ]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="racines-bench-") as tmp:
        proc = start_server(port, Path(tmp))
        try:
            up_s = wait_up(base, proc)
            with httpx.Client(timeout=120.0) as c:
                warm = [timed(c, "POST", f"{base}/v1/sourcing-proposals", json=b) for b in bodies]
                idle = health_series(c, base, 100, "/healthz idle (baseline)")
                seq = Series(f"proposal {args.weeks} wk, 1 client")
                direct = Series("same, in-process (no HTTP, no DB)")
                in_process = InProcess(kitchens, args.weeks)
                url = f"{base}/v1/sourcing-proposals"
                for i in range(args.sequential):  # alternate: same machine load for both
                    t1 = time.perf_counter()
                    seq.add(*timed(c, "POST", url, json=bodies[i % len(bodies)]))
                    t2 = time.perf_counter()
                    direct.add(*in_process.call(kitchens[i % len(kitchens)]))
                    seq.wall_s += t2 - t1
                    direct.wall_s += time.perf_counter() - t2
            load, probe = proposal_load(
                base,
                bodies,
                args.requests,
                args.concurrency,
                args.max_seconds,
                f"proposal {args.weeks} wk, {args.concurrency} clients",
            )
        finally:
            stop_server(proc)
        restart = (
            restart_check(port, Path(tmp), args.plan_time_limit_s) if args.restart_check else []
        )

    print(f"racines API load benchmark: uvicorn on 127.0.0.1, 1 worker, {os.cpu_count()} CPU(s)")
    print(
        f"server up in {up_s:.1f} s; warm-up (first solve per kitchen, incl. travel matrix): "
        + ", ".join(f"{dt:.2f} s ({st})" for dt, st in warm)
    )
    print(f"kitchens cycled: {', '.join(kitchens)}\n")
    print(HEADER)
    for s in (idle, seq, direct, load, probe):
        print(s.row())
    base_p50 = idle.pct(50)
    print()
    print(f"proposal p50 / healthz p50 (1 client): {seq.pct(50) / base_p50:,.0f}x")
    print(
        f"proposal over HTTP / in-process (p50): {seq.pct(50) / direct.pct(50):.2f}x "
        f"(the API layer adds {1000 * (seq.pct(50) - direct.pct(50)):.0f} ms at p50)"
    )
    print(
        f"healthz p95 during load / idle: {probe.pct(95) / idle.pct(95):.1f}x "
        f"(p95 {1000 * probe.pct(95):.1f} ms vs {1000 * idle.pct(95):.1f} ms)"
    )
    verdict = "MET" if seq.pct(95) < BAR_P95_S else "NOT MET"
    print(
        f"bar: p95 of a {args.weeks}-week proposal with one worker < {BAR_P95_S} s: "
        f"{seq.pct(95):.2f} s (1 client) -> {verdict}; "
        f"{load.pct(95):.2f} s with {args.concurrency} concurrent clients"
    )
    if restart:
        print("\nkill -9 during a job, then restart (territory plan of the demo):")
        for line in restart:
            print(f"  {line}")


if __name__ == "__main__":
    main()
