"""``compplan payroll``, ``compplan close`` and ``compplan ledger show`` over the ledger."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd

from compplan.core.faults import fault_point
from compplan.engine.result import Evaluation
from compplan.errors import Issue, masked
from compplan.ledger import draws
from compplan.ledger.files import write_payroll
from compplan.ledger.payroll import (
    PayrollRun,
    _ledger_frame,
    balances,
    check_period,
    close,
    compute,
    history,
    record,
)
from compplan.ledger.store import LedgerBusyError, locked, open_ledger, reported
from compplan.outputs.digest import file_digest, plan_digest


def payroll(result: Evaluation, ledger: str, period: str, inputs: dict[str, Path | None],
            out: Path, pay_date: str | None = None, company_code: str = "CMP") -> tuple[
                PayrollRun, list[Path]]:
    """Compute the period's payroll, record it in the ledger, then write its files."""
    check_period(period, result.year)  # before a ledger is created
    engine = open_ledger(ledger)
    hashes, plans = file_digest(inputs), plan_digest(result.plans)
    digest = json.dumps({"inputs": hashes, "plans": plans}, sort_keys=True)
    with reported(ledger), locked(engine) as conn:  # computed, checked and recorded at once
        if draws.opening(conn, result.year) != result.inputs.draw_opening:
            raise LedgerBusyError([Issue(masked(ledger), "the draw balances the year opens "
                                         "with changed while this payroll was computed (a "
                                         "month was closed meanwhile): nothing was recorded; "
                                         "run it again")])
        run = compute(result, conn, period, digest)
        record(conn, run, hashes, plans)
        draws.record(conn, run.run_id, period, result)
        owed = balances(conn, run, result)
    fault_point("record:committed")
    # files only after the commit, from what was committed: a run that lost a race
    # (its month closed or paid past meanwhile) was refused above and writes nothing
    run = replace(run, owed=owed)
    return run, write_payroll(run, out, pay_date, company_code, owed)


def opening_draws(ledger: str, year: int) -> draws.Opening:
    """The draw balances the ledger carries into ``year`` (none from a ledger not yet
    created: reading creates nothing)."""
    if "://" not in ledger and not Path(ledger).exists():
        return {}
    with reported(ledger):
        engine = open_ledger(ledger)
        with engine.connect() as conn:
            return draws.opening(conn, year)


def close_period(ledger: str, period: str) -> str:
    with reported(ledger):
        return close(open_ledger(ledger, create=False), period)


def show(ledger: str, payee_id: str) -> str:
    with reported(ledger):
        table = history(open_ledger(ledger, create=False), payee_id)
    if table.empty:
        return f"no ledger lines for payee {payee_id}"
    return table.to_string(index=False, float_format=lambda v: f"{v:,.2f}")


def paid_to_date(ledger: str, period: str) -> pd.DataFrame:
    """What the ledger's closed months through ``period`` paid, by payee, component and
    currency (salary aside): what a forecast's accrual takes as paid."""
    with reported(ledger):
        engine = open_ledger(ledger, create=False)
        with engine.connect() as conn:
            paid, _ = _ledger_frame(conn)
    paid = paid[(paid["pay_period"].astype(str) <= period)
                & (paid["kind"].astype(str) != "salary")]
    return (paid.assign(currency=paid["currency"].fillna("").astype(str))
            .groupby(["payee_id", "component", "currency"], sort=True)["cents"].sum()
            .astype("int64").reset_index())
