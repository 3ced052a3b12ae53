"""Command-line interface ``racines``.

Each sub-command lives in its own module of :mod:`app.commands` and exposes
``register(cli)``; this module only discovers and runs them, so commands never
share a file. Every command defaults to the bundled demo territory.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil

import typer

import app.commands

cli = typer.Typer(
    name="racines",
    help="Feed school canteens from local farms: sourcing plans, delivery rounds, pooling checks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@cli.callback()
def _root() -> None:
    """racines: local sourcing for school canteens."""


def _register_commands() -> None:
    for mod in sorted(pkgutil.iter_modules(app.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"app.commands.{mod.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(cli)


_register_commands()


def main() -> None:
    """Entry point of the ``racines`` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    cli()


if __name__ == "__main__":
    main()
