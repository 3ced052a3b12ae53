"""``racines version``."""

from __future__ import annotations

from importlib.metadata import version

import typer


def register(cli: typer.Typer) -> None:
    """Add the ``version`` command."""

    @cli.command("version")
    def version_cmd() -> None:
        """Print the installed racines version."""
        typer.echo(version("racines"))
