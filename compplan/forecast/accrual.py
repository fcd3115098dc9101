"""The month's commission accrual: earned to date and not yet paid, and the rest of
the year expected, by plan, component and GL account, with the journal that books it.

Earned to date is the run's variable pay lines (every component but salary) of the
months through the as-of month, in each payee's pay currency. Paid to date is what the
payroll ledger's closed months paid (``--ledger``), or else every line of the months
before the as-of month (a month's commission is paid in the next month's payroll).
The accrual is their difference. The expected rest of the year is the forecast's mean
pay of the later months, line by line rounded to the plan's minor units and converted
to the pay currency as a run converts its lines.

The journal books the accrual at the as-of date, debit the component's account
(commission expense; the deferred commission asset for a component the accounting
policy capitalizes) and credit accrued commissions, and reverses it the next day, so
the next month's payroll and accrual book against a clean balance: a standard
reversing accrual. Each entry is a debit and a credit of one amount: it balances.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compplan.accounting.journal import as_rows
from compplan.core.money import to_minor
from compplan.engine.pay_currency import convert_lines
from compplan.engine.pipeline import LINE_COLUMNS
from compplan.engine.result import Evaluation
from compplan.schema.accounting import AccountingPolicy, Accounts

ACCRUAL_COLUMNS = ["plan", "component", "kind", "account", "currency", "earned_to_date",
                   "paid_to_date", "accrued", "expected_rest_of_year", "expected_year"]
ACCRUAL_MONEY = ["earned_to_date", "paid_to_date", "accrued", "expected_rest_of_year",
                 "expected_year"]
KEYS = ["payee_id", "plan", "component", "kind", "currency"]


def expected_lines(result: Evaluation, mean_pay: dict[str, np.ndarray], after: int
                   ) -> pd.DataFrame:
    """The forecast's mean pay of the months after ``after`` (0-11) as pay lines."""
    calendar = next(iter(result.by_plan.values())).frame.calendar
    labels = np.array(calendar.month_labels(), dtype=object)
    parts = []
    for plan_id, mean in sorted(mean_pay.items()):
        pr = result.by_plan[plan_id]
        cents = to_minor(mean, 0)
        cents[:, :, : after + 1] = 0
        seat, comp, month = np.nonzero(cents)
        comps = pr.frame.plan.components
        parts.append(pd.DataFrame({
            "payee_id": pr.frame.seats["payee_id"].to_numpy(dtype=object)[seat],
            "plan": plan_id, "seat": pr.frame.seats["seat"].to_numpy()[seat],
            "period": labels[month],
            "component": np.array([c.id for c in comps], dtype=object)[comp],
            "kind": np.array([c.kind for c in comps], dtype=object)[comp],
            "order": comp, "cents": cents[seat, comp, month]}))
    if not parts:
        return pd.DataFrame(columns=LINE_COLUMNS)
    lines = pd.concat(parts, ignore_index=True)[LINE_COLUMNS]
    return convert_lines(lines, result.plans, result.inputs, calendar)


def account_of(accounts: Accounts, policy: AccountingPolicy | None, plan: str,
               component: str) -> str:
    """The account a component's accrual is debited to."""
    if policy is not None and any(plan == c.plan and component in c.components
                                  for c in policy.capitalize):
        return accounts.asset_noncurrent
    return accounts.expense


def accrual(result: Evaluation, as_of_month: int, expected: pd.DataFrame,
            paid: pd.DataFrame | None = None, policy: AccountingPolicy | None = None
            ) -> pd.DataFrame:
    """ACCRUAL_COLUMNS, amounts in minor units of each row's currency; ``paid``:
    (payee_id, component, currency, cents) paid to date, or None for every line of
    the months before the as-of month."""
    months = {f"{result.year}-{m:02d}": m - 1 for m in range(1, 13)}
    lines = result.lines[result.lines["kind"].astype(str) != "salary"]
    month = lines["period"].astype(str).map(months).to_numpy()
    earned = lines[month <= as_of_month].groupby(KEYS, observed=True)["cents"].sum()
    if paid is None:
        paid_sum = lines[month < as_of_month].groupby(KEYS, observed=True)["cents"].sum()
    else:  # the ledger knows payee and component: the plan and kind are the run's
        owner = lines.drop_duplicates(["payee_id", "component", "currency"])[KEYS]
        keyed = paid.merge(owner, on=["payee_id", "component", "currency"], how="left")
        keyed["plan"] = keyed["plan"].fillna("(not in this run)")
        keyed["kind"] = keyed["kind"].fillna("")
        paid_sum = keyed.groupby(KEYS)["cents"].sum()
    rest = expected[expected["kind"].astype(str) != "salary"].groupby(
        KEYS, observed=True)["cents"].sum()
    both = pd.concat([earned.rename("earned_to_date"), paid_sum.rename("paid_to_date"),
                      rest.rename("expected_rest_of_year")], axis=1).fillna(0).astype(
        np.int64).reset_index()
    by = both.groupby(["plan", "component", "kind", "currency"], sort=True)[
        ["earned_to_date", "paid_to_date", "expected_rest_of_year"]].sum().reset_index()
    by["accrued"] = by["earned_to_date"] - by["paid_to_date"]
    by["expected_year"] = by["earned_to_date"] + by["expected_rest_of_year"]
    accounts = policy.accounts if policy is not None else Accounts()
    by["account"] = [account_of(accounts, policy, str(p), str(c))
                     for p, c in zip(by["plan"], by["component"], strict=True)]
    return by[ACCRUAL_COLUMNS]


def journal(table: pd.DataFrame, as_of: str, policy: AccountingPolicy | None) -> pd.DataFrame:
    """The accrual and its reversal the next day, per account and currency."""
    accounts = policy.accounts if policy is not None else Accounts()
    sums = table.groupby(["account", "currency"], sort=True)["accrued"].sum().reset_index()
    sums = sums[sums["accrued"] != 0]
    day = np.datetime64(as_of, "D")
    month = int(day.astype("datetime64[M]").astype(np.int64)) + 1970 * 12
    up = sums["accrued"].to_numpy() > 0
    book = pd.DataFrame({
        "month": month, "date": str(day), "currency": sums["currency"],
        "debit_account": np.where(up, sums["account"], accounts.accrued),
        "credit_account": np.where(up, accounts.accrued, sums["account"]),
        "cents": np.abs(sums["accrued"].to_numpy()),
        "memo": "commission accrued, earned to date not yet paid", "source": "forecast"})
    back = book.assign(month=month + 1, date=str(day + 1),
                       debit_account=book["credit_account"],
                       credit_account=book["debit_account"],
                       memo="reversal of the accrual of " + str(day))
    return as_rows([book, back], policy.entity if policy is not None else "main")
