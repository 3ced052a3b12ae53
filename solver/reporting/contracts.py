"""Yearly contracts proposed from a school-year plan, with a backup for every line.

The seeds name contracts as what secures volumes for producers and kitchens alike (a
contract with a market gardener in every canteen is a target). From a plan's local lines
:func:`propose_contracts` proposes one contract per (kitchen, producer) and one line per
product and month (the month a week counts in, :func:`solver.core.week_month`):

* **volume**: the units and kg the plan buys from the producer that month, summed over
  its weeks; the contracts' volumes are the plan's, line for line;
* **price**: the producer's offer price (what the producer is paid; through a platform
  the kitchen pays the margin on top, ``price_paid_eur_per_unit``);
* **backup supplier**, should the producer fall short (a bad harvest): another producer
  with an offer of the product in season that month, eligible for the kitchen (a direct
  drop, a farm pickup or the kitchen's platform round) and with *spare capacity* that
  month at least the line's volume: its weekly capacity times the month's weeks of the
  plan, minus what the plan already buys from it; the cheapest such offer, the one with
  the most spare capacity among equal prices. Else the kitchen's reference wholesaler, at
  its conventional price. Each backup is checked against its line alone (a backup may
  stand behind several lines).

**Market gardener.** Vegetables are the ``FRUITS_ET_LEGUMES`` products cooked before they
are served (``raw_to_cooked_ratio < 1``; fruit is served raw); a market gardener offers
at least two vegetables, and vegetables are most of its fruit-and-vegetable offers (an
orchard or a stone-fruit grower is not one). :func:`contract_summary` counts the kitchens
with a contract with a market gardener, a target of the seeds.

The independent check is :func:`solver.evaluation.check_contracts`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from solver.core import Channel, Family, PurchasePlan, Scenario, week_month
from solver.evaluation import EligibilityLike, plan_frame
from solver.reporting.exports import write_xlsx

__all__ = [
    "CONTRACT_COLUMNS",
    "Contracts",
    "market_gardeners",
    "propose_contracts",
    "write_contracts",
]

#: Columns of :attr:`Contracts.lines`.
CONTRACT_COLUMNS = [
    "contract_id",
    "kitchen_id",
    "kitchen_name",
    "producer_id",
    "producer_name",
    "market_gardener",
    "product_id",
    "product_name",
    "month",
    "weeks",
    "quantity",
    "unit",
    "kg",
    "price_eur_per_unit",
    "price_paid_eur_per_unit",
    "value_eur",
    "channel",
    "backup_kind",
    "backup_supplier_id",
    "backup_name",
    "backup_price_eur_per_unit",
    "backup_channel",
    "backup_spare_quantity",
]


@dataclass(frozen=True)
class Contracts:
    """Proposed contracts: one row per (kitchen, producer, product, month)."""

    lines: pd.DataFrame
    weeks: tuple[dt.date, ...]

    def summary(self) -> dict[str, Any]:
        """Counts: contracts, producers, kitchens, and kitchens with a market gardener."""
        return contract_summary(self.lines)

    def per_producer(self) -> dict[str, pd.DataFrame]:
        """Each producer's lines."""
        return {str(p): df for p, df in self.lines.groupby("producer_id", sort=True)}


def market_gardeners(scenario: Scenario) -> set[str]:
    """Ids of the market gardeners (module docstring)."""
    products = {p.id: p for p in scenario.products}
    veg = {
        p.id
        for p in scenario.products
        if p.family is Family.FRUITS_ET_LEGUMES and p.raw_to_cooked_ratio < 1.0
    }
    fl: dict[str, list[str]] = defaultdict(list)
    for o in scenario.offers:
        p = products.get(o.product_id)
        if p is not None and p.family is Family.FRUITS_ET_LEGUMES:
            fl[o.producer_id].append(o.product_id)
    return {
        pid
        for pid, items in fl.items()
        if sum(i in veg for i in items) >= 2 and 2 * sum(i in veg for i in items) > len(items)
    }


def _month(week: dt.date) -> str:
    """``YYYY-MM`` of the month a week counts in (its Thursday's)."""
    thursday = week + dt.timedelta(days=3)
    return f"{thursday.year:04d}-{week_month(week):02d}"


def propose_contracts(
    scenario: Scenario, plan: PurchasePlan, eligibility: EligibilityLike
) -> Contracts:
    """Contracts for the plan's local lines, a backup for each (module docstring)."""
    df = plan_frame(scenario, plan)
    local = df[df["local"] & (df["channel"] != Channel.REFERENCE.value)]
    if local.empty:
        return Contracts(pd.DataFrame(columns=CONTRACT_COLUMNS), tuple(plan.weeks))
    local = local.assign(month=[_month(w) for w in local["week_start"]])
    grouped = (
        local.groupby(["kitchen_id", "supplier_id", "product_id", "month"], sort=True)
        .agg(
            weeks=("week_start", "nunique"),
            quantity=("quantity", "sum"),
            kg=("quantity_kg", "sum"),
            value_eur=("value_eur", "sum"),
            channel=("channel", lambda s: ";".join(sorted(set(s)))),
        )
        .reset_index()
    )
    backups = _Backups(scenario, df, eligibility, tuple(plan.weeks))
    rows = [_contract_row(scenario, r, backups) for r in grouped.to_dict("records")]
    return Contracts(pd.DataFrame(rows, columns=CONTRACT_COLUMNS), tuple(plan.weeks))


