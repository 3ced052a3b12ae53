"""``racines serve``: the HTTP service on uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer


def shown_url(url: str) -> str:
    """A database URL safe to print: its password masked."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable database URL)"


def register(cli: typer.Typer) -> None:
    """Add the ``serve`` command."""

    @cli.command("serve")
    def serve(
        host: Annotated[
            str, typer.Option(help="Interface to listen on (0.0.0.0 to expose it).")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
        workers: Annotated[
            int,
            typer.Option(
                min=1, max=64, help="Solver workers: background jobs run at once (one process)."
            ),
        ] = 1,
        database_url: Annotated[
            str,
            typer.Option(help="SQLAlchemy URL of the job store; default in the cache folder."),
        ] = "",
        log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    ) -> None:
        """Serve the HTTP API (OpenAPI docs at /docs); jobs persist across restarts."""
        import logging

        import uvicorn

        from app.config import Settings
        from app.main import create_app

        logging.getLogger().setLevel(log_level.upper())
        overrides: dict[str, object] = {"workers": workers}
        if database_url:
            overrides["database_url"] = database_url
        settings = Settings(**overrides)  # type: ignore[arg-type]
        app = create_app(settings)
        typer.echo(f"racines API on http://{host}:{port} (docs at /docs)")
        typer.echo(f"jobs stored in {shown_url(settings.database_url)}")
        uvicorn.run(app, host=host, port=port, log_level=log_level, timeout_graceful_shutdown=10)
