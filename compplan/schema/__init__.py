"""The plan language: frozen pydantic models, one module per part of a plan."""

from compplan.schema.components import (
    Bonus,
    Cap,
    Commission,
    Component,
    Condition,
    Factor,
    Multiplier,
    PayoutCurve,
    RateTable,
    Salary,
    Schedule,
    Spiff,
    Target,
    Tier,
)
from compplan.schema.filters import AllOf, AnyOf, Compare, Filter, NotOf
from compplan.schema.measures import (
    Clawback,
    CreditToColumn,
    CreditToLookup,
    CreditToManager,
    Measure,
    QuotaSpec,
    Seasonality,
)
from compplan.schema.plan import Plan

__all__ = [
    "AllOf",
    "AnyOf",
    "Bonus",
    "Cap",
    "Clawback",
    "Commission",
    "Compare",
    "Component",
    "Condition",
    "CreditToColumn",
    "CreditToLookup",
    "CreditToManager",
    "Factor",
    "Filter",
    "Measure",
    "Multiplier",
    "NotOf",
    "PayoutCurve",
    "Plan",
    "QuotaSpec",
    "RateTable",
    "Salary",
    "Schedule",
    "Seasonality",
    "Spiff",
    "Target",
    "Tier",
]
