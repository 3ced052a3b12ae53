"""The pages through the ASGI app (no browser): forms, uploads and their problems, languages."""

from __future__ import annotations

import ast
import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.web import i18n, routes, views
from app.web.i18n import EN, Words, pick_lang

WEB = Path(i18n.__file__).parent
DEMAND = WEB / "static" / "modeles" / "besoins_exemple.csv"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The real app on the demo territory, with its own job database."""
    tmp = tmp_path_factory.mktemp("web")
    settings = Settings(
        cache_dir=tmp / "cache",
        database_url=f"sqlite:///{tmp / 'jobs.db'}",
        sync_time_limit_s=5,
    )
    with TestClient(create_app(settings)) as c:
        yield c


def _problems(html: str) -> list[list[str]]:
    """Rows of the problems table of a page (cells as text)."""
    block = html.split('class="problems"', 1)[1].split("</section>", 1)[0]
    body = block.split("<tbody>", 1)[1]
    out = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        out.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return out


def test_every_page_answers_in_french_by_default(client: TestClient) -> None:
    """The home page and the four forms render, in French, with a label for every input."""
    for path in ("/", "/cantine", "/tournees", "/groupement", "/territoire"):
        r = client.get(path, headers={"Accept-Language": "fr-FR,fr;q=0.9"})
        assert r.status_code == 200, path
        assert '<html lang="fr">' in r.text
        ids = set(re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', r.text))
        labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', r.text))
        assert ids <= labelled, f"{path}: inputs without a label: {ids - labelled}"
        assert "http://" not in r.text.split("<body", 1)[0]
        assert not re.search(r'<script[^>]+src="https?://', r.text)


def test_english_through_accept_language_and_the_switch(client: TestClient) -> None:
    """``Accept-Language: en`` gives English; ``?lang=`` sets a cookie that sticks."""
    r = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "My canteen" in r.text and '<html lang="en">' in r.text
    r = client.get("/cantine?lang=en")
    assert "Propose my purchases" in r.text
    assert client.cookies.get(i18n.COOKIE) == "en"
    assert "Canteen" in client.get("/cantine").text
    client.get("/?lang=fr")
    assert "Proposer mes achats" in client.get("/cantine").text


def _page_strings() -> list[str]:
    """Every French string the pages show (templates, views, word tables)."""
    found: list[str] = []
    for f in sorted((WEB / "templates").glob("*.html")):
        found += [m[1] for m in re.findall(r"""\bt\(\s*(["'])((?:(?!\1).)*)\1""", f.read_text())]
    for name in ("views.py", "routes.py", "flows.py", "i18n.py"):
        for node in ast.walk(ast.parse((WEB / name).read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("t", "self")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append(node.args[0].value)
    tables = (
        i18n.SOURCING_REASONS,
        i18n.ROUNDS_REASONS,
        i18n.POOLING_REASONS,
        i18n.RELAXATIONS,
        i18n.CHANNELS,
        i18n.ACTIONS,
        i18n.STATUSES,
        views.TARGETS,
        views.JOB_TITLES,
    )
    for table in tables:
        found += list(table.values())
    found += [w for _, w in i18n.PROGRESS] + [label for _, _, label in views.SHARES]
    found += [label for _, label in routes.MENU]
    return list(dict.fromkeys(found))


def test_every_french_string_has_its_english_text() -> None:
    """The English catalogue covers every string of the pages, with the same fields."""
    strings = _page_strings()
    assert len(strings) > 200
    missing = [s for s in strings if s not in EN]
    assert missing == []
    for fr in strings:
        assert set(re.findall(r"{(\w+)}", fr)) == set(re.findall(r"{(\w+)}", EN[fr])), fr


def test_words_format_numbers_dates_and_reasons_per_language() -> None:
    """French writes 1 234,5 and « 1er septembre »; English 1,234.5 and 1 September."""
    fr, en = Words("fr"), Words("en")
    assert fr.num(1234.5, 1) == "1\u202f234,5"
    assert en.num(1234.5, 1) == "1,234.5"
    assert fr.eur(3.14) == "3,14\u00a0€" and en.eur(3.14) == "€3.14"
    assert fr.date("2025-09-01") == "1er septembre 2025"
    assert en.date("2025-09-01") == "1 September 2025"
    assert fr.weekday("2025-09-02") == "mardi 2 septembre"
    assert fr.sourcing_reason("MIN_ORDER_NOT_REACHED").startswith("Commande trop petite")
    assert en.rounds_reason("NO_ROUND_ON_DAY") == "No round that day"
    assert fr.progress("platform rounds for 7 orders") == "Tournées de la plateforme"
    assert pick_lang(None, None, "de-DE,en;q=0.8,fr;q=0.9") == "fr"
    assert pick_lang(None, None, "en-US") == "en"
    assert pick_lang("en", "fr", "fr") == "en"
    assert pick_lang(None, None, None) == "fr"
    assert fr.problem("not a number") == "ce n'est pas un nombre"
    assert en.problem("not a number") == "not a number"
    assert fr.problem("unknown product 'caviar', not in products.csv") == (
        "produit inconnu : « caviar » n'est pas dans products.csv"
    )
    assert fr.problem("week_start 2025-09-02 is not a Monday").startswith("le 2025-09-02")


def test_cook_uploads_a_weekly_demand_and_gets_a_proposal(client: TestClient) -> None:
    """A valid demand CSV replaces the menus for the canteen; the proposal follows."""
    files = {"file": ("mes besoins.csv", DEMAND.read_bytes(), "text/csv")}
    data = {"canteen_id": "sb_ribiers", "weeks": "2", "start": "2025-09-01"}
    r = client.post("/cantine", data=data, files=files, follow_redirects=False)
    assert r.status_code == 303, r.text[-2000:]
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    assert "Carotte" in page.text and "Pomme" in page.text
    assert "purchase_plan.xlsx" in page.text


def test_bad_demand_csv_lists_every_problem_by_row_and_column(client: TestClient) -> None:
    """Every bad cell of an uploaded CSV is shown with its row and column; nothing is solved."""
    text = (
        "canteen_id,week_start,product_id,quantity\n"
        "sb_ribiers,2025-09-01,carotte,25\n"
        "sb_ribiers,2025-09-02,pomme,30\n"
        "sb_ribiers,2025-09-01,caviar,1\n"
        "sb_ribiers,2025-09-08,carotte,beaucoup\n"
    )
    files = {"file": ("besoins.csv", text.encode(), "text/csv")}
    r = client.post("/cantine", data={"canteen_id": "sb_ribiers", "weeks": "4"}, files=files)
    assert r.status_code == 422
    rows = _problems(r.text)
    where = {(row[1], row[2].split(" ")[0]) for row in rows}
    assert ("3", "week_start") in where
    assert ("4", "product_id") in where
    assert ("5", "quantity") in where
    assert all(row[0] == "besoins.csv" for row in rows)


def test_bad_xlsx_menu_names_the_spreadsheet_column_letter(client: TestClient) -> None:
    """An XLSX menu: its problems name the sheet's row and the column with its letter."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        [
            "cycle_id",
            "week",
            "weekday",
            "dish",
            "product_id",
            "served_g_maternelle",
            "served_g_elementaire",
            "served_g_adulte",
        ]
    )
    sheet.append(["default", 1, "mon", "Carottes râpées", "carotte", 50, 70, 90])
    sheet.append(["default", 1, "lundi?", "Soupe", "carotte", 50, 70, 90])
    sheet.append(["default", 1, "tue", "Soupe", "carotte", -5, 70, 90])
    buf = io.BytesIO()
    book.save(buf)
    files = {"file": ("menu.xlsx", buf.getvalue(), "application/octet-stream")}
    r = client.post("/cantine", data={"canteen_id": "sb_ribiers", "weeks": "2"}, files=files)
    assert r.status_code == 422
    rows = _problems(r.text)
    assert ["menu.xlsx", "3", "weekday (C)"] in [row[:3] for row in rows]
    assert ["menu.xlsx", "4", "served_g_maternelle (F)"] in [row[:3] for row in rows]


def test_unreadable_upload_is_a_clear_problem_and_its_name_is_never_a_path(
    client: TestClient, tmp_path: Path
) -> None:
    """A file that is no spreadsheet gets one clear problem; its name writes nothing."""
    name = f"../../{tmp_path.name}/evil.csv"
    files = {"file": (name, b"\x00\x01\xff\xfe garbage", "text/csv")}
    r = client.post("/tournees", files=files)
    assert r.status_code == 422
    assert "UTF-8" in r.text
    assert not list(tmp_path.rglob("evil.csv"))
    assert not Path("evil.csv").exists()


def test_orders_with_an_unknown_farm_are_located(client: TestClient) -> None:
    """Platform orders: an unknown producer is reported at its row and column."""
    text = (
        "order_id,producer_id,kitchen_id,kg,day\n"
        "c1,sb_p001,sb_ribiers,10,2025-09-02\n"
        "c2,nobody,sb_ribiers,5,2025-09-02\n"
    )
    files = {"file": ("commandes.csv", text.encode(), "text/csv")}
    r = client.post("/tournees", files=files)
    assert r.status_code == 422
    assert ["commandes.csv", "3", "producer_id (B)", "nobody"] in [
        row[:4] for row in _problems(r.text)
    ]


def test_form_fields_out_of_range_are_named(client: TestClient) -> None:
    """A form value the API refuses comes back on the form, naming the field."""
    r = client.post("/cantine", data={"canteen_id": "sb_ribiers", "weeks": "500"})
    assert r.status_code == 422
    assert "weeks" in " ".join(" ".join(row) for row in _problems(r.text))
    r = client.post("/groupement", data={"kitchen": "sb_ribiers", "product": "carotte", "qty": "5"})
    assert r.status_code == 422
    assert "members" in r.text


def test_unknown_job_is_a_page_not_an_error(client: TestClient) -> None:
    """A job id that does not exist gives the 'not found' page."""
    r = client.get("/cantine/resultat/" + "0" * 32)
    assert r.status_code == 404
    assert "Introuvable" in r.text
