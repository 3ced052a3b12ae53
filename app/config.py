"""Settings of the HTTP service, read from ``RACINES_*`` environment variables.

Every limit the API enforces lives here, so an operator can raise it without touching
code; the API answers a request beyond a limit with 413 (body size) or 422 naming the
limit and the setting that holds it.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.paths import SCENARIOS_DIR
from geodata import default_cache_dir

ENV_PREFIX = "RACINES_"


class Settings(BaseSettings):
    """Service settings (environment variable ``RACINES_<FIELD NAME IN CAPITALS>``)."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="ignore", frozen=True
    )

    cache_dir: Path = Field(
        default_factory=default_cache_dir, description="Cache folder (also used by geodata)."
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL of the job store; empty = sqlite:///<cache_dir>/racines.db.",
    )
    scenarios_dir: Path = Field(default=SCENARIOS_DIR, description="Bundled scenarios.")
    workers: int = Field(default=1, ge=1, le=64, description="Job worker threads.")
    sync_time_limit_s: float = Field(
        default=10.0, gt=0, description="Time limit of a synchronous solve, seconds."
    )
    job_time_limit_s: float = Field(
        default=600.0, gt=0, description="Time limit of a background job, seconds."
    )
    job_grace_s: float = Field(
        default=30.0, ge=0, description="Extra time before a job over its limit is failed, s."
    )
    sync_max_weeks: int = Field(
        default=8, ge=0, description="Proposals up to this many weeks answer synchronously."
    )
    sync_max_stops: int = Field(
        default=60, ge=0, description="Rounds up to this many stops answer synchronously."
    )
    dask_scheduler: str = Field(
        default="",
        description=(
            "Dask cluster for the sourcing's solves of plan jobs and `racines plan`: "
            "empty = the solver's own threads, local:N = N local worker processes, "
            "tcp://HOST:8786 = an existing scheduler (app/cluster.py)."
        ),
    )
    sync_max_points: int = Field(
        default=400,
        ge=0,
        description="Scenarios up to this many places (producers, canteens, platforms) may "
        "answer synchronously; larger ones always run as a job.",
    )
    max_body_bytes: int = Field(default=20_000_000, ge=1_000, description="Request body limit.")
    max_canteens: int = Field(default=2_000, ge=1)
    max_producers: int = Field(default=10_000, ge=1)
    max_products: int = Field(default=2_000, ge=1)
    max_offers: int = Field(default=100_000, ge=1)
    max_menu_rows: int = Field(default=50_000, ge=1, description="Rows of menu.csv.")
    max_demand_rows: int = Field(default=100_000, ge=1, description="Rows of demand.csv.")
    max_reference_offers: int = Field(default=20_000, ge=1)
    max_platforms: int = Field(default=50, ge=1)
    max_vans: int = Field(default=500, ge=1, description="Vans of all platforms together.")
    max_matrix_points: int = Field(
        default=3_000,
        ge=2,
        description="Places of a travel matrix (producers + canteens + platforms, or the "
        "sites of a rounds problem): the matrix holds this number squared.",
    )
    max_weeks: int = Field(default=52, ge=1)
    max_stops: int = Field(default=1_000, ge=1, description="Pickups + deliveries of a round.")
    max_vehicles: int = Field(default=100, ge=1)
    max_pooling_members: int = Field(default=200, ge=1, description="Producers of a group.")
    max_pooling_lines: int = Field(default=100, ge=1, description="Products of a pooled order.")
    max_zip_files: int = Field(default=50, ge=1, description="Entries of an uploaded zip.")
    max_compare_scenarios: int = Field(
        default=4, ge=2, le=8, description="Scenarios one comparison may plan."
    )
    max_override_bytes: int = Field(
        default=50_000, ge=100, description="Size of one posted override file (UTF-8 bytes)."
    )
    max_zip_bytes: int = Field(
        default=100_000_000, ge=1_000, description="Uncompressed size of an uploaded zip."
    )
    max_zip_ratio: float = Field(
        default=200.0, gt=1, description="Largest uncompressed / compressed size of a zip entry."
    )
    validation_time_limit_s: float = Field(
        default=20.0, gt=0, description="Time limit of reading and validating a posted scenario."
    )
    validation_workers: int = Field(
        default=2, ge=1, le=64, description="Posted scenarios read and validated at once."
    )
    max_queued_jobs: int = Field(
        default=100, ge=1, description="Jobs waiting at once; beyond, 503 with Retry-After."
    )
    queue_retry_after_s: int = Field(
        default=30, ge=1, description="Retry-After of a 503 answered when the queue is full."
    )
    job_retention_s: float = Field(
        default=7 * 24 * 3600.0,
        gt=0,
        description="Finished jobs and their exports are deleted this long after they ended.",
    )
    cleanup_interval_s: float = Field(
        default=300.0, gt=0, description="How often finished jobs past retention are deleted."
    )
    job_max_attempts: int = Field(
        default=2,
        ge=1,
        description="A job found running at start-up (the server died under it) this many "
        "times is failed instead of run again.",
    )
    road_networks: dict[str, Path] = Field(
        default_factory=dict,
        description="Road networks requests may name in travel.road_file: name -> file "
        '(JSON, e.g. {"alps": "/srv/osm/alps.osm.pbf"}). A posted scenario naming any other '
        "file is refused.",
    )

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            url = f"sqlite:///{self.cache_dir / 'racines.db'}"
            object.__setattr__(self, "database_url", url)
        return self

    @field_validator("road_networks")
    @classmethod
    def _network_names(cls, v: dict[str, Path]) -> dict[str, Path]:
        bad = [name for name in v if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,64}", name)]
        if bad:
            msg = f"road network names must be letters, digits, '_', '.', '-': {bad}"
            raise ValueError(msg)
        return v

    def env_name(self, field: str) -> str:
        """Environment variable that sets ``field`` (for error messages)."""
        return f"{ENV_PREFIX}{field.upper()}"
