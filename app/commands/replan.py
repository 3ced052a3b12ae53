"""``racines replan PLAN_DIR --shortfall FILE --out DIR``: re-plan after a shortfall.

Reads a plan folder written by ``racines plan --out`` (its ``purchase_plan.csv`` and the
scenario its ``summary.json`` records) and a shortfall file (producer_id, product_id or
``*``, from_week, loss_pct: 100 = drops out), and plans the weeks left so that as few
order lines as possible change (:func:`app.cycle.replan`); writes the new plan (itself a
plan folder), the changes and who must be told.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.commands.ordering_options import (
    RegularityCost,
    RegularityScopeOption,
    SupplierOrderCost,
)
from app.render import console, err_console, fmt, print_problems, progress_display
from solver.core import ScenarioError, Shortfall, SolveParams

#: Default time limit of a re-plan's sourcing, seconds.
REPLAN_TIME_LIMIT_S = 120.0


def register(cli: typer.Typer) -> None:
    """Add the ``replan`` command."""

    @cli.command("replan")
    def replan_cmd(
        plan_dir: Annotated[Path, typer.Argument(help="A folder written by racines plan --out.")],
        shortfall: Annotated[
            Path,
            typer.Option(
                help="Shortfalls (CSV/XLSX: producer_id, product_id or *, from_week, "
                "loss_pct; 100 = drops out)."
            ),
        ],
        out: Annotated[Path, typer.Option(help="Output folder (a new plan folder).")] = Path(
            "out_replan"
        ),
        objective: Annotated[
            str,
            typer.Option(
                help="lexicographic: fewest changed lines, then cost; weighted: cost + "
                "--change-eur per changed line; cost: the weeks left from scratch."
            ),
        ] = "lexicographic",
        change_eur: Annotated[
            float, typer.Option(help="EUR per changed order line (weighted objective).")
        ] = 20.0,
        scenario: Annotated[
            Path | None,
            typer.Option(help="Scenario to use instead of the one the plan folder records."),
        ] = None,
        time_limit_s: Annotated[
            float, typer.Option(help="Sourcing time limit of the weeks left, s.")
        ] = REPLAN_TIME_LIMIT_S,
        rounds: Annotated[bool, typer.Option(help="Plan the platform's rounds.")] = True,
        supplier_order_cost_eur: SupplierOrderCost = None,
        regularity_eur_per_kg: RegularityCost = None,
        regularity_scope: RegularityScopeOption = None,
    ) -> None:
        """Re-plan the weeks left after a shortfall, changing as few order lines as possible."""
        from app import cycle
        from app.cycle import ordering_options
        from solver.scenario import load_shortfalls

        if objective not in ("lexicographic", "weighted", "cost"):
            err_console.print(
                f"--objective must be lexicographic, weighted or cost (got {objective!r})"
            )
            raise typer.Exit(2)
        try:
            folder = cycle.read_plan_folder(plan_dir, scenario)
            cuts: list[Shortfall] = load_shortfalls(shortfall, folder.scenario)
            ordering = ordering_options(
                folder.scenario, supplier_order_cost_eur, regularity_eur_per_kg, regularity_scope
            )
            with progress_display(f"re-planning {plan_dir}") as report:
                outcome = cycle.replan(
                    folder.scenario,
                    folder.plan,
                    cuts,
                    params=SolveParams(
                        time_limit_s=time_limit_s, seed=folder.scenario.settings.seed
                    ),
                    objective=objective,  # type: ignore[arg-type]
                    change_eur=change_eur if objective == "weighted" else 0.0,
                    ordering=ordering,
                    with_rounds=rounds,
                    base_dir=Path(folder.scenario_source).parent,
                    progress=report,
                )
        except ScenarioError as exc:
            print_problems(exc)
            raise typer.Exit(1) from None
        outcome.record.update(scenario_path=folder.scenario_source, revises=str(plan_dir.resolve()))
        written = outcome.write_outputs(out)
        _print(outcome)
        console.print(f"wrote {len(written)} outputs to [bold]{out}[/]")
        if not outcome.ok:
            err_console.print("[red]the independent checkers found violations: see check.json")
            raise typer.Exit(3)


def _print(outcome: object) -> None:
    """What changed, what it costs, who to tell, the verdict."""
    from app.cycle import ReplanOutcome

    assert isinstance(outcome, ReplanOutcome)
    s = outcome.summary()
    console.print(
        f"re-planned from {s['from_week']} ({s['objective']}): "
        f"[bold]{s['changed_lines']}[/] order lines changed of "
        f"{s['previous_lines_replanned']}; food cost of those weeks "
        f"{fmt(s['food_cost_replanned_weeks_before_eur'], 2)} -> "
        f"{fmt(s['food_cost_replanned_weeks_after_eur'], 2)} EUR"
    )
    console.print(
        f"to tell: {s['producers_to_tell']} supplier(s) (notify_producers.csv), "
        f"{s['kitchens_to_tell']} kitchen(s) (notify_kitchens.csv); changes in changes.csv"
    )
    verdict = "[green]no violation" if outcome.ok else "[red]violations found"
    console.print(f"independent checks (plan, re-plan, rounds): {verdict}")