def _contract_row(scenario: Scenario, r: Mapping[Any, Any], backups: _Backups) -> dict[str, Any]:
    kid, pid, iid = str(r["kitchen_id"]), str(r["supplier_id"]), str(r["product_id"])
    offer_price = backups.offer_price.get((pid, iid), float("nan"))
    product = scenario.product(iid)
    backup = backups.backup(kid, pid, iid, str(r["month"]), float(r["quantity"]))
    quantity = float(r["quantity"])
    return {
        "contract_id": f"{kid}__{pid}",
        "kitchen_id": kid,
        "kitchen_name": backups.canteen_name.get(kid, kid),
        "producer_id": pid,
        "producer_name": backups.producer_name.get(pid, pid),
        "market_gardener": pid in backups.gardeners,
        "product_id": iid,
        "product_name": product.name,
        "month": r["month"],
        "weeks": int(r["weeks"]),
        "quantity": round(quantity, 4),
        "unit": product.unit.value,
        "kg": round(float(r["kg"]), 4),
        "price_eur_per_unit": offer_price,
        "price_paid_eur_per_unit": float(r["value_eur"]) / quantity if quantity > 0 else 0.0,
        "value_eur": round(float(r["value_eur"]), 2),
        "channel": r["channel"],
        **backup,
    }


class _Backups:
    """Who may stand in for a producer on a contract line (module docstring)."""

    def __init__(
        self,
        scenario: Scenario,
        lines: pd.DataFrame,
        eligibility: EligibilityLike,
        weeks: tuple[dt.date, ...],
    ) -> None:
        self.scenario = scenario
        self.el = eligibility
        self.offer_price = {o.key: o.price_eur_per_unit for o in scenario.offers}
        self.offers_of: dict[str, list[Any]] = defaultdict(list)
        for o in scenario.offers:
            self.offers_of[o.product_id].append(o)
        self.producer_name = {p.id: p.name for p in scenario.producers}
        self.canteen_name = {c.id: c.name for c in scenario.canteens}
        self.producers = {p.id: p for p in scenario.producers}
        self.gardeners = market_gardeners(scenario)
        self.month_weeks: dict[str, list[dt.date]] = defaultdict(list)
        for w in weeks:
            self.month_weeks[_month(w)].append(w)
        local = lines[lines["local"] & (lines["channel"] != Channel.REFERENCE.value)]
        self.bought: dict[tuple[str, str, str], float] = defaultdict(float)
        for sid, iid, w, q in zip(
            local["supplier_id"],
            local["product_id"],
            local["week_start"],
            local["quantity"],
            strict=True,
        ):
            self.bought[(str(sid), str(iid), _month(w))] += float(q)

    def channel(self, producer_id: str, kitchen_id: str) -> str:
        """The channel a producer may supply a kitchen by ("" when none)."""
        if (producer_id, kitchen_id) in self.el.direct:
            return Channel.DIRECT.value
        via = getattr(self.el, "via_platform", None)
        on_round = (
            via(producer_id, kitchen_id)
            if via is not None
            else producer_id in self.el.platform_producers
            and kitchen_id in self.el.platform_kitchens
        )
        return Channel.PLATFORM.value if on_round else ""

    def spare(self, offer: Any, month: str) -> float:
        """Units of ``offer`` not bought by the plan in ``month``'s weeks."""
        weeks = self.month_weeks.get(month, [])
        cap = sum(offer.capacity_in_month(week_month(w)) for w in weeks)
        return cap - self.bought.get((offer.producer_id, offer.product_id, month), 0.0)

    def backup(
        self, kitchen_id: str, producer_id: str, product_id: str, month: str, quantity: float
    ) -> dict[str, Any]:
        """The backup columns of one contract line."""
        best: tuple[float, float, Any, str] | None = None
        for o in self.offers_of.get(product_id, []):
            if o.producer_id == producer_id or o.producer_id not in self.producers:
                continue
            channel = self.channel(o.producer_id, kitchen_id)
            spare = self.spare(o, month)
            if not channel or spare < quantity - 1e-9:
                continue
            key = (o.price_eur_per_unit, -spare, o, channel)
            if best is None or key[:2] < best[:2]:
                best = key
        if best is not None:
            price, neg_spare, o, channel = best
            return {
                "backup_kind": "producer",
                "backup_supplier_id": o.producer_id,
                "backup_name": self.producer_name.get(o.producer_id, o.producer_id),
                "backup_price_eur_per_unit": price,
                "backup_channel": channel,
                "backup_spare_quantity": round(-neg_spare, 4),
            }
        return self._reference(kitchen_id, product_id)

    def _reference(self, kitchen_id: str, product_id: str) -> dict[str, Any]:
        canteen = self.scenario.canteen(kitchen_id)
        cands = [r for r in self.scenario.reference_offers if r.product_id == product_id]
        own = [r for r in cands if r.supplier_id == canteen.reference_supplier_id]
        ref = min(own or cands, key=lambda r: r.price_eur_per_unit) if cands else None
        return {
            "backup_kind": "reference",
            "backup_supplier_id": ref.supplier_id if ref else "",
            "backup_name": ref.supplier_name if ref else "",
            "backup_price_eur_per_unit": ref.price_eur_per_unit if ref else float("nan"),
            "backup_channel": Channel.REFERENCE.value,
            "backup_spare_quantity": float("nan"),
        }


