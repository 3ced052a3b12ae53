"""Request examples shown in ``/docs``, built from the bundled demo territory.

Read once at import from the demo scenario's files (a few CSV rows), so the examples
name real canteens and farms of the territory; a fresh checkout without the demo still
gets well-formed examples.
"""

from __future__ import annotations

import csv
import logging
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.paths import DEMO_SCENARIO

logger = logging.getLogger(__name__)

#: Estimated road travel used by the rounds example (labelled "estimate" in the request).
_CIRCUITY = 1.4
_SPEED_M_PER_S = 55_000 / 3600


def _rows(file: str, limit: int = 50) -> list[dict[str, str]]:
    path = Path(DEMO_SCENARIO) / file
    if not path.is_file():
        return []
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            out = []
            for i, row in enumerate(csv.DictReader(fh)):
                if i >= limit:
                    break
                out.append(row)
            return out
    except (OSError, UnicodeDecodeError, csv.Error):
        logger.warning("could not read %s for the API examples", path)
        return []


@lru_cache(maxsize=1)
def demo_canteen_id() -> str:
    """Id of the first canteen of the demo territory that buys for itself."""
    for row in _rows("canteens.csv"):
        if not row.get("kitchen_id") and row.get("id"):
            return row["id"]
    return "canteen-1"


def proposal_examples() -> dict[str, dict[str, Any]]:
    """OpenAPI examples of ``POST /v1/sourcing-proposals``."""
    cid = demo_canteen_id()
    return {
        "demo": {
            "summary": "A demo canteen over four weeks",
            "value": {"scenario_name": DEMO_SCENARIO.name, "canteen_id": cid, "weeks": 4},
        },
        "job": {
            "summary": "A school term, as a background job",
            "value": {
                "scenario_name": DEMO_SCENARIO.name,
                "canteen_id": cid,
                "weeks": 12,
                "time_limit_s": 30,
                "mode": "job",
            },
        },
    }


def plan_examples() -> dict[str, dict[str, Any]]:
    """OpenAPI examples of ``POST /v1/plans`` (JSON form)."""
    return {
        "demo": {
            "summary": "The whole demo territory",
            "value": {"scenario_name": DEMO_SCENARIO.name, "time_limit_s": 60},
        }
    }


def _haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lon1, lat1), (lon2, lat2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def _point(row: dict[str, str]) -> tuple[float, float] | None:
    try:
        return (round(float(row["lon"]), 5), round(float(row["lat"]), 5))
    except (KeyError, ValueError):
        return None


@lru_cache(maxsize=1)
def rounds_problem_example() -> dict[str, Any]:
    """A small rounds problem: the demo platform's depot, two farms and two kitchens."""
    sites: list[dict[str, Any]] = []
    depot = next((p for p in map(_point, _rows("platforms.csv")) if p), None)
    farms = [(r["id"], p) for r in _rows("producers.csv") if (p := _point(r))][:2]
    kitchens = [(r["id"], p) for r in _rows("canteens.csv") if (p := _point(r))][:2]
    if depot is None or len(farms) < 2 or len(kitchens) < 2:
        depot = (5.9413, 44.1997)  # Sisteron
        farms = [("farm-a", (5.7811, 44.2436)), ("farm-b", (5.8845, 44.2795))]
        kitchens = [("kitchen-a", (5.9436, 44.1952)), ("kitchen-b", (5.7294, 44.3079))]
    sites.append({"id": "depot", "location": list(depot), "kind": "depot"})
    for fid, p in farms:
        sites.append(
            {"id": fid, "location": list(p), "kind": "farm", "time_windows": [[25200, 43200]]}
        )
    for kid, p in kitchens:
        sites.append(
            {
                "id": kid,
                "location": list(p),
                "kind": "kitchen",
                "time_windows": [[23400, 36000]],
                "setup": 300,
            }
        )
    pts = [tuple(s["location"]) for s in sites]
    metres = [[round(_CIRCUITY * _haversine_m(a, b)) for b in pts] for a in pts]
    seconds = [[round(m / _SPEED_M_PER_S) for m in row] for row in metres]
    shipments = [
        {
            "id": f"order-{i + 1}",
            "pickup": {"site": farms[i % 2][0]},
            "delivery": {"site": kitchens[i // 2][0]},
            "amount_kg": 20.0 + 10 * i,
            "cold_chain": "chilled" if i % 2 else "ambient",
            "day": "tue",
            "service_s_per_kg": 2.0,
        }
        for i in range(4)
    ]
    return {
        "sites": sites,
        "shipments": shipments,
        "vehicles": [
            {
                "id": "van-1",
                "start": "depot",
                "capacity_kg": 600,
                "refrigerated": True,
                "costs": {"per_km": 0.35, "per_hour": 25.0},
                "time_window": [21600, 54000],
            }
        ],
        "matrices": {"car": {"durations": seconds, "distances": metres}},
        "travel_source": "estimate",
        "days": ["tue"],
    }


def rounds_examples() -> dict[str, dict[str, Any]]:
    """OpenAPI examples of ``POST /v1/rounds``."""
    return {
        "demo": {
            "summary": "One van, two farms, two kitchens of the demo territory (estimated times)",
            "value": {"problem": rounds_problem_example(), "time_limit_s": 2},
        }
    }


def pooling_examples() -> dict[str, dict[str, Any]]:
    """OpenAPI examples of ``POST /v1/pooling-checks`` (the demo territory's order)."""
    groups = [r.get("group", "") for r in _rows("producers.csv", limit=500)]
    group = next((g for g in groups if g), "giee_adear04")
    cid = demo_canteen_id()
    return {
        "demo": {
            "summary": "Organic carrots twice a week for a central kitchen, 4 weeks",
            "value": {
                "scenario_name": DEMO_SCENARIO.name,
                "group": group,
                "order": {
                    "kitchen": cid,
                    "delivery_weekdays": ["tue", "thu"],
                    "start": "2025-09-01",
                    "n_weeks": 4,
                    "quality": "BIO",
                    "rule": "proportional",
                    "transport": {"mode": "each_delivers"},
                    "products": [{"product": "carotte", "qty_per_delivery": 40}],
                },
            },
        }
    }
