"""Reason codes of the pooling verdict: why a group is short of a kitchen's order.

A shortfall of a (product, week) or of a delivery day carries exactly one of
:data:`POOLING_REASONS`. :data:`POOLING_FILTERS` are the reasons that exclude a member from
supplying a product in a week (eligibility rules); the others come from the group as a whole:
``CAPACITY`` (the eligible members' weekly capacity is below the demand, or members stepped out
for their minimum lot) and ``VAN_CAPACITY`` (a delivery day's load exceeds the van fleet).
The order of :data:`POOLING_REASONS` breaks ties between reasons short by the same kg.
"""

from __future__ import annotations

POOLING_REASONS: tuple[str, ...] = (
    "CAPACITY",
    "OUT_OF_SEASON",
    "QUALITY",
    "TIME_WINDOW",
    "VAN_CAPACITY",
    "DRIVE_TIME",
    "PRICE",
    "DELIVERY_DAY",
)
"""Every reason code a pooling shortfall may carry, in tie-break order."""

POOLING_FILTERS: tuple[str, ...] = (
    "OUT_OF_SEASON",
    "QUALITY",
    "PRICE",
    "DRIVE_TIME",
    "TIME_WINDOW",
    "DELIVERY_DAY",
)
"""Reasons that exclude one member from one product in one week, in the order they are tested:
no capacity that month, required label missing, kitchen price above the ceiling, farm beyond
the drive limit, arrival after the receiving window, an order weekday not served."""
