"""A whole plan: its measures, quotas and components."""

from __future__ import annotations

from pydantic import Field

from compplan.schema.base import Model
from compplan.schema.components import Component
from compplan.schema.measures import Measure, QuotaSpec


class Plan(Model):
    """One compensation plan, as written in ``plans/<id>.yaml``."""

    plan: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", description="plan id")
    name: str = ""
    description: str = ""
    currency: str = "USD"
    roles: list[str] = Field(default_factory=list)
    measures: dict[str, Measure] = Field(default_factory=dict)
    quotas: dict[str, QuotaSpec] = Field(default_factory=dict)
    components: list[Component] = Field(min_length=1)
