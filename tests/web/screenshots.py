"""Screenshots of every page of the web app, for the README (``docs/screenshots/``).

Runs a real ``racines serve`` (default time limits) and headless Chromium (see
``live.py``), walks through the four pages with the demo territory (the producer group's
order over the whole school year, the territory's plan over its 4 weeks: a few minutes)
and saves one viewport-sized PNG per view.

Usage::

    uv run python tests/web/screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from live import ROOT, chromium, live_server

ORDERS = ROOT / "app" / "web" / "static" / "modeles" / "commandes_exemple.csv"


def shot(page: Any, out: Path, name: str, *, selector: str | None = None) -> None:
    """Save the viewport (scrolled to ``selector`` when given) as ``out/name.png``."""
    if selector:
        page.locator(selector).first.scroll_into_view_if_needed()
        page.evaluate(
            "s => window.scrollTo(0, document.querySelector(s).getBoundingClientRect().top"
            " + window.scrollY - 16)",
            selector,
        )
    page.wait_for_timeout(300)
    page.screenshot(path=str(out / f"{name}.png"))
    print(out / f"{name}.png")


def main(out: Path) -> None:
    """Walk through the pages and save their screenshots into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with live_server(short_solves=False) as base, chromium(width=1200, height=820) as context:
        page = context.new_page()
        page.set_default_timeout(600_000)
        page.goto(base + "/")
        shot(page, out, "1-accueil")

        page.goto(base + "/cantine")
        page.select_option("#canteen_id", "sb_ribiers")
        page.click("form button[type=submit]")
        page.wait_for_selector("[data-testid=gauges]")
        shot(page, out, "2-cantine", selector="h1")
        shot(page, out, "3-cantine-achats", selector="#achats")

        page.goto(base + "/tournees")
        page.set_input_files("#file", str(ORDERS))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_selector("#carte[data-markers]")
        shot(page, out, "4-tournees", selector="h1")

        page.goto(base + "/groupement")
        page.check("#p-year")
        page.click("form button[type=submit]")
        page.wait_for_selector("#weeks-chart[data-ready=true]")
        shot(page, out, "5-groupement", selector="h1")

        page.goto(base + "/territoire")
        page.click("form button[type=submit]")
        page.wait_for_function("document.getElementById('progress').value > 0.1")
        shot(page, out, "6-territoire-calcul")
        page.wait_for_selector("#resultat")
        page.wait_for_selector("#kitchens-chart[data-ready=true]")
        shot(page, out, "7-territoire", selector="h1")
        shot(page, out, "8-territoire-carte", selector="#qui")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
