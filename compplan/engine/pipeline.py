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


LINE_COLUMNS = ["payee_id", "plan", "seat", "period", "component", "kind", "order", "cents"]


def _lines(by_plan: dict[str, PlanResult], calendar: Calendar) -> pd.DataFrame:
    """Every plan's nonzero pay, one line per seat, month and component, in reading order
    (payee, period, plan, component order).

    Lines are sorted as numbers (each payee's and plan's rank among the sorted ids), and
    their text columns made once, in that order: sorting text columns of a quarter of a
    million lines and taking them again was most of assembling a run.
    """
    plan_ids = sorted(by_plan)
    payees = np.unique(np.concatenate(
        [by_plan[p].frame.seats["payee_id"].to_numpy(dtype=object) for p in plan_ids]
        or [np.zeros(0, dtype=object)]))
    kinds: list[tuple[str, str]] = []
    parts: list[tuple[np.ndarray, ...]] = []
    for plan_rank, plan_id in enumerate(plan_ids):
        pr = by_plan[plan_id]
        payee_rank = np.searchsorted(payees, pr.frame.seats["payee_id"].to_numpy(dtype=object))
        seats = pr.frame.seats["seat"].to_numpy()
        for position, res in enumerate(pr.components):
            local, months = np.nonzero(res.cents)
            n = len(local)
            parts.append((payee_rank[local], np.full(n, plan_rank), seats[local], months,
                          np.full(n, len(kinds)), np.full(n, position), res.cents[local, months]))
            kinds.append((res.component.id, res.component.kind))
    if not parts:
        return pd.DataFrame(columns=LINE_COLUMNS)
    payee, plan, seat, month, component, order, cents = (
        np.concatenate([part[i] for part in parts]) for i in range(7))
    at = np.lexsort((order, plan, month, payee))  # stable: seat order breaks ties
    ids = np.array([c for c, _ in kinds], dtype=object)
    kind = np.array([k for _, k in kinds], dtype=object)
    return pd.DataFrame({
        "payee_id": payees[payee[at]], "plan": np.array(plan_ids, dtype=object)[plan[at]],
        "seat": seat[at], "period": np.array(calendar.month_labels(), dtype=object)[month[at]],
        "component": ids[component[at]], "kind": kind[component[at]],
        "order": order[at], "cents": cents[at]})


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
    lines = convert_lines(_lines(by_plan, calendar), plans, inputs, calendar)
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
