"""POST /v1/comparisons and /v1/contracts: jobs, bundled variants, posted overrides, errors."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_fakes import FakeServices
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

TWO = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "two_depots"

NO_NYONS_ROUND = """description = "cc-nyons off the round"
[[set.canteens]]
where = { id = "cc-nyons" }
on_platform_round = "no"
"""


@pytest.fixture
def bundled(scenarios_dir: Path) -> Path:
    """The two-depot scenario bundled beside tiny, with one variant."""
    folder = scenarios_dir / "two_depots"
    shutil.copytree(TWO, folder)
    (folder / "variants").mkdir()
    (folder / "variants" / "no_nyons_round.toml").write_text(NO_NYONS_ROUND, encoding="utf-8")
    return folder


@pytest.fixture
def api(
    bundled: Path, make_settings: Callable[..., Settings], fake: FakeServices
) -> Iterator[TestClient]:
    """The app on the fake services, with the bundled variant."""
    with TestClient(create_app(make_settings(max_override_bytes=400), services=fake)) as c:
        yield c


def _wait(client: TestClient, job: dict[str, Any], timeout_s: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        out: dict[str, Any] = client.get(job["links"]["self"]).json()
        if out["status"] in ("succeeded", "failed", "cancelled") or time.monotonic() > deadline:
            return out
        time.sleep(0.05)


def _detail(r: Any) -> list[dict[str, Any]]:
    return list(r.json()["detail"])


def test_variants_are_listed(api: TestClient) -> None:
    """A bundled scenario lists its variants with their description; an unknown one is 404."""
    r = api.get("/v1/scenarios/two_depots/variants")
    assert r.status_code == 200
    assert r.json() == [{"name": "no_nyons_round", "description": "cc-nyons off the round"}]
    assert api.get("/v1/scenarios/tiny/variants").json() == []
    assert api.get("/v1/scenarios/nowhere/variants").status_code == 404


def test_comparison_job_with_a_variant_and_an_override(api: TestClient, fake: FakeServices) -> None:
    """A bundled variant and a posted override each make a scenario; the job plans them."""
    body = {
        "scenarios": [
            {"scenario_name": "two_depots"},
            {"scenario_name": "two_depots", "variants": ["no_nyons_round"]},
            {
                "scenario_name": "two_depots",
                "overrides": [
                    {
                        "name": "gap_only",
                        "toml": '[[remove.platforms]]\nwhere = { id = "depot-*" }\n'
                        '[[set.canteens]]\nwhere = { id = "cc-nyons" }\non_platform_round = "no"\n',
                    }
                ],
            },
        ],
        "weeks": 2,
    }
    r = api.post("/v1/comparisons", json=body)
    assert r.status_code == 202, r.text
    job = _wait(api, r.json())
    assert job["status"] == "succeeded", job
    names = [s["name"] for s in job["result"]["scenarios"]]
    assert names == ["two_depots", "two_depots+no_nyons_round", "two_depots+gap_only"]
    assert [s["platforms"] for s in job["result"]["scenarios"]] == [2, 2, 1]
    assert "compare.xlsx" in job["links"]


def test_contracts_job(api: TestClient, fake: FakeServices) -> None:
    """Contracts of a bundled scenario with its variant: a job answering its result."""
    body = {"scenario_name": "two_depots", "variants": ["no_nyons_round"], "weeks": 3}
    r = api.post("/v1/contracts", json=body)
    assert r.status_code == 202, r.text
    job = _wait(api, r.json())
    assert job["status"] == "succeeded", job
    assert job["result"] == {"scenario": "two_depots+no_nyons_round", "weeks": 3}
    assert "contracts.csv" in job["links"]


BAD_COMPARISONS = [
    ("one scenario", {"scenarios": [{"scenario_name": "tiny"}]}, "scenarios"),
    (
        "too many scenarios",
        {"scenarios": [{"scenario_name": "tiny"}] * 5},
        "scenarios",
    ),
    (
        "unknown variant",
        {
            "scenarios": [
                {"scenario_name": "tiny"},
                {"scenario_name": "two_depots", "variants": ["nope"]},
            ]
        },
        "scenarios[1].variants[0]",
    ),
    (
        "variant as a path",
        {
            "scenarios": [
                {"scenario_name": "tiny"},
                {"scenario_name": "two_depots", "variants": ["../tiny"]},
            ]
        },
        "scenarios[1].variants[0]",
    ),
    (
        "unknown scenario",
        {"scenarios": [{"scenario_name": "tiny"}, {"scenario_name": "nope"}]},
        "scenarios[1].scenario_name",
    ),
    (
        "override too large",
        {
            "scenarios": [
                {"scenario_name": "tiny"},
                {"scenario_name": "tiny", "overrides": [{"name": "big", "toml": "#" * 500}]},
            ]
        },
        "scenarios[1].overrides[0].toml",
    ),
    (
        "too many weeks",
        {"scenarios": [{"scenario_name": "tiny"}, {"scenario_name": "tiny"}], "weeks": 60},
        "weeks",
    ),
]


@pytest.mark.parametrize(
    ("case", "body", "field"), BAD_COMPARISONS, ids=[c[0] for c in BAD_COMPARISONS]
)
def test_comparison_errors_name_the_field(
    api: TestClient, case: str, body: dict[str, Any], field: str
) -> None:
    """Every bad request is a 422 whose first item names the field."""
    r = api.post("/v1/comparisons", json=body)
    assert r.status_code == 422, (case, r.text)
    assert _detail(r)[0]["field"].startswith(field), (case, _detail(r))


def test_broken_override_is_located(api: TestClient) -> None:
    """A posted override's problem names the scenario, the override, its line and column."""
    toml = '# a comment\n[[set.canteens]]\nwhere = { id = "nobody" }\nmeals_adulte = 3\n'
    body = {
        "scenarios": [
            {"scenario_name": "tiny"},
            {"scenario_name": "tiny", "overrides": [{"name": "bad", "toml": toml}]},
        ]
    }
    r = api.post("/v1/comparisons", json=body)
    assert r.status_code == 422
    item = _detail(r)[0]
    assert item["loc"][:4] == ["body", "scenarios", 1, "overrides"]
    assert (item["file"], item["row"], item["column"]) == ("bad.toml", 2, "set.canteens.where")
    assert "matches no row" in item["message"]


