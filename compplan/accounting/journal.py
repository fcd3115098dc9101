"""The roll-forward of the deferred commission asset, and the journal that books it.

Every journal entry has its debit and its credit in the same amount, so each month
balances to the cent by construction; the roll-forward's closing balance is its
opening + additions - clawbacks - amortization - write-offs, each column the sum of
the same per-asset amounts the journal books.

Entries (the policy's accounts):

| event | debit | credit |
| --- | --- | --- |
| a commission capitalized | asset, non-current | accrued commissions |
| its employer taxes (``employer_taxes``) | asset, non-current | accrued payroll taxes |
| a commission expensed when incurred | commission expense | accrued commissions |
| a clawback, up to the asset | accrued commissions | asset, non-current |
| a clawback past the asset | accrued commissions | commission expense |
| amortization | amortization expense | asset, current |
| a cancelled contract's rest, an impairment | write-off | asset, non-current |
| the part due within 12 months | asset, current | asset, non-current |

The last is a reclassification each month that brings the current account to the
amortization due in the next 12 months (the roll-forward's ``current`` column).
"""

from __future__ import annotations

import calendar

import numpy as np
import pandas as pd

from compplan.accounting.amortize import Schedule, month_label
from compplan.core.money import amounts
from compplan.schema.accounting import AccountingPolicy

JOURNAL_COLUMNS = ["date", "entity", "currency", "account", "debit", "credit", "memo",
                   "source"]
ROLLFORWARD_COLUMNS = ["month", "basis", "entity", "currency", "opening", "additions",
                       "clawbacks", "amortization", "write_offs", "closing", "current",
                       "non_current", "expensed"]


def _month_end(month: int) -> str:
    year, m = divmod(int(month), 12)
    return f"{year:04d}-{m + 1:02d}-{calendar.monthrange(year, m + 1)[1]:02d}"


def rollforward(schedule: Schedule, policy: AccountingPolicy, year: int) -> pd.DataFrame:
    """Per currency and month: opening, movements, closing, current and non-current.

    Months of the plan year are ``actual``; later months, to the end of the last
    benefit period, are ``projected`` (amortization of what is on the books, no new
    contracts or events)."""
    a = schedule.assets
    opening = (a["opening"].to_numpy(dtype=np.int64) if "opening" in a
               else np.zeros(len(a), np.int64))
    parts = []
    year0 = year * 12
    keep = schedule.months >= year0
    months = schedule.months[keep]
    expensed = _expensed_by_month(schedule, months)
    for code in sorted(pd.unique(a["currency"]).tolist() + [
            c for c in pd.unique(schedule.expensed["currency"]) if c not in set(a["currency"])]):
        mine = (a["currency"] == code).to_numpy()

        def total(matrix: np.ndarray, mine: np.ndarray = mine) -> np.ndarray:
            summed: np.ndarray = matrix[mine][:, keep].sum(axis=0).astype(np.int64)
            return summed

        closing = total(schedule.carrying)
        first = int(opening[mine].sum())
        frame = pd.DataFrame({
            "month": month_label(months),
            "basis": np.where(months <= year0 + 11, "actual", "projected"),
            "entity": policy.entity, "currency": code,
            "opening": np.concatenate([[first], closing[:-1]]),
            "additions": total(schedule.additions), "clawbacks": total(schedule.reductions),
            "amortization": total(schedule.amortized),
            "write_offs": total(schedule.written_off) + total(schedule.impaired),
            "closing": closing, "current": total(schedule.current)})
        frame["non_current"] = frame["closing"] - frame["current"]
        frame["expensed"] = expensed.get(code, np.zeros(len(months), np.int64))
        moving = (frame[["opening", "additions", "amortization", "write_offs", "closing"]]
                  != 0).any(axis=1).to_numpy() | (frame["basis"] == "actual").to_numpy()
        parts.append(frame.iloc[:int(np.flatnonzero(moving).max()) + 1])  # no idle tail
    if not parts:
        return pd.DataFrame(columns=ROLLFORWARD_COLUMNS)
    return pd.concat(parts, ignore_index=True)[ROLLFORWARD_COLUMNS]


def _expensed_by_month(schedule: Schedule, months: np.ndarray) -> dict[str, np.ndarray]:
    """Commission expense booked when incurred (and clawbacks past the asset, less)."""
    out: dict[str, np.ndarray] = {}
    e = schedule.expensed
    if len(e):
        at = months.searchsorted(_period_month(e["period"]))
        for code in pd.unique(e["currency"]):
            mine = (e["currency"] == code).to_numpy()
            out[str(code)] = np.bincount(at[mine], weights=e["cents"].to_numpy()[mine],
                                         minlength=len(months)).astype(np.int64)
    a = schedule.assets
    keep = schedule.months >= months[0]
    for code in pd.unique(a["currency"]):
        mine = (a["currency"] == code).to_numpy()
        past = schedule.excess[mine][:, keep].sum(axis=0).astype(np.int64)
        out[str(code)] = out.get(str(code), np.zeros(len(months), np.int64)) - past
    return out


def _period_month(periods: pd.Series) -> np.ndarray:
    p = periods.astype(str)
    return (p.str[:4].astype(int) * 12 + p.str[5:7].astype(int) - 1).to_numpy(dtype=np.int64)


