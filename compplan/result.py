"""The result of an evaluation with its reports at hand: the notebook and API facade.

:class:`Result` is the engine's :class:`~compplan.engine.result.Evaluation` (the data)
plus one method per report. It sits above the reports, so the reports and the engine
never import it: data flows up, never back.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property

import pandas as pd

from compplan.core.stopwatch import Stopwatch
from compplan.engine import pipeline
from compplan.engine.result import Evaluation, PlanResult
from compplan.inputs.bundle import Inputs
from compplan.reports.attainment import attainment_table
from compplan.reports.conservation import balances
from compplan.reports.credit_table import credits_table
from compplan.reports.explain import explain
from compplan.reports.summary import summarize
from compplan.schema import Plan

__all__ = ["Evaluation", "PlanResult", "Result", "evaluate"]


@dataclass
class Result(Evaluation):
    """Payout lines, credits and exceptions of one evaluation, and the reports on them."""

    @classmethod
    def of(cls, evaluation: Evaluation) -> Result:
        """The facade over an evaluation (its frames shared, not copied)."""
        if isinstance(evaluation, cls):
            return evaluation
        return cls(**{f.name: getattr(evaluation, f.name) for f in fields(evaluation)})

    @cached_property
    def credits(self) -> pd.DataFrame:
        """Every credit used, with its deal's columns: the run contract's credits.csv."""
        return credits_table(self)

    def attainment(self) -> pd.DataFrame:
        """Quota, credited value and attainment by payee, measure and period."""
        return attainment_table(self)

    def summary(self) -> pd.DataFrame:
        """Per plan: payees, total and variable pay, bookings, cost of sales, attainment."""
        return summarize(self)

    def conservation(self) -> pd.DataFrame:
        """Each credited table's rows and cents: credited, exceptions, no rule, and
        whether they add up to the input (what ``compplan run`` prints and checks)."""
        return pd.DataFrame([b.as_dict() for b in balances(self)])

    def explain(self, payee_id: str, period: str) -> str:
        """How each of a payee's lines in a month was computed (see compplan explain)."""
        return explain(self, payee_id, period)


def evaluate(plans: dict[str, Plan], inputs: Inputs, year: int,
             watch: Stopwatch | None = None) -> Result:
    """Evaluate loaded plans on loaded inputs, in this process, with the reports at hand."""
    return Result.of(pipeline.evaluate(plans, inputs, year, watch))
