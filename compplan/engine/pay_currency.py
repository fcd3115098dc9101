"""Pay lines in each payee's currency: the second and last conversion point.

A plan computes its lines in its own currency, rounded half-up to that currency's
minor units (the plan's rules say what it pays). A payee paid in another currency
(the roster's ``currency`` column) gets each line converted at the plan's policy
rate for the line's month and rounded half-up to the pay currency's minor units:
lines are what is paid, and totals are their sums in each currency. The plan's
amount, its currency and the rate stay on the line (``plan_cents``,
``plan_currency``, ``fx_rate``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compplan.core.currencies import UnknownCurrencyError, decimals, scale
from compplan.core.money import to_minor
from compplan.core.periods import Calendar
from compplan.errors import Issue
from compplan.inputs.bundle import Inputs
from compplan.inputs.fx import FxTable, convert_rates
from compplan.schema import Plan


def run_currencies(plans: dict[str, Plan], inputs: Inputs) -> list[str]:
    """Every currency the run's used plans and credited tables hold."""
    found = {plan.currency for plan in plans.values()}
    for table in (inputs.deals, *inputs.extra.values()):
        if "currency" in table.frame:
            found.update(c for c in pd.unique(table.frame["currency"].astype(str)) if c)
    return sorted(found)


def check_pay_currencies(plans: dict[str, Plan], inputs: Inputs) -> list[Issue]:
    """A roster currency is an ISO 4217 code a payee can be paid in; and once a run
    holds more than one currency, the roster must say each payee's."""
    roster = inputs.roster
    if "currency" not in roster.frame:
        held = run_currencies(plans, inputs)
        if len(held) > 1:
            return [Issue(roster.file, f"no column 'currency': this run holds {', '.join(held)}"
                          "; give each payee's pay currency (an empty cell pays in the "
                          "plan's currency)", 1)]
        return []
    issues = []
    codes = roster.frame["currency"].astype(str).to_numpy()
    rows = roster.frame["_row"].to_numpy()
    held = run_currencies(plans, inputs)
    if len(held) > 1 and (codes == "").any():
        row = int(rows[np.flatnonzero(codes == "")[0]])
        issues.append(Issue(roster.file, f"no pay currency: this run holds {', '.join(held)}"
                            ", so every payee's currency must be given (a payee is paid in "
                            "one currency)", None, f"row {row}, currency"))
    for code in pd.unique(codes[codes != ""]):  # a handful of codes
        try:
            decimals(str(code))
        except UnknownCurrencyError as exc:
            row = int(rows[np.flatnonzero(codes == code)[0]])
            issues.append(Issue(roster.file, str(exc), None, f"row {row}, currency"))
    return issues


def _pay_codes(lines: pd.DataFrame, plans: dict[str, Plan], inputs: Inputs) -> np.ndarray:
    plan_code = lines["plan"].map({k: p.currency for k, p in plans.items()}).to_numpy(
        dtype=object)
    roster = inputs.roster.frame
    if "currency" not in roster:
        return plan_code
    own = pd.Series(roster["currency"].astype(str).to_numpy(),
                    index=roster["payee_id"].astype(str).to_numpy())
    own = own[~own.index.duplicated()]
    code = own.reindex(lines["payee_id"].astype(str).to_numpy()).fillna("").to_numpy(
        dtype=object)
    return np.where(code == "", plan_code, code)


def convert_lines(lines: pd.DataFrame, plans: dict[str, Plan], inputs: Inputs,
                  calendar: Calendar) -> pd.DataFrame:
    """The lines with ``currency`` (the pay currency) and ``cents`` in its minor units;
    ``plan_currency``, ``plan_cents`` and ``fx_rate`` keep what the plan computed."""
    codes = {p.currency for p in plans.values()}
    if len(codes) == 1 and "currency" not in inputs.roster.frame:  # one currency: no work
        code = codes.pop()
        cents = lines["cents"].to_numpy(dtype=np.int64)
        amount = cents / scale(code)
        return lines.assign(plan_currency=code, plan_cents=cents, currency=code, fx_rate=1.0,
                            amount=amount, plan_amount=amount)
    out = lines.assign(plan_currency=lines["plan"].map(
        {k: p.currency for k, p in plans.items()}).astype(object), plan_cents=lines["cents"])
    out["currency"] = _pay_codes(lines, plans, inputs) if len(lines) else []
    out["fx_rate"] = 1.0
    moved = (out["currency"] != out["plan_currency"]).to_numpy()
    if not moved.any():
        return _with_amounts(out)
    fx = FxTable.from_table(inputs.fx)
    ends = calendar.month_ends
    month = {label: i for i, label in enumerate(calendar.month_labels())}
    cents = out["cents"].to_numpy(dtype=np.int64).copy()
    rates = out["fx_rate"].to_numpy(dtype=np.float64).copy()
    groups = out[moved].groupby(["plan", "currency"], sort=False).indices
    for key, idx in groups.items():  # one group per plan and pay currency
        plan_id, code = str(key[0]), str(key[1])  # type: ignore[index]
        rows = np.flatnonzero(moved)[np.asarray(idx, dtype=np.int64)]
        plan = plans[str(plan_id)]
        at = out["period"].to_numpy()[rows]
        months = np.array([month[str(p)] for p in pd.unique(at)])
        per_month = convert_rates(fx, plan.fx, plan.currency,
                                  np.full(len(months), plan.currency, dtype=object),
                                  str(code), ends[months], f"pay lines of plan {plan_id} in "
                                  f"{code}")
        rate = pd.Series(per_month, index=pd.unique(at)).reindex(at).to_numpy()
        rates[rows] = rate
        amount = out["plan_cents"].to_numpy(dtype=np.int64)[rows] / scale(plan.currency)
        cents[rows] = to_minor(amount * rate, decimals(str(code)))
    return _with_amounts(out.assign(cents=cents, fx_rate=rates))


def _with_amounts(lines: pd.DataFrame) -> pd.DataFrame:
    """Amounts in units for reports: ``amount`` in the pay currency, ``plan_amount`` in
    the plan's (pay itself is the integer ``cents``)."""
    units = {str(c): scale(str(c)) for c in pd.unique(
        pd.concat([lines["currency"], lines["plan_currency"]]))}
    return lines.assign(
        amount=lines["cents"].to_numpy(dtype=np.float64)
        / lines["currency"].map(units).to_numpy(dtype=np.float64),
        plan_amount=lines["plan_cents"].to_numpy(dtype=np.float64)
        / lines["plan_currency"].map(units).to_numpy(dtype=np.float64))
