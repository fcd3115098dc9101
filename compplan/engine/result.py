"""What the pipeline produced, as data: the evaluation every report and writer reads.

It sits low in the house (only the engine's own types below it) so that reports can
import it and the engine never has to import a report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from compplan.core.currencies import decimals
from compplan.core.money import format_minor
from compplan.engine.components import ComponentResult
from compplan.engine.credit_parts import CreditParts
from compplan.engine.exception_rows import ExceptionPart, collect
from compplan.engine.measures import PlanFrame
from compplan.inputs.bundle import Inputs
from compplan.schema import Plan


@dataclass
class PlanResult:
    """A plan's frame and its components' results, kept for explain and reports."""

    frame: PlanFrame
    components: list[ComponentResult]
    exceptions: list[pd.DataFrame] = field(default_factory=list)


@dataclass
class Evaluation:
    """What one evaluation produced: seats, payout lines, credit rows and exceptions.

    Data only: the reports (:mod:`compplan.reports`) read it, and the facade
    :class:`compplan.result.Result` adds their conveniences on top of it.
    """

    year: int
    plans: dict[str, Plan]
    inputs: Inputs
    seats: pd.DataFrame
    lines: pd.DataFrame
    credit_parts: CreditParts
    exception_parts: list[ExceptionPart]
    by_plan: dict[str, PlanResult] = field(default_factory=dict)

    @property
    def credit_rows(self) -> pd.DataFrame:
        """Every credit, labelled (payee, plan, measure, deal, source row...): made when
        first read (credits.csv, the balance, explain), not on the way to the pay."""
        return self.credit_parts.frame

    @cached_property
    def exceptions(self) -> pd.DataFrame:
        """Every row or credit left out, with the reason: the run contract's
        exceptions.csv. Collected when first asked for, as credits.csv is: hundreds of
        thousands of reasons are text work a run that only pays need not do."""
        return collect(self.exception_parts)

    @property
    def default_currency(self) -> str:
        """What an amount with no currency of its own is in: the first plan's currency
        (USD for a run without plans)."""
        return next(iter(self.plans.values())).currency if self.plans else "USD"

    @cached_property
    def payouts(self) -> pd.DataFrame:
        """The run contract's payouts: one row per payee, month and component."""
        lines = self.lines.groupby(["payee_id", "period", "component", "currency"],
                                   sort=False, as_index=False)["cents"].sum()
        lines = lines[lines["cents"] != 0]
        order = lines.sort_values(["payee_id", "period"], kind="stable")
        codes = order["currency"].to_numpy(dtype=object)
        places = order["currency"].map({c: decimals(str(c)) for c in pd.unique(codes)})
        return pd.DataFrame({
            "payee_id": order["payee_id"].to_numpy(),
            "period": order["period"].to_numpy(),
            "component": order["component"].to_numpy(),
            "amount": format_minor(order["cents"].to_numpy(), places),
            "currency": codes,
        })
