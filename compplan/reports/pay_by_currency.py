"""One reporting currency for finance: what was paid in each currency, and its value
in the reporting currency at a stated rate.

Pay itself is never converted again; this view only adds up what would otherwise be
amounts of different currencies. The stated rate is the mean of the FX table's rates
as of the twelve month ends of the plan year (crossed through the base currency as
pay lines are), or the plans' budget rate when their policy is ``budget``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compplan.core.periods import Calendar
from compplan.engine.result import Evaluation
from compplan.inputs.fx import FxTable, convert_rates


def report_currency(result: Evaluation) -> str:
    """The currency finance reports in: the plans' when they share one, else USD."""
    codes = {p.currency for p in result.plans.values()}
    return codes.pop() if len(codes) == 1 else "USD"


def pay_by_currency(result: Evaluation, report: str | None = None) -> pd.DataFrame:
    """Per pay currency: lines, amount paid, the stated rate into ``report`` and the
    amount in it; the rates' basis in words."""
    report = report or report_currency(result)
    lines = result.lines
    paid = lines.groupby("currency", sort=True).agg(lines=("cents", "size"),
                                                    paid=("amount", "sum"))
    plan = next(iter(result.plans.values()))
    fx = FxTable.from_table(result.inputs.fx)
    ends = Calendar(result.year).month_ends
    rates, basis = [], []
    for code in paid.index:  # a handful of currencies
        if code == report:
            rates.append(1.0)
            basis.append("")
            continue
        got = convert_rates(fx, plan.fx, plan.currency, np.full(12, code, dtype=object),
                            report, ends, f"the {report} reporting view")
        rates.append(float(np.mean(got)))
        basis.append("budget rate" if plan.fx.rate == "budget" else
                     f"mean of the {result.year} month-end rates")
    out = paid.reset_index()
    out["rate"] = rates
    out[f"in_{report}"] = out["paid"] * out["rate"]
    out["rate_basis"] = basis
    return out
