"""Payroll files from a recorded run: generic CSV, ADP and Gusto layouts, control totals.

- ``payroll.csv``: ``line_id, run_id, employee_id, employee_name, earning_code, amount,
  currency, period_start, period_end, pay_date, memo``, one row per ledger line;
- ``payroll-adp.csv``: an ADP Workforce Now paydata import (``Co Code, Batch ID, File #,
  Earnings Code, Earnings Amount, Memo``), one row per line;
- ``payroll-gusto.csv``: a Gusto bonus/commission upload, one row per employee with the
  amounts summed into ``bonus``, ``commission`` and ``correction_payment`` columns
  (salary is paid by Gusto's own payroll and left out);
- ``control.csv``: per currency, count and sum per earning code and the currency's
  total, equal to the ledger's (amounts in different currencies are never added);
- ``balances.csv``: what each payee owes after the run: ``balance_owed`` (negative pay
  carried), ``draw_balance`` (draw top-ups not yet recovered), ``draw_forgiven``
  (written off this month); ``active`` false is a leaver whose balance may never be
  recovered.
"""

from __future__ import annotations

import calendar
from pathlib import Path

import numpy as np
import pandas as pd

from compplan.core.atomic import Writer, write_atomically, write_csv
from compplan.core.money import amounts, format_cents
from compplan.ledger.payroll import PayrollRun

GUSTO_COLUMNS = {"BONUS": "bonus", "COMM": "commission", "SPIFF": "bonus", "ADJ":
                 "correction_payment"}


def _bounds(period: str) -> tuple[str, str]:
    year, month = (int(x) for x in period.split("-"))
    last = calendar.monthrange(year, month)[1]
    return f"{period}-01", f"{period}-{last:02d}"


def generic(run: PayrollRun, pay_date: str | None) -> pd.DataFrame:
    """The generic payroll CSV: one row per payee, earning code and amount."""
    start, end = _bounds(run.period)
    lines = run.lines
    return pd.DataFrame({
        "line_id": lines["line_id"], "run_id": lines["run_id"],
        "employee_id": lines["payee_id"], "employee_name": lines["payee_name"],
        "earning_code": lines["earning_code"],
        "amount": amounts(lines["cents"], lines["currency"]),
        "currency": lines["currency"], "period_start": start, "period_end": end,
        "pay_date": pay_date or end, "memo": lines["memo"]})


def adp(run: PayrollRun, company_code: str) -> pd.DataFrame:
    """ADP's import layout: company code, file number, earnings code and amount columns."""
    lines = run.lines
    return pd.DataFrame({
        "Co Code": company_code, "Batch ID": run.run_id[:8], "File #": lines["payee_id"],
        "Earnings Code": lines["earning_code"],
        "Earnings Amount": amounts(lines["cents"], lines["currency"]),
        "Memo": lines["memo"]})


def gusto(run: PayrollRun) -> pd.DataFrame:
    """Gusto pays in US dollars only: the USD lines."""
    lines = run.lines[(run.lines["earning_code"] != "SAL") & (run.lines["currency"] == "USD")]
    column = lines["earning_code"].map(GUSTO_COLUMNS).fillna("bonus")
    wide = lines.assign(column=column).pivot_table(
        index=["payee_id", "payee_name"], columns="column", values="cents", aggfunc="sum",
        fill_value=0).reset_index()
    out = pd.DataFrame({"employee_id": wide["payee_id"], "employee_name": wide["payee_name"]})
    for name in ("bonus", "commission", "correction_payment"):
        out[name] = format_cents(wide[name] if name in wide else np.zeros(len(wide), np.int64))
    return out


def control(run: PayrollRun) -> pd.DataFrame:
    """Per currency: count and amount per earning code, then the currency's total (the
    run's ledger totals; amounts of different currencies are never added up)."""
    lines = run.lines
    by_code = lines.groupby(["currency", "earning_code"])["cents"].agg(
        ["count", "sum"]).reset_index()
    totals = lines.groupby("currency")["cents"].agg(["count", "sum"]).reset_index().assign(
        earning_code="TOTAL")
    both = pd.concat([by_code, totals], ignore_index=True).sort_values(
        ["currency", "earning_code"], key=lambda s: s.where(s != "TOTAL", "~"), kind="stable")
    return pd.DataFrame({"currency": both["currency"].to_numpy(),
                         "earning_code": both["earning_code"].to_numpy(),
                         "lines": both["count"].to_numpy(),
                         "amount": amounts(both["sum"], both["currency"])})


def write_payroll(run: PayrollRun, out: Path, pay_date: str | None,
                  company_code: str, owed: pd.DataFrame) -> list[Path]:
    """Write a recorded run's payroll files, control totals and balances, all or none."""
    writers: dict[str, Writer] = {
        # amounts are formatted numbers, not text to neutralise
        "payroll.csv": lambda p: write_csv(generic(run, pay_date), p, {"amount"}),
        "payroll-adp.csv": lambda p: write_csv(adp(run, company_code), p,
                                               {"Earnings Amount"}),
        "payroll-gusto.csv": lambda p: write_csv(gusto(run), p, {
            "bonus", "commission", "correction_payment"}),
        "control.csv": lambda p: write_csv(control(run), p, {"lines", "amount"}),
        "balances.csv": lambda p: write_csv(owed, p, {"balance_owed", "draw_balance",
                                                              "draw_forgiven", "active"}),
    }
    return write_atomically(out, writers)
