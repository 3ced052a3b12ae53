"""The web app in a real browser (headless Chromium) against a real ``racines serve``."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlparse

import openpyxl
import pytest
from live import ROOT

ORDERS = ROOT / "app" / "web" / "static" / "modeles" / "commandes_exemple.csv"


def _same_host(urls: list[str], base_url: str) -> list[str]:
    """URLs of ``urls`` served by another host than the app (data: URLs excluded)."""
    host = urlparse(base_url).netloc
    return [u for u in urls if not u.startswith("data:") and urlparse(u).netloc != host]


def test_home_shows_the_four_entry_points_and_loads_nothing_from_elsewhere(
    page: Any, base_url: str
) -> None:
    """``/`` links the four pages; every script and stylesheet comes from the app."""
    page.goto(base_url + "/")
    titles = page.locator(".card h2 a").all_inner_texts()
    assert titles == ["Ma cantine", "Tournées", "Groupement", "Territoire"]
    hrefs = [page.locator(".card h2 a").nth(i).get_attribute("href") for i in range(4)]
    assert hrefs == ["/cantine", "/tournees", "/groupement", "/territoire"]
    sources = page.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    sheets = page.eval_on_selector_all("link[rel=stylesheet]", "els => els.map(e => e.href)")
    assert _same_host(sources + sheets, base_url) == []
    assert _same_host(page.requested, base_url) == []
    assert "synthétiques" in page.locator(".banners").inner_text()


def test_cook_flow_for_ribiers_over_four_weeks(page: Any, base_url: str, tmp_path: Any) -> None:
    """Choose Ribiers, 4 weeks, solve: gauges against targets, tables, the XLSX opens."""
    page.goto(base_url + "/cantine")
    page.select_option("#canteen_id", "sb_ribiers")
    page.fill("#weeks", "4")
    page.click("form button[type=submit]")
    page.wait_for_selector("[data-testid=gauges]")
    assert "Ribiers" in page.locator("h1").inner_text()
    gauges = page.locator("[data-testid=gauges] .gauge")
    assert gauges.count() == 5
    assert page.locator("[data-testid=gauges] .gauge-target").count() == 5
    labels = " ".join(page.locator(".gauge-label").all_inner_texts())
    for word in ("EGALIM", "Bio", "Local", "par repas"):
        assert word in labels
    assert page.locator("details.week").count() == 4
    assert page.locator("[data-testid=not-local] tbody tr").count() >= 1
    assert page.locator(".banners").inner_text().strip() != ""
    with page.expect_download() as info:
        page.click("a[href$='purchase_plan.xlsx']")
    download = info.value
    path = tmp_path / "plan.xlsx"
    download.save_as(path)
    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    assert "plan" in book.sheetnames
    rows = list(book["plan"].iter_rows(values_only=True))
    kitchen = rows[0].index("kitchen_id")
    assert len(rows) > 10
    assert {r[kitchen] for r in rows[1:]} == {"sb_ribiers"}


def test_keyboard_alone_reaches_and_submits_the_cook_form(page: Any, base_url: str) -> None:
    """Tab goes to the skip link first, then through the form; Enter submits it."""
    page.goto(base_url + "/cantine")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "canteen_id":
            break
    assert page.evaluate("document.activeElement.id") == "canteen_id"
    page.keyboard.type("Ribiers")
    assert page.evaluate("document.activeElement.value") == "sb_ribiers"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=gauges]")


def test_platform_map_renders_numbered_markers(page: Any, base_url: str) -> None:
    """Uploaded orders: the Leaflet map shows a marker per stop, labelled, with no tiles."""
    page.goto(base_url + "/tournees")
    page.set_input_files("#file", str(ORDERS))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#carte[data-markers]")
    markers = page.locator("#carte .leaflet-marker-icon")
    assert markers.count() >= 5
    assert int(page.get_attribute("#carte", "data-markers") or 0) == markers.count()
    assert page.locator("#carte .pin.depot").count() == 1
    assert page.locator("#carte .pin.farm").count() >= 1
    assert page.locator("#carte .pin.kitchen").count() >= 1
    assert page.locator("#carte .leaflet-tooltip").count() >= 3
    assert page.locator("#carte .leaflet-overlay-pane path").count() >= 1
    assert page.locator("section.van table tbody tr").count() >= 3
    assert _same_host(page.requested, base_url) == []
    page.click("text=Feuille de route du chauffeur")
    assert page.locator(".sheet table tbody tr").count() >= 3


def test_pooling_verdict_appears(page: Any, base_url: str) -> None:
    """The producer group's form, as filled by default: a verdict, a chart, members."""
    page.goto(base_url + "/groupement")
    assert page.locator("input[name=members]:checked").count() >= 2
    page.click("form button[type=submit]")
    verdict = page.wait_for_selector("[data-testid=verdict]")
    assert verdict.inner_text().startswith(("Oui", "Non"))
    page.wait_for_selector("#weeks-chart[data-ready=true]")
    assert page.locator("section[aria-labelledby=membres] tbody tr").count() >= 2


def _start_plan(page: Any, base_url: str, weeks: int) -> None:
    page.goto(base_url + "/territoire")
    page.fill("#weeks", str(weeks))
    page.click("form button[type=submit]")
    page.wait_for_selector("progress#progress")


def test_plan_job_shows_progress_and_can_be_cancelled(page: Any, base_url: str) -> None:
    """The territory plan runs as a job: the bar moves, the button cancels it."""
    _start_plan(page, base_url, 4)
    page.wait_for_function("document.getElementById('progress').value > 0")
    assert page.locator("#job-message").inner_text().strip() != ""
    page.click("#cancel")
    page.wait_for_function(
        "['cancelled'].includes(document.querySelector('.job').dataset.status)"
        " || document.getElementById('job-status-text').textContent.includes('annulé')"
    )
    assert "annulé" in page.locator("#job-status-text").inner_text()


@pytest.mark.slow
def test_plan_job_ends_on_the_dashboard_and_its_rounds(page: Any, base_url: str) -> None:
    """A one-week plan: progress, then the dashboard (kitchens, producers, map), then rounds."""
    _start_plan(page, base_url, 1)
    page.wait_for_selector("#resultat", timeout=120_000)
    assert "Tableau de bord" in page.locator("h1").inner_text()
    assert page.locator("table.kitchens tbody tr").count() >= 10
    page.wait_for_selector("#carte[data-markers]")
    assert int(page.get_attribute("#carte", "data-markers") or 0) >= 10
    page.wait_for_selector("#kitchens-chart[data-ready=true]")
    rounds = page.locator("a[href^='/tournees/resultat/']")
    if rounds.count():
        rounds.first.click()
        page.wait_for_selector("#carte[data-markers]")
        assert page.locator("#carte .leaflet-marker-icon").count() >= 2
