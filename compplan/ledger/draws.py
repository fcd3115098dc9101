"""Draw balances in the payroll ledger: recorded with each run, carried into the next year.

The engine settles draws within its year (:mod:`compplan.engine.draws`). What a payee still
owes after a month is recorded with that month's run (table ``draw_balances``); the
first payroll of a new year reads the balances of the last closed month before it and
evaluates the year with them as opening balances, so the new year's draw recovers
them. A balance is carried to the draw with the same component id in the payee's plan
of the new year (plan ids change from year to year, draw ids rarely do).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from compplan.engine.result import Evaluation
from compplan.ledger.store import draw_balances, periods
from compplan.reports.draw_balances import monthly_balances
from compplan.schema import Draw

Opening = dict[tuple[str, str], int]


def closing(result: Evaluation, period: str) -> pd.DataFrame:
    """Per payee and recoverable draw: the balance owed after ``period`` and what was
    forgiven in it, in cents (rows where either is not zero)."""
    every = monthly_balances(result)
    month = every[every["month"] == int(period[5:])]
    both = month.groupby(["payee_id", "plan", "component"], as_index=False)[
        ["balance_cents", "forgiven_cents"]].sum()
    return both[(both["balance_cents"] != 0) | (both["forgiven_cents"] != 0)].reset_index(
        drop=True)


def opening(conn: sa.Connection, year: int) -> Opening:
    """The draw balances the year opens with: those recorded by the last closed month
    before it (months are paid in order, so that is the previous December)."""
    last = conn.execute(sa.select(sa.func.max(periods.c.period)).where(
        periods.c.state == "closed", periods.c.period < f"{year}-01")).scalar()
    if last is None:
        return {}
    rows = conn.execute(
        sa.select(draw_balances.c.payee_id, draw_balances.c.component,
                  sa.func.sum(draw_balances.c.balance_cents))
        .join(periods, periods.c.run_id == draw_balances.c.run_id)
        .where(periods.c.period == last)
        .group_by(draw_balances.c.payee_id, draw_balances.c.component)).all()
    return {(str(p), str(c)): int(b) for p, c, b in rows if b}


def record(conn: sa.Connection, run_id: str, period: str, result: Evaluation) -> None:
    """Record the run's draw balances, in the caller's transaction."""
    rows = closing(result, period)
    if len(rows):
        conn.execute(draw_balances.insert(), [
            {"run_id": run_id, "pay_period": period, "payee_id": p, "plan": plan,
             "component": c, "balance_cents": int(b), "forgiven_cents": int(f)}
            for p, plan, c, b, f in zip(
                rows["payee_id"].tolist(), rows["plan"].tolist(), rows["component"].tolist(),
                rows["balance_cents"].tolist(), rows["forgiven_cents"].tolist(), strict=True)])


def unmatched(result: Evaluation) -> list[tuple[str, str, int]]:
    """Opening balances no recoverable draw of the year takes over: (payee, draw, cents)."""
    taken = {(str(p), c.id) for pr in result.by_plan.values()
             for c in pr.frame.plan.components if isinstance(c, Draw) and c.recoverable
             for p in pr.frame.seats["payee_id"]}
    return [(p, c, cents) for (p, c), cents in sorted(result.inputs.draw_opening.items())
            if (p, c) not in taken]
