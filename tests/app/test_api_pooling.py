"""Pooling checks: the producer group's verdict on a big order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


def _order(**extra: Any) -> dict[str, Any]:
    return {
        "kitchen": "sisteron-cc",
        "delivery_weekdays": ["tue", "thu"],
        "start": "2025-09-01",
        "n_weeks": 2,
        "products": [{"product": "carotte", "qty_per_delivery": 30}],
        **extra,
    }


def test_pooling_members_by_ids(client: TestClient) -> None:
    """Members given as ids reach the service in order, without duplicates."""
    body = {
        "scenario_name": "tiny",
        "group": ["ferme-buech", "laiterie-mison", "ferme-buech"],
        "order": _order(),
    }
    r = client.post("/v1/pooling-checks", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["result"] == {
        "members": ["ferme-buech", "laiterie-mison"],
        "kitchen": "sisteron-cc",
    }


def test_pooling_unknown_member_is_422(client: TestClient) -> None:
    """An unknown member id is a 422 on group naming it."""
    body = {"scenario_name": "tiny", "group": ["ferme-buech", "ghost"], "order": _order()}
    r = client.post("/v1/pooling-checks", json=body)
    assert r.status_code == 422
    item = r.json()["detail"][0]
    assert item["field"] == "group"
    assert item["value"] == ["ghost"]


def test_pooling_group_name_never_a_path(client: TestClient) -> None:
    """A group that looks like a path is refused by validation, never read from disk."""
    body = {"scenario_name": "tiny", "group": "/etc/passwd", "order": _order()}
    r = client.post("/v1/pooling-checks", json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][:2] == ["body", "group"]


def test_pooling_calendar_must_be_one(client: TestClient) -> None:
    """An order with both a school year and explicit weeks is refused, naming them."""
    body = {
        "scenario_name": "tiny",
        "group": ["ferme-buech"],
        "order": _order(school_year="2025-2026"),
    }
    r = client.post("/v1/pooling-checks", json=body)
    assert r.status_code == 422
    item = r.json()["detail"][0]
    assert item["field"] == "order"
    assert "school_year" in item["message"] and "start" in item["message"]


def test_pooling_unknown_product_located_in_order(
    make_settings: Callable[..., Settings],
) -> None:
    """On the real services, an unknown product of the order is a 422 on order.products[0]."""
    with TestClient(create_app(make_settings())) as client:
        order = _order(products=[{"product": "truffe", "qty_per_delivery": 1}])
        body = {"scenario_name": "tiny", "group": ["ferme-buech"], "order": order}
        r = client.post("/v1/pooling-checks", json=body)
        assert r.status_code == 422, r.text
        item = r.json()["detail"][0]
        assert item["field"] == "order.products[0].product"
        assert item["value"] == "truffe"


def test_pooling_real_verdict(make_settings: Callable[..., Settings]) -> None:
    """On the real services, a too-big order is a 200 'not feasible' answer with shortfalls."""
    with TestClient(create_app(make_settings())) as client:
        body = {
            "scenario_name": "tiny",
            "group": ["ferme-buech"],
            "order": _order(products=[{"product": "carotte", "qty_per_delivery": 500}]),
            "time_limit_s": 2,
        }
        r = client.post("/v1/pooling-checks", json=body)
        assert r.status_code == 200, r.text
        result = r.json()["result"]
        assert result["feasible"] is False
        assert result["shortfalls"], result
        assert result["binding_reason"]
        small = {**body, "order": _order(products=[{"product": "carotte", "qty_per_delivery": 5}])}
        r = client.post("/v1/pooling-checks", json=small)
        assert r.status_code == 200, r.text
        assert r.json()["result"]["feasible"] is True, r.json()["result"]["verdict"]
