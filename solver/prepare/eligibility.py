"""Eligibility: which producer may supply which kitchen, and by which channel.

Rules (product brief §4):

* **Direct** (the producer delivers, a carrier delivers for it, or the kitchen collects at
  the farm): the pair (producer ``p``, kitchen ``k``) is eligible when the drive time is
  within the kitchen's radius (``canteen.radius_min``, else ``settings.radius_min``) and,
  when the producer itself drives (``SELF_DELIVERY``), within ``producer.max_drive_min``.
  The drive time of a delivery is ``seconds[p, k]``; of a farm pickup ``seconds[k, p]``
  (the kitchen drives; only the radius applies). A ``CARRIER`` producer is eligible within
  the radius: the carrier, not the farmer, drives. The smallest allowed drive is kept.
* **Platforms**: each platform collects from the producers with the ``PLATFORM`` mode
  within its ``catchment_min`` of its depot (``seconds[depot, p]``; a producer may be in
  several catchments). A kitchen whose canteen has ``on_platform_round`` is delivered by
  one platform: the one its ``platform_id`` names, else the nearest platform whose
  catchment reaches it (``seconds[depot, k]``), else the nearest platform. A pair
  (producer, kitchen) may then trade through the kitchen's platform when that platform
  collects from the producer. With no platform, every set is empty.

The travel matrix is handed in as plain arrays (``ids`` index the square ``seconds``
matrix); this module never imports :mod:`geodata`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from solver.core import Canteen, DeliveryMode, Producer, Scenario

__all__ = ["Eligibility", "build_eligibility"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Eligibility:
    """Pairs allowed for a direct drop or farm pickup, and the platform's round members.

    Attributes
    ----------
    direct
        ``(producer_id, kitchen_id) -> drive seconds`` for pairs allowed a direct drop or a
        farm pickup.
    platform_producers, platform_kitchens
        Producers collected and kitchens delivered by any platform's round.
    kitchen_platform
        ``kitchen_id -> platform_id`` of the round that delivers each platform kitchen.
    platform_members
        ``platform_id -> producers`` its round collects from.
    travel_source
        Where the drive times come from (``"estimate"``, ``"road"``, ...).
    estimated
        True when the drive times are an estimate rather than road routing.
    """

    direct: Mapping[tuple[str, str], int]
    platform_producers: frozenset[str]
    platform_kitchens: frozenset[str]
    travel_source: str
    estimated: bool
    kitchen_platform: Mapping[str, str] = field(default_factory=dict)
    platform_members: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def producers_of(self, kitchen_id: str) -> list[str]:
        """Producers allowed a direct drop to ``kitchen_id``, nearest first."""
        pairs = [(s, p) for (p, k), s in self.direct.items() if k == kitchen_id]
        return [p for _, p in sorted(pairs)]

    def platform_of(self, kitchen_id: str) -> str | None:
        """Id of the platform whose round delivers ``kitchen_id`` (None: off every round;
        ``""`` when the eligibility names no platform, built before several existed)."""
        if kitchen_id not in self.platform_kitchens:
            return None
        return self.kitchen_platform.get(kitchen_id, "")

    def via_platform(self, producer_id: str, kitchen_id: str) -> bool:
        """True when the kitchen's platform collects from the producer."""
        pf = self.platform_of(kitchen_id)
        if pf is None or producer_id not in self.platform_producers:
            return False
        members = self.platform_members.get(pf)
        return members is None or producer_id in members


def build_eligibility(
    scenario: Scenario,
    ids: Sequence[str],
    seconds: np.ndarray,
    *,
    travel_source: str,
    estimated: bool,
) -> Eligibility:
    """Compute the eligible direct pairs and the platform's round members.

    Parameters
    ----------
    scenario
        The territory.
    ids
        Ids indexing ``seconds`` (producers, canteens, platform depots).
    seconds
        Square matrix of drive times, seconds, ``seconds[i, j]`` from ``ids[i]`` to ``ids[j]``.
    travel_source, estimated
        Provenance of the drive times, carried to the result.

    Returns
    -------
    Eligibility

    Raises
    ------
    ValueError
        When ``seconds`` is not square of side ``len(ids)``, or a producer, purchasing
        kitchen or platform depot is missing from ``ids``.
    """
    mat, index = _indexed_matrix(scenario, ids, seconds)
    kitchens = scenario.kitchens()
    direct = _direct_pairs(scenario, kitchens, index, mat)
    members, kitchen_platform = _platform_members(scenario, kitchens, index, mat)
    platform_producers = frozenset().union(*members.values()) if members else frozenset()
    platform_kitchens = frozenset(kitchen_platform)
    logger.info(
        "eligibility: %d direct pairs, %d platform producers, %d platform kitchens",
        len(direct),
        len(platform_producers),
        len(platform_kitchens),
    )
    return Eligibility(
        direct=direct,
        platform_producers=platform_producers,
        platform_kitchens=platform_kitchens,
        travel_source=travel_source,
        estimated=estimated,
        kitchen_platform=kitchen_platform,
        platform_members=members,
    )


