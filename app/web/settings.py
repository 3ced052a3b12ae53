"""Settings of the web pages, read from ``RACINES_WEB_*`` environment variables.

The service's own limits (synchronous time limit, sizes, weeks) stay in
:class:`app.config.Settings`; these only shape what the pages ask for.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: OpenStreetMap's standard tile server (used only when the browser is online).
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


class WebSettings(BaseSettings):
    """What the pages ask of the solvers (environment ``RACINES_WEB_<FIELD IN CAPITALS>``)."""

    model_config = SettingsConfigDict(env_prefix="RACINES_WEB_", extra="ignore", frozen=True)

    map_tile_url: str = Field(
        default=OSM_TILES,
        description="Basemap tile URL template; empty = no basemap (markers on a plain ground).",
    )
    cook_time_limit_s: float = Field(
        default=5.0,
        gt=0,
        description="Solver time limit of one canteen's proposal, seconds (capped by the "
        "service's synchronous limit).",
    )
    plan_time_limit_s: float = Field(
        default=60.0, gt=0, description="Sourcing time limit of a territory plan job, seconds."
    )
    week_plan_time_limit_s: float = Field(
        default=20.0,
        gt=0,
        description="Sourcing time limit of the one-week plan behind the platform's rounds, s.",
    )
    rounds_time_limit_s: float = Field(
        default=5.0, gt=0, description="Time limit of the rounds of uploaded orders, seconds."
    )
    pooling_time_limit_s: float = Field(
        default=5.0, gt=0, description="Time limit of a producer group's check, seconds."
    )
    max_upload_bytes: int = Field(
        default=2_000_000, ge=1_000, description="Largest spreadsheet a page accepts, bytes."
    )
    max_upload_rows: int = Field(
        default=20_000, ge=10, description="Most rows read from an uploaded spreadsheet."
    )
