"""The web app: pages for the cook, the platform, a producer group and the territory.

Served by the same FastAPI process as the API (``racines serve``), in French with English
behind a switch; templates in ``templates/``, scripts, styles and vendored libraries in
``static/``. :func:`install` adds the pages and the static files to an application.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.web.routes import router as router
from app.web.settings import WebSettings as WebSettings

STATIC_DIR = Path(__file__).parent / "static"


def install(app: FastAPI, settings: WebSettings | None = None) -> None:
    """Serve the pages at ``/`` and their static files at ``/static``."""
    app.state.web_settings = settings or WebSettings()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(router)


__all__ = ["STATIC_DIR", "WebSettings", "install", "router"]
