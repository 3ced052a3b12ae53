"""A real ``racines serve`` on loopback and a headless Chromium driven by Playwright.

Used by the browser tests (``conftest.py``), the web app benchmark and the screenshot
script. The browser is Debian's ``chromium`` (``apt-get install chromium
chromium-driver``); Playwright only drives it (no ``playwright install``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("RACINES_CHROMIUM", "/usr/bin/chromium")
#: Chromium flags of every run (Playwright adds ``--headless``; the profile is a fresh
#: temporary folder, Playwright's ``user_data_dir``).
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: Environment of the served app: no basemap tiles (offline), short solves.
SERVER_ENV = {
    "RACINES_WEB_MAP_TILE_URL": "",
    "RACINES_SYNC_TIME_LIMIT_S": "5",
    "RACINES_WEB_COOK_TIME_LIMIT_S": "5",
    "RACINES_WEB_WEEK_PLAN_TIME_LIMIT_S": "3",
    "RACINES_WEB_PLAN_TIME_LIMIT_S": "5",
    "RACINES_WEB_ROUNDS_TIME_LIMIT_S": "1",
    "RACINES_WEB_POOLING_TIME_LIMIT_S": "2",
}
MISSING_BROWSER = (
    "headless Chromium is required for the web app's browser tests: install it with "
    "`apt-get update && apt-get install -y chromium chromium-driver` (.ci/run does), "
    "or set RACINES_SKIP_BROWSER_TESTS=1 to skip them on a machine without it"
)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def browser_problem() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    if not Path(CHROMIUM).is_file():
        return MISSING_BROWSER
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is missing: uv sync --extra dev"
    return None


@contextmanager
def live_server(
    env: Mapping[str, str] | None = None, *, startup_s: float = 90.0, short_solves: bool = True
) -> Iterator[str]:
    """``racines serve`` on a free loopback port, with its own database and cache.

    ``short_solves``: the time limits of :data:`SERVER_ENV` (tests); else the defaults
    (basemap tiles stay off: tests and benchmarks run offline). Yields the base URL;
    the server is stopped (and its folder removed) on exit.
    """
    tmp = Path(tempfile.mkdtemp(prefix="racines-live-"))
    port = free_port()
    racines = Path(sys.executable).with_name("racines")
    cmd = [str(racines)] if racines.is_file() else [sys.executable, "-m", "app.cli"]
    cmd += ["serve", "--port", str(port), "--database-url", f"sqlite:///{tmp / 'jobs.db'}"]
    cmd += ["--log-level", "warning"]
    limits = SERVER_ENV if short_solves else {"RACINES_WEB_MAP_TILE_URL": ""}
    full_env = {**os.environ, "RACINES_CACHE_DIR": str(tmp / "cache"), **limits, **(env or {})}
    log = (tmp / "server.log").open("wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_s
        while True:
            if proc.poll() is not None:
                log.flush()
                out = (tmp / "server.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"racines serve exited with {proc.returncode}:\n{out}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"racines serve did not answer within {startup_s} s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def chromium(*, width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A headless Chromium context (Playwright ``BrowserContext``) on a fresh profile."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="racines-chromium-")
    downloads = tempfile.mkdtemp(prefix="racines-downloads-")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=list(CHROMIUM_FLAGS),
            accept_downloads=True,
            downloads_path=downloads,
            viewport={"width": width, "height": height},
            locale="fr-FR",
        )
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)
            shutil.rmtree(downloads, ignore_errors=True)
