"""The ordering-cost options shared by ``racines plan``, ``week`` and ``replan`` (each
defaults to the scenario's settings; :func:`app.cycle.ordering_options` combines them)."""

from __future__ import annotations

from typing import Annotated

import typer

from solver.core import RegularityScope

SupplierOrderCost = Annotated[
    float | None,
    typer.Option(
        help="EUR per distinct supplier a kitchen orders from in a week (default: settings)."
    ),
]
RegularityCost = Annotated[
    float | None,
    typer.Option(
        help="EUR per kg of week-to-week change of a producer's volume (default: settings)."
    ),
]
RegularityScopeOption = Annotated[
    RegularityScope | None,
    typer.Option(help="Stable volume per producer and kitchen, or per producer."),
]