def contract_summary(lines: pd.DataFrame) -> dict[str, Any]:
    """Counts of a contracts table (kitchens with a market gardener: the seeds' target)."""
    if lines.empty:
        return {
            "contracts": 0,
            "contract_lines": 0,
            "producers": 0,
            "kitchens": 0,
            "kitchens_with_market_gardener": 0,
            "kg": 0.0,
            "value_eur": 0.0,
            "lines_backed_by_producer": 0,
            "lines_backed_by_wholesaler": 0,
        }
    gardener = lines[lines["market_gardener"].astype(bool)]
    return {
        "contracts": int(lines["contract_id"].nunique()),
        "contract_lines": len(lines),
        "producers": int(lines["producer_id"].nunique()),
        "kitchens": int(lines["kitchen_id"].nunique()),
        "kitchens_with_market_gardener": int(gardener["kitchen_id"].nunique()),
        "kg": float(lines["kg"].sum()),
        "value_eur": float(lines["value_eur"].sum()),
        "lines_backed_by_producer": int((lines["backup_kind"] == "producer").sum()),
        "lines_backed_by_wholesaler": int((lines["backup_kind"] == "reference").sum()),
    }


def producer_sheet(producer_id: str, lines: pd.DataFrame, *, synthetic: bool) -> str:
    """One page (Markdown) for a producer: its contracts, month by month, and backups."""
    name = str(lines["producer_name"].iloc[0]) if not lines.empty else producer_id
    out = [f"# Proposed contracts: {name} (`{producer_id}`)", ""]
    if synthetic:
        out += ["*Synthetic scenario: figures are generated, not real.*", ""]
    total_kg, total_eur = float(lines["kg"].sum()), float(lines["value_eur"].sum())
    kitchens = lines["kitchen_id"].nunique()
    out += [
        f"{len(lines)} monthly line(s) with {kitchens} kitchen(s): {total_kg:,.1f} kg, "
        f"{total_eur:,.2f} EUR paid by the kitchens (excl. VAT).",
        "",
    ]
    for kid, sub in lines.groupby("kitchen_id", sort=True):
        out += [f"## {sub['kitchen_name'].iloc[0]} (`{kid}`)", ""]
        out += [
            "| product | month | kg | units | price EUR/unit | channel | backup |",
            "|---|---|---:|---:|---:|---|---|",
        ]
        for r in sub.sort_values(["product_id", "month"]).to_dict("records"):
            backup = f"{r['backup_name'] or r['backup_supplier_id']} ({r['backup_kind']})"
            out.append(
                f"| {r['product_name']} | {r['month']} | {r['kg']:,.1f} | "
                f"{r['quantity']:,.1f} {r['unit']} | {r['price_eur_per_unit']:.2f} | "
                f"{r['channel']} | {backup} |"
            )
        out.append("")
    out.append(
        "Volumes are the school-year plan's; the backup stands in should the farm fall short "
        "(another eligible farm with spare capacity that month, else the wholesaler)."
    )
    return "\n".join(out) + "\n"


def write_contracts(
    contracts: Contracts, folder: str | Path, *, synthetic: bool = False
) -> dict[str, Path]:
    """``contracts.csv``, ``contracts.xlsx`` (lines, per producer, summary),
    ``contracts_summary.json``-ready counts in the workbook, and one Markdown page per
    producer in ``producers/``."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    lines = contracts.lines
    written: dict[str, Path] = {}
    lines.to_csv(out / "contracts.csv", index=False)
    written["contracts.csv"] = out / "contracts.csv"
    by_producer = (
        lines.groupby(["producer_id", "producer_name", "product_id"], as_index=False).agg(
            kg=("kg", "sum"), value_eur=("value_eur", "sum"), kitchens=("kitchen_id", "nunique")
        )
        if not lines.empty
        else pd.DataFrame(columns=["producer_id", "producer_name", "product_id", "kg"])
    )
    summary = pd.DataFrame([{"figure": k, "value": v} for k, v in contract_summary(lines).items()])
    written["contracts.xlsx"] = write_xlsx(
        out / "contracts.xlsx",
        {"contracts": lines, "per_producer": by_producer, "summary": summary},
    )
    sheets = out / "producers"
    sheets.mkdir(exist_ok=True)
    for pid, sub in contracts.per_producer().items():
        path = sheets / f"{pid}.md"
        path.write_text(producer_sheet(pid, sub, synthetic=synthetic), encoding="utf-8")
    written["producers/"] = sheets
    return written