def test_inline_scenario_takes_overrides_not_variants(api: TestClient) -> None:
    """An inline scenario may be changed by posted overrides, never by bundled variants."""
    inline = api.get("/v1/scenarios/tiny").json()
    r = api.post("/v1/contracts", json={"scenario": inline, "variants": ["x"]})
    assert r.status_code == 422
    ok = {
        "scenario": inline,
        "overrides": [{"name": "h3", "toml": "[settings]\nhorizon_weeks = 3\n"}],
        "weeks": 2,
    }
    assert api.post("/v1/contracts", json=ok).status_code == 202


def test_contracts_errors(api: TestClient) -> None:
    """Unknown scenario, weeks over the limit, an unknown variant: 422 naming the field."""
    for body, field in (
        ({"scenario_name": "nope"}, "scenario_name"),
        ({"scenario_name": "tiny", "weeks": 61}, "weeks"),
        ({"scenario_name": "two_depots", "variants": ["nope"]}, "variants[0]"),
        ({"scenario_name": "tiny", "extra": 1}, "extra"),
    ):
        r = api.post("/v1/contracts", json=body)
        assert r.status_code == 422, (body, r.text)
        assert _detail(r)[0]["field"].startswith(field), (body, _detail(r))


def test_real_comparison_on_two_depots(
    bundled: Path, make_settings: Callable[..., Settings]
) -> None:
    """On the real services a one-week comparison answers the tables and the workbook."""
    with TestClient(create_app(make_settings())) as c:
        body = {
            "scenarios": [
                {"scenario_name": "two_depots"},
                {"scenario_name": "two_depots", "variants": ["no_nyons_round"]},
            ],
            "weeks": 1,
            "time_limit_s": 5,
            "rounds": False,
        }
        r = c.post("/v1/comparisons", json=body)
        assert r.status_code == 202, r.text
        job = _wait(c, r.json(), timeout_s=120)
        assert job["status"] == "succeeded", job
        kitchens = {k["kitchen_id"]: k for k in job["result"]["kitchens"]}
        assert kitchens["cc-nyons"]["local_pct Δ [two_depots+no_nyons_round]"] < 0
        assert c.get(job["links"]["compare.xlsx"]).status_code == 200
