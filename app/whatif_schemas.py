"""HTTP requests of the territory what-ifs: comparisons of scenarios and yearly contracts.

A scenario of these requests is a bundled scenario (``scenario_name``) or an inline one
(``scenario``), optionally changed by bundled variants (``variants``: the names of the
override files in the bundled scenario's ``variants/`` folder) and by override files
posted as text (``overrides``, the TOML format of ``scenarios/README.md``). A client
never names a path on the server.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.schemas import DEMO_NAME, NAME_PATTERN, ScenarioName, Seed, TimeLimit

#: Hard ceiling on one posted override's text, characters (the server's
#: ``max_override_bytes`` setting may be lower).
OVERRIDE_MAX_CHARS = 200_000
#: Most variants and posted overrides applied to one scenario.
MAX_OVERRIDES = 8
#: Most scenarios a comparison may name (the server's ``max_compare_scenarios`` may be lower).
MAX_SCENARIOS = 8


VariantName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=NAME_PATTERN,
        description="Name of a bundled variant (variants/<name>.toml of the scenario).",
    ),
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OverrideIn(_Request):
    """An override file posted as text."""

    name: str = Field(
        min_length=1,
        max_length=64,
        pattern=NAME_PATTERN,
        description="Its name: problems name it, the scenario's name gets '+<name>'.",
        examples=["second_round_day"],
    )
    toml: str = Field(
        min_length=1,
        max_length=OVERRIDE_MAX_CHARS,
        description="The override's TOML text ([settings], [[add.<table>]], [[set.<table>]]...).",
        examples=['[[set.platforms]]\nwhere = { id = "*" }\nround_weekdays = "tue;thu"\n'],
    )


class ScenarioVariantIn(_Request):
    """A scenario: bundled or inline, optionally changed by variants and overrides."""

    scenario_name: ScenarioName | None = Field(
        default=None, description=f"A bundled scenario; default {DEMO_NAME!r}."
    )
    scenario: dict[str, Any] | None = Field(
        default=None, description="A whole scenario inline (the JSON form of a folder)."
    )
    variants: list[VariantName] = Field(
        default_factory=list,
        max_length=MAX_OVERRIDES,
        description="Bundled override files of the scenario, by name (variants/<name>.toml), "
        "applied in order.",
        examples=[["drome_depot"]],
    )
    overrides: list[OverrideIn] = Field(
        default_factory=list,
        max_length=MAX_OVERRIDES,
        description="Override files posted as text, applied after the variants.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> ScenarioVariantIn:
        if self.scenario_name is not None and self.scenario is not None:
            msg = "give scenario_name or scenario, not both"
            raise ValueError(msg)
        if self.scenario is not None and self.variants:
            msg = "variants are bundled with a bundled scenario: use overrides with an inline one"
            raise ValueError(msg)
        return self

    def to_request(self) -> dict[str, Any]:
        """The scenario part of a stored request."""
        out: dict[str, Any] = (
            {"scenario": self.scenario}
            if self.scenario is not None
            else {"scenario_name": self.scenario_name or DEMO_NAME}
        )
        out["variants"] = list(self.variants)
        out["overrides"] = [o.model_dump() for o in self.overrides]
        return out


class ComparisonRequest(_Request):
    """Two or more scenarios to plan over the same weeks and compare (the first is the
    reference of the differences)."""

    scenarios: list[ScenarioVariantIn] = Field(min_length=2, max_length=MAX_SCENARIOS)
    weeks: int | None = Field(
        default=None, ge=1, le=60, description="Weeks (default: the first scenario's horizon)."
    )
    time_limit_s: TimeLimit = 60.0
    seed: Seed = 0
    rounds: bool = Field(default=True, description="Plan the platforms' rounds.")

    def to_request(self) -> dict[str, Any]:
        """JSON stored with the job."""
        return {
            "scenarios": [s.to_request() for s in self.scenarios],
            "weeks": self.weeks,
            "time_limit_s": self.time_limit_s,
            "seed": self.seed,
            "rounds": self.rounds,
        }


class ContractsRequest(ScenarioVariantIn):
    """Yearly contracts proposed from a plan of the scenario."""

    weeks: int | None = Field(
        default=None, ge=1, le=60, description="Weeks (default: the school year from start)."
    )
    time_limit_s: TimeLimit = 120.0
    seed: Seed = 0
    rounds: bool = Field(default=True, description="Plan the platforms' rounds.")

    def to_request(self) -> dict[str, Any]:
        """JSON stored with the job."""
        return {
            **super().to_request(),
            "weeks": self.weeks,
            "time_limit_s": self.time_limit_s,
            "seed": self.seed,
            "rounds": self.rounds,
        }
