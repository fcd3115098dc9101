"""The evaluation pipeline: inputs -> seats -> credits -> measures -> components -> lines.

Each stage is a function of frames and frozen plans; this module only wires them and
shapes the result. The CLI and the Python API both call :func:`evaluate`.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from compplan.core.periods import Calendar
from compplan.core.stopwatch import Stopwatch
from compplan.engine.checks import FINDINGS, Subject, run_checks
from compplan.engine.components import Context, evaluate_plan, findings_of
from compplan.engine.credit_parts import CreditParts
from compplan.engine.credits import build_credits
from compplan.engine.exception_rows import ExceptionPart
from compplan.engine.measures import plan_frame
from compplan.engine.pay_currency import convert_lines
from compplan.engine.result import Evaluation, PlanResult
from compplan.errors import InputError, raise_if
from compplan.inputs.bundle import Inputs
from compplan.schema import Plan

PAYOUT_COLUMNS = ["payee_id", "period", "component", "amount", "currency"]


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


def prepare(plans: dict[str, Plan], inputs: Inputs, year: int) -> tuple[Calendar, pd.DataFrame]:
    """The calendar and the seats, once every check of the inputs passed (all their
    errors raised at once, as one :class:`InputError`)."""
    subject = Subject(plans, inputs, Calendar(year))
    raise_if(run_checks(subject), InputError)
    return subject.calendar, subject.seats


def input_exceptions(inputs: Inputs, plans: dict[str, Plan], seats: pd.DataFrame,
                     calendar: Calendar) -> list[ExceptionPart]:
    """What is wrong with the inputs as a whole but does not stop the run: every
    finding of :data:`compplan.engine.checks.FINDINGS`, found when the exceptions are
    read (a run that only pays does not group millions of deal ids to check splits)."""
    subject = Subject(plans, inputs, calendar, seats)
    return [partial(finding, subject) for finding in FINDINGS]


def evaluate_plans(plans: dict[str, Plan], seats: pd.DataFrame, credits: CreditParts,
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
        by_plan[plan_id] = PlanResult(pf, results, findings_of(results))
        watch.lap("component")
    return by_plan


def assemble(plans: dict[str, Plan], inputs: Inputs, calendar: Calendar, seats: pd.DataFrame,
             credits: CreditParts, excs: list[ExceptionPart],
             by_plan: dict[str, PlanResult]) -> Evaluation:
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
    return Evaluation(calendar.year, plans, inputs, seats, lines.reset_index(drop=True), credits,
                  excs, by_plan)


def evaluate(plans: dict[str, Plan], inputs: Inputs, year: int,
             watch: Stopwatch | None = None) -> Evaluation:
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