def journal(schedule: Schedule, policy: AccountingPolicy, year: int,
            roll: pd.DataFrame) -> pd.DataFrame:
    """The plan year's entries, debit and credit rows, amounts in each currency's units;
    ``roll`` is the :func:`rollforward` of the same schedule (its amortization and
    current part are what the month's aggregate entries book)."""
    acc = policy.accounts
    year0 = year * 12
    cols = np.flatnonzero((schedule.months >= year0) & (schedule.months <= year0 + 11))
    a = schedule.assets
    entries: list[pd.DataFrame] = []

    def per_asset(matrix: np.ndarray, debit: str, credit: str, memo: pd.Series) -> None:
        sub = matrix[:, cols]
        asset, j = np.nonzero(sub)
        if len(asset):
            entries.append(pd.DataFrame({
                "month": schedule.months[cols][j], "currency": a["currency"].to_numpy()[asset],
                "debit_account": debit, "credit_account": credit, "cents": sub[asset, j],
                "memo": memo.to_numpy()[asset], "source": a["asset_id"].to_numpy()[asset]}))

    label = a["component"] + " (" + a["plan"] + "), contract " + a["deal_id"].astype(str)
    red = schedule.reductions + schedule.excess  # what the clawbacks took back, all of it
    tax_cut = np.where(red > 0, np.floor(schedule.reductions * schedule.tax_reductions
                                         / np.where(red > 0, red, 1) + 0.5), 0).astype(np.int64)
    tax_past = schedule.tax_reductions - tax_cut  # the taxes share the cut pro rata
    taxes = policy.employer_taxes.account if policy.employer_taxes else acc.accrued
    per_asset(schedule.additions - schedule.tax_additions, acc.asset_noncurrent, acc.accrued,
              "capitalized: " + label)
    per_asset(schedule.tax_additions, acc.asset_noncurrent, taxes,
              "employer taxes capitalized: " + label)
    per_asset(schedule.reductions - tax_cut, acc.accrued, acc.asset_noncurrent,
              "clawback: " + label)
    per_asset(tax_cut, taxes, acc.asset_noncurrent, "clawback, employer taxes: " + label)
    per_asset(schedule.excess - tax_past, acc.accrued, acc.expense,
              "clawback past the asset: " + label)
    per_asset(tax_past, taxes, acc.expense, "clawback past the asset, employer taxes: "
              + label)
    per_asset(schedule.written_off, acc.write_off, acc.asset_noncurrent,
              "contract cancelled, rest written off: " + label)
    per_asset(schedule.impaired, acc.write_off, acc.asset_noncurrent, "impairment: " + label)
    e = schedule.expensed
    if len(e):
        spent = (e.assign(month=_period_month(e["period"]))
                 .groupby(["month", "currency", "plan", "component", "reason"], sort=True)
                 ["cents"].sum().reset_index())
        spent = spent[spent["cents"] != 0]
        spent_dr = np.where(spent["cents"] > 0, acc.expense, acc.accrued)
        spent_cr = np.where(spent["cents"] > 0, acc.accrued, acc.expense)
        entries.append(pd.DataFrame({
            "month": spent["month"], "currency": spent["currency"], "debit_account": spent_dr,
            "credit_account": spent_cr, "cents": spent["cents"].abs(),
            "memo": "expensed when incurred (" + spent["reason"] + "): " + spent["component"]
            + " (" + spent["plan"] + ")",
            "source": spent["plan"] + "/" + spent["component"]}))
    for code, mine in roll[roll["basis"] == "actual"].groupby("currency", sort=True):
        months = _period_month(mine["month"])
        amort = mine["amortization"].to_numpy()
        current = mine["current"].to_numpy()
        opening_current = _opening_current(schedule, str(code))
        before = np.concatenate([[opening_current], current[:-1]]) - amort
        move = current - before
        moves: list[tuple[np.ndarray, str, str, str]] = [
            (amort, acc.amortization, acc.asset_current, "amortization of deferred commissions"),
            (np.clip(move, 0, None), acc.asset_current, acc.asset_noncurrent,
             "reclassification: due within 12 months"),
            (np.clip(-move, 0, None), acc.asset_noncurrent, acc.asset_current,
             "reclassification: due after 12 months")]
        for values, debit, credit, memo in moves:
            keep = values != 0
            entries.append(pd.DataFrame({
                "month": months[keep], "currency": code, "debit_account": debit,
                "credit_account": credit, "cents": values[keep], "memo": memo,
                "source": "all assets"}))
    return as_rows(entries, policy.entity)


def _opening_current(schedule: Schedule, code: str) -> int:
    a = schedule.assets
    if "opening_current" not in a:
        return 0
    return int(a.loc[a["currency"] == code, "opening_current"].sum())


def as_rows(entries: list[pd.DataFrame], entity: str) -> pd.DataFrame:
    """Each entry (``month`` as months since year 0, and ``date`` when not its month's
    end) as a debit row and a credit row, in date and entry order."""
    kept = [e for e in entries if len(e)]
    if not kept:
        return pd.DataFrame(columns=JOURNAL_COLUMNS)
    both = pd.concat(kept, ignore_index=True)
    both["entry"] = np.arange(len(both))
    amount = np.array(amounts(both["cents"], both["currency"]), dtype=object)
    debit = pd.DataFrame({"account": both["debit_account"], "debit": amount, "credit": "",
                          "side": 0})
    credit = pd.DataFrame({"account": both["credit_account"], "debit": "", "credit": amount,
                           "side": 1})
    dates = (both["date"] if "date" in both else [_month_end(m) for m in both["month"]])
    common = pd.DataFrame({"date": dates, "entity": entity, "currency": both["currency"],
                           "memo": both["memo"], "source": both["source"],
                           "entry": both["entry"], "month": both["month"]})
    rows = pd.concat([pd.concat([common, debit], axis=1), pd.concat([common, credit], axis=1)],
                     ignore_index=True)
    rows = rows.sort_values(["date", "entry", "side"], kind="stable")
    return rows[JOURNAL_COLUMNS].reset_index(drop=True)
