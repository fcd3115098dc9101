"""The evaluation pipeline: inputs -> seats -> credits -> measures -> components -> lines.

Each stage is a function of frames and frozen plans; this module only wires them and
shapes the result. The CLI and the Python API both call :func:`evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from compplan.components import ComponentResult, Context, evaluate_plan
from compplan.credits import build_credits, split_exceptions
from compplan.currencies import decimals
from compplan.errors import InputError, raise_if
from compplan.exceptions import ExceptionPart, collect, exception_frame
from compplan.inputs import Inputs
from compplan.measures import PlanFrame, plan_frame
from compplan.money import format_minor
from compplan.pay_currency import check_pay_currencies, convert_lines
from compplan.periods import Calendar
from compplan.plan_inputs import check_plan_inputs, used_plans
from compplan.plan_quotas import unused_quota_rows
from compplan.schema import Plan
from compplan.seats import build_seats
from compplan.stopwatch import Stopwatch

PAYOUT_COLUMNS = ["payee_id", "period", "component", "amount", "currency"]


@dataclass
class PlanResult:
    """A plan's frame and its components' results, kept for explain and reports."""

    frame: PlanFrame
    components: list[ComponentResult]
    exceptions: list[pd.DataFrame] = field(default_factory=list)


@dataclass
class Result:
    """Payout lines, credits and exceptions of one evaluation."""

    year: int
    plans: dict[str, Plan]
    inputs: Inputs
    seats: pd.DataFrame
    lines: pd.DataFrame
    credit_rows: pd.DataFrame
    exception_parts: list[ExceptionPart]
    by_plan: dict[str, PlanResult] = field(default_factory=dict)

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

    @cached_property
    def credits(self) -> pd.DataFrame:
        """Every credit used, with its deal's columns: the run contract's credits.csv."""
        from compplan.credit_table import credits_table  # noqa: PLC0415 - it imports Result

        return credits_table(self)

    def attainment(self) -> pd.DataFrame:
        """Quota, credited value and attainment by payee, measure and period."""
        from compplan.attainment import attainment_table  # noqa: PLC0415 - imports Result

        return attainment_table(self)

    def summary(self) -> pd.DataFrame:
        """Per plan: payees, total and variable pay, bookings, cost of sales, attainment."""
        from compplan.summary import summarize  # noqa: PLC0415 - imports Result

        return summarize(self)

    def conservation(self) -> pd.DataFrame:
        """Each credited table's rows and cents: credited, exceptions, no rule, and
        whether they add up to the input (what ``compplan run`` prints and checks)."""
        from compplan.conservation import balances  # noqa: PLC0415 - imports Result

        return pd.DataFrame([b.as_dict() for b in balances(self)])

    def explain(self, payee_id: str, period: str) -> str:
        """How each of a payee's lines in a month was computed (see compplan explain)."""
        from compplan.explain import explain  # noqa: PLC0415 - explain imports engine types

        return explain(self, payee_id, period)


def _lines(pr: PlanResult, calendar: Calendar) -> pd.DataFrame:
    parts = []
    labels = np.array(calendar.month_labels())
    payees = pr.frame.seats["payee_id"].to_numpy()
    seats = pr.frame.seats["seat"].to_numpy()
    for order, res in enumerate(pr.components):
        local, month = np.nonzero(res.cents)
        parts.append(pd.DataFrame({
            "payee_id": payees[local], "plan": pr.frame.plan.plan, "seat": seats[local],
            "period": labels[month], "component": res.component.id,
            "kind": res.component.kind, "order": order, "cents": res.cents[local, month],
        }))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _roster_exceptions(inputs: Inputs) -> pd.DataFrame:
    roster = inputs.roster.frame
    if "manager_id" not in roster:
        return exception_frame(0)
    bad = (roster["manager_id"] != "") & ~roster["manager_id"].isin(roster["payee_id"])
    sub = roster[bad.to_numpy()]
    return exception_frame(len(sub), file=inputs.roster.file, row=sub["_row"],
                           payee_id=sub["payee_id"],
                           reason="manager_id " + sub["manager_id"].map(repr) +
                           " is not in the roster: no roll-up to it")


def prepare(plans: dict[str, Plan], inputs: Inputs, year: int) -> tuple[Calendar, pd.DataFrame]:
    """The calendar and the seats, once every table a used plan reads is known to be there."""
    calendar = Calendar(year)
    used = used_plans(plans, inputs)
    raise_if(check_plan_inputs(used, inputs)
             + check_pay_currencies({p.plan: p for p in used}, inputs), InputError)
    seats = build_seats(inputs, plans, calendar)
    return calendar, seats


def input_exceptions(inputs: Inputs, plans: dict[str, Plan], seats: pd.DataFrame,
                     calendar: Calendar) -> list[pd.DataFrame]:
    """What is wrong with the inputs as a whole but does not stop the run."""
    return [split_exceptions(inputs), _roster_exceptions(inputs),
            unused_quota_rows(inputs, plans, seats, calendar)]


def evaluate_plans(plans: dict[str, Plan], seats: pd.DataFrame, credits: pd.DataFrame,
                   inputs: Inputs, calendar: Calendar,
                   watch: Stopwatch | None = None) -> dict[str, PlanResult]:
    """Every plan's components over the given seats and their credits.

    A seat's pay depends on its own credits only, so this is as right for a partition
    of the payees (the Dask engine) as for all of them.
    """
    watch = watch or Stopwatch()
    by_plan: dict[str, PlanResult] = {}
    for plan_id in sorted(set(seats["plan"])):
        pf = plan_frame(plans[plan_id], seats, credits, calendar)
        watch.lap("measure")
        ctx = Context(pf, inputs)
        results = evaluate_plan(ctx)
        by_plan[plan_id] = PlanResult(pf, results, ctx.exceptions)
        watch.lap("component")
    return by_plan


def assemble(plans: dict[str, Plan], inputs: Inputs, calendar: Calendar, seats: pd.DataFrame,
             credits: pd.DataFrame, excs: list[ExceptionPart],
             by_plan: dict[str, PlanResult]) -> Result:
    """The result: payout lines in reading order, and every exception collected (the
    run's, then each plan's)."""
    parts = [_lines(pr, calendar) for pr in by_plan.values()]
    parts = [p for p in parts if len(p)]
    lines = (pd.concat(parts, ignore_index=True) if parts else
             pd.DataFrame(columns=["payee_id", "plan", "seat", "period", "component", "kind",
                                   "order", "cents"]))
    lines = convert_lines(lines, plans, inputs, calendar)
    lines = lines.sort_values(["payee_id", "period", "plan", "order"], kind="stable")
    excs = excs + [e for pr in by_plan.values() for e in pr.exceptions]
    return Result(calendar.year, plans, inputs, seats, lines.reset_index(drop=True), credits,
                  excs, by_plan)


def evaluate(plans: dict[str, Plan], inputs: Inputs, year: int,
             watch: Stopwatch | None = None) -> Result:
    """Evaluate every plan for every seat of the year, in this process."""
    watch = watch or Stopwatch()
    watch.restart()
    calendar, seats = prepare(plans, inputs, year)
    watch.lap("seats")
    credits, excs = build_credits(plans, inputs, seats, calendar)
    excs.extend(input_exceptions(inputs, plans, seats, calendar))
    watch.lap("credit")
    by_plan = evaluate_plans(plans, seats, credits, inputs, calendar, watch)
    result = assemble(plans, inputs, calendar, seats, credits, excs, by_plan)
    watch.lap("assemble")
    return result