def _indexed_matrix(
    scenario: Scenario, ids: Sequence[str], seconds: np.ndarray
) -> tuple[np.ndarray, dict[str, int]]:
    """``seconds`` as a float matrix and the index of each id, checked to cover the scenario."""
    mat = np.asarray(seconds, dtype=float)
    n = len(ids)
    if mat.shape != (n, n):
        msg = f"seconds has shape {mat.shape}, expected ({n}, {n}) for {n} ids"
        raise ValueError(msg)
    index = {x: i for i, x in enumerate(ids)}
    needed = (
        [p.id for p in scenario.producers]
        + [k.id for k in scenario.kitchens()]
        + [pl.id for pl in scenario.platforms]
    )
    missing = [x for x in needed if x not in index]
    if missing:
        msg = f"travel matrix ids lack {len(missing)} id(s): {', '.join(missing[:10])}"
        raise ValueError(msg)
    return mat, index


def _direct_pairs(
    scenario: Scenario,
    kitchens: Sequence[Canteen],
    index: Mapping[str, int],
    mat: np.ndarray,
) -> dict[tuple[str, str], int]:
    """``(producer_id, kitchen_id) -> drive seconds`` of the pairs allowed a direct channel."""
    default_radius_min = scenario.settings.radius_min
    k_idx = np.array([index[k.id] for k in kitchens], dtype=int)
    radius_s = np.array(
        [
            (k.radius_min if k.radius_min is not None else default_radius_min) * 60.0
            for k in kitchens
        ]
    )
    direct: dict[tuple[str, str], int] = {}
    for prod in scenario.producers:
        best = _shortest_allowed_drive(prod, mat, index[prod.id], k_idx, radius_s)
        for j in np.flatnonzero(np.isfinite(best)):
            direct[(prod.id, kitchens[int(j)].id)] = int(round(float(best[j])))
    return direct


def _shortest_allowed_drive(
    prod: Producer, mat: np.ndarray, pi: int, k_idx: np.ndarray, radius_s: np.ndarray
) -> np.ndarray:
    """Per kitchen, the smallest drive seconds over ``prod``'s allowed direct modes (inf: none)."""
    modes = set(prod.delivery_modes)
    best = np.full(len(k_idx), np.inf)
    if DeliveryMode.SELF_DELIVERY in modes:
        drive = mat[pi, k_idx]
        ok = (drive <= radius_s) & (drive <= prod.max_drive_min * 60.0)
        best = np.where(ok, np.minimum(best, drive), best)
    if DeliveryMode.CARRIER in modes:
        drive = mat[pi, k_idx]
        best = np.where(drive <= radius_s, np.minimum(best, drive), best)
    if DeliveryMode.FARM_PICKUP in modes:
        drive = mat[k_idx, pi]
        best = np.where(drive <= radius_s, np.minimum(best, drive), best)
    return best


def _platform_members(
    scenario: Scenario,
    kitchens: Sequence[Canteen],
    index: Mapping[str, int],
    mat: np.ndarray,
) -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    """Producers each platform collects from, and the platform of each round kitchen."""
    platforms = scenario.platforms
    members: dict[str, frozenset[str]] = {}
    for pf in platforms:
        di, limit_s = index[pf.id], pf.catchment_min * 60.0
        members[pf.id] = frozenset(
            p.id
            for p in scenario.producers
            if DeliveryMode.PLATFORM in p.delivery_modes and mat[di, index[p.id]] <= limit_s
        )
    kitchen_platform: dict[str, str] = {}
    if not platforms:
        return members, kitchen_platform
    known = {pf.id for pf in platforms}
    for k in kitchens:
        if not k.on_platform_round:
            continue
        if k.platform_id:
            if k.platform_id in known:
                kitchen_platform[k.id] = k.platform_id
            continue
        drive = [(float(mat[index[pf.id], index[k.id]]), n) for n, pf in enumerate(platforms)]
        reaching = [d for d in drive if d[0] <= platforms[d[1]].catchment_min * 60.0]
        kitchen_platform[k.id] = platforms[min(reaching or drive)[1]].id
    return members, kitchen_platform
