"""The quota-plan file: how a company target becomes territory quotas (data only).

It lives with the other file schemas so that the plan loader, which meets quota-plan
files among the plans, can check them without importing the quota planner.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from compplan.schema.base import Model


class QuotaParams(Model):
    """How the company target becomes territory quotas (see :mod:`compplan.quotas.model`)."""

    quota_plan: str = "quotas"
    target: float = Field(gt=0, description="company target T")
    over_assignment: float = Field(default=0.0, ge=0, le=1, description="o: quotas sum to T(1+o)")
    alpha: float = Field(default=0.5, ge=0, le=1, description="weight of potential vs history")
    growth_min: float = Field(default=-0.2, ge=-1, description="floor: last year x (1+g_min)")
    growth_max: float = Field(default=0.5, ge=-1, description="ceiling: last year x (1+g_max)")
    max_penetration: float = Field(default=1.0, gt=0, description="ceiling: share of potential")
    round_to: float = Field(default=1000, gt=0, description="annual quotas in multiples of this")
    month_round_to: float = Field(default=1, gt=0, description="monthly quotas in multiples")
    year: int = Field(default=2026, ge=1900, le=2200)
    measure: str = "bookings"
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$",
                          description="the currency of the target, potentials, history and "
                          "quotas: the plan's that will measure them")
    ramp: list[float] = Field(default_factory=lambda: [0.25, 0.5, 0.75],
                              description="quota fraction in a hire's first months")
    ramp_redistribute: bool = Field(default=False, description="spread a ramp shortfall over "
                                    "the rep's other months instead of reporting it")
    seasonality: Literal["auto", "flat"] | list[float] | None = Field(
        default=None, description="auto (estimated from --history), flat, or 12 shares; "
        "default: auto with a history, flat without")
    time_limit: float = Field(default=60, gt=0, description="solver time limit, seconds")
    solver: Literal["highs", "cbc"] = "highs"
    min_probability: float = Field(default=0.25, ge=0, le=1,
                                   description="SMART: least chance of reaching a quota")
    share_tolerance: float = Field(default=0.05, ge=0,
                                   description="SMART: quota share vs potential share")

    @field_validator("ramp")
    @classmethod
    def _fractions(cls, ramp: list[float]) -> list[float]:
        if any(not 0 <= f <= 1 for f in ramp):
            raise ValueError("ramp fractions must be between 0 and 1")
        return ramp

    @model_validator(mode="after")
    def _shares(self) -> QuotaParams:
        if isinstance(self.seasonality, list):
            if len(self.seasonality) != 12 or any(s < 0 for s in self.seasonality):
                raise ValueError("seasonality needs 12 non-negative monthly shares")
            if abs(sum(self.seasonality) - 1) > 1e-9:
                raise ValueError(f"seasonality shares sum to {sum(self.seasonality):g}, not 1")
        if self.growth_min > self.growth_max:
            raise ValueError("growth_min is above growth_max")
        return self
