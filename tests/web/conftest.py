"""Fixtures of the web app's tests: a real ``racines serve`` and a headless Chromium.

Without Chromium the browser tests fail with the command that installs it (CI installs
it in ``.ci/run``); ``RACINES_SKIP_BROWSER_TESTS=1`` skips them instead, for a developer
machine without a browser.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from live import browser_problem, chromium, live_server


def _browser_or_fail() -> None:
    problem = browser_problem()
    if problem is None:
        return
    if os.environ.get("RACINES_SKIP_BROWSER_TESTS") == "1":
        pytest.skip(f"RACINES_SKIP_BROWSER_TESTS=1: {problem}")
    pytest.fail(problem, pytrace=False)


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """Base URL of a real ``racines serve`` on a free loopback port (short solves)."""
    _browser_or_fail()
    with live_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser_context(base_url: str) -> Iterator[Any]:
    """A headless Chromium (fresh profile) for the whole session."""
    with chromium() as context:
        yield context


@pytest.fixture
def page(browser_context: Any, base_url: str) -> Iterator[Any]:
    """A new tab; every request it makes is recorded in ``page.requested``."""
    tab = browser_context.new_page()
    tab.set_default_timeout(60_000)
    requested: list[str] = []
    tab.on("request", lambda r: requested.append(r.url))
    tab.requested = requested
    try:
        yield tab
    finally:
        tab.close()
