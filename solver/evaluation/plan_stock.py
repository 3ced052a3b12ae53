"""Week-by-week stock of every kitchen x product under a plan (FIFO, starting empty).

For a kitchen x product with weekly demand ``d_w`` and purchases ``b_w`` (kg), over the
calendar weeks from the first to the last week seen:

* available ``a_w = s_{w-1} + b_w``; unmet ``u_w = max(0, d_w - a_w)``;
* rest ``r_w = max(0, a_w - d_w)``: a storable product carries it as stock ``s_w = r_w``;
  a fresh one carries nothing (``s_w = 0``) and ``r_w`` is its excess;
* local purchases are eaten first: with ``l_w`` the local stock,
  ``local_used_w = min(l_{w-1} + lb_w, d_w)`` and
  ``l_w = min(max(0, l_{w-1} + lb_w - local_used_w), s_w)``;
* the demand a stock may wait for: ``future_w = d_{w+1} + ... + d_{w+k}`` with
  ``k = floor(shelf_life_days / 7)`` (cut at the last week).

A product's storage class is ``ambient`` or ``cold`` (chilled and frozen share the cold
storage, see :func:`storage_class`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from solver.core import ColdChain, Product, Scenario

#: Storage class of an ambient product; every other cold-chain class is :data:`STORAGE_COLD`.
STORAGE_AMBIENT = ColdChain.AMBIENT.value
#: Storage class of chilled and frozen products (one cold room per kitchen).
STORAGE_COLD = "cold"

_KEYS = ["kitchen_id", "product_id", "week_start"]

Pair = tuple[str, str]


def storage_class(product: Product | None) -> str:
    """``ambient`` for an ambient product, ``cold`` for a chilled or frozen one (or unknown)."""
    if product is not None and product.cold_chain is ColdChain.AMBIENT:
        return STORAGE_AMBIENT
    return STORAGE_COLD


def _kg_by_key(lines: pd.DataFrame, name: str) -> pd.Series:
    if lines.empty:
        return pd.Series(dtype=float, name=name)
    return lines.groupby(_KEYS)["quantity_kg"].sum().rename(name)


def _dense(
    series: pd.Series, pos: dict[Pair, int], first: dt.date, shape: tuple[int, int]
) -> np.ndarray:
    """A (pair x week) array from a Series indexed by (kitchen, product, week)."""
    arr = np.zeros(shape)
    if series.empty:
        return arr
    idx = series.index
    rows = np.array(
        [pos[(k, p)] for k, p in zip(idx.get_level_values(0), idx.get_level_values(1), strict=True)]
    )
    cols = np.array([(w - first).days // 7 for w in idx.get_level_values(2)])
    np.add.at(arr, (rows, cols), series.to_numpy(dtype=float))
    return arr


def _fifo(
    demand: np.ndarray, bought: np.ndarray, local_bought: np.ndarray, storable: np.ndarray
) -> dict[str, np.ndarray]:
    """The week-by-week recurrence of the module docstring, every pair at once."""
    n_k, n_w = demand.shape
    out = {
        name: np.zeros((n_k, n_w))
        for name in ("stock_kg", "local_stock_kg", "unmet_kg", "excess_fresh_kg", "local_used_kg")
    }
    s_prev = np.zeros(n_k)
    l_prev = np.zeros(n_k)
    for w in range(n_w):
        avail = s_prev + bought[:, w]
        local_avail = l_prev + local_bought[:, w]
        need = demand[:, w]
        out["unmet_kg"][:, w] = np.maximum(0.0, need - avail)
        used_local = np.minimum(local_avail, need)
        out["local_used_kg"][:, w] = used_local
        rest = np.maximum(0.0, avail - need)
        rest_local = np.maximum(0.0, local_avail - used_local)
        out["excess_fresh_kg"][:, w] = np.where(storable, 0.0, rest)
        out["stock_kg"][:, w] = np.where(storable, rest, 0.0)
        out["local_stock_kg"][:, w] = np.where(storable, np.minimum(rest_local, rest), 0.0)
        s_prev, l_prev = out["stock_kg"][:, w], out["local_stock_kg"][:, w]
    return out


def _future_demand(demand: np.ndarray, shelf_weeks: np.ndarray) -> np.ndarray:
    """Demand of the ``shelf_weeks`` weeks after each week (cut at the last week)."""
    n_w = demand.shape[1]
    cum = np.concatenate([np.zeros((demand.shape[0], 1)), np.cumsum(demand, axis=1)], axis=1)
    hi = np.minimum(np.arange(n_w)[None, :] + 1 + shelf_weeks[:, None], n_w)
    return np.take_along_axis(cum, hi, axis=1) - cum[:, 1:]


def _pairs(demand: pd.DataFrame, lines: pd.DataFrame) -> list[Pair]:
    pairs = set(zip(demand["kitchen_id"], demand["product_id"], strict=True))
    if not lines.empty:
        pairs |= set(zip(lines["kitchen_id"], lines["product_id"], strict=True))
    return sorted(pairs)


def _product_columns(scenario: Scenario, pairs: Sequence[Pair]) -> dict[str, np.ndarray]:
    """``storable``, ``shelf_weeks`` and storage class ``cold`` of each pair's product."""
    products = {p.id: p for p in scenario.products}
    return {
        "storable": np.array(
            [bool(products[p].storable) if p in products else False for _, p in pairs]
        ),
        "shelf_weeks": np.array(
            [products[p].shelf_life_days // 7 if p in products else 0 for _, p in pairs],
            dtype=int,
        ),
        "cold": np.array([storage_class(products.get(p)) for _, p in pairs]),
    }


def stock_table(
    scenario: Scenario, lines: pd.DataFrame, demand: pd.DataFrame, horizon: tuple[dt.date, ...]
) -> pd.DataFrame:
    """Week-by-week stock of every kitchen x product (FIFO, starting empty).

    Returns one row per kitchen x product x calendar week (from the first to the last week
    seen), with ``demand_kg, bought_kg, local_bought_kg, unmet_kg, stock_kg,
    local_stock_kg, local_used_kg, excess_fresh_kg, future_demand_kg`` (demand of the next
    ``floor(shelf_life/7)`` weeks), ``shelf_weeks``, ``storable``, ``cold`` (storage class)
    and ``in_horizon``. Local stock is consumed first: ``local_used_kg`` is the part of the
    week's demand eaten from local purchases.
    """
    weeks_seen = set(horizon) | set(demand["week_start"])
    if not lines.empty:
        weeks_seen |= set(lines["week_start"])
    if not weeks_seen:
        return pd.DataFrame(columns=[*_KEYS, "demand_kg", "bought_kg", "stock_kg"])
    first, last = min(weeks_seen), max(weeks_seen)
    n_w = (last - first).days // 7 + 1
    calendar = [first + dt.timedelta(days=7 * i) for i in range(n_w)]
    pairs = _pairs(demand, lines)
    pos = {p: i for i, p in enumerate(pairs)}
    shape = (len(pairs), n_w)
    d_arr = (
        _dense(demand.set_index(_KEYS)["demand_kg"], pos, first, shape)
        if not demand.empty
        else np.zeros(shape)
    )
    b_arr = _dense(_kg_by_key(lines, "bought_kg"), pos, first, shape)
    local_lines = lines[lines["local"]] if not lines.empty else lines
    lb_arr = _dense(_kg_by_key(local_lines, "local_bought_kg"), pos, first, shape)
    product = _product_columns(scenario, pairs)
    fifo = _fifo(d_arr, b_arr, lb_arr, product["storable"])
    out = pd.DataFrame(
        {
            "kitchen_id": np.repeat([k for k, _ in pairs], n_w),
            "product_id": np.repeat([p for _, p in pairs], n_w),
            "week_start": calendar * len(pairs),
            "demand_kg": d_arr.ravel(),
            "bought_kg": b_arr.ravel(),
            "local_bought_kg": lb_arr.ravel(),
            "unmet_kg": fifo["unmet_kg"].ravel(),
            "stock_kg": fifo["stock_kg"].ravel(),
            "local_stock_kg": fifo["local_stock_kg"].ravel(),
            "local_used_kg": fifo["local_used_kg"].ravel(),
            "excess_fresh_kg": fifo["excess_fresh_kg"].ravel(),
            "future_demand_kg": _future_demand(d_arr, product["shelf_weeks"]).ravel(),
            "shelf_weeks": np.repeat(product["shelf_weeks"], n_w),
            "storable": np.repeat(product["storable"], n_w),
            "cold": np.repeat(product["cold"], n_w),
        }
    )
    out["in_horizon"] = out["week_start"].isin(set(horizon) if horizon else set(calendar))
    return out
