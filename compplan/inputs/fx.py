"""Exchange rates: the FX table (``--fx``) and a plan's policy, as arrays of rates.

The table holds ``date, from, to, rate`` (daily, a rate valid from its date on) or
``period, from, to, rate`` (monthly averages, ``YYYY-MM``): one ``from`` is ``rate``
``to``. A pair is found directly, as the inverse of the other way, or crossed through
the policy's base currency. A missing rate is an input error naming the pair and date:
a wrong rate would be a wrong payout.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from compplan.errors import InputError, Issue
from compplan.inputs.ingest import Table
from compplan.inputs.tables import MONEY, TableSpec, register
from compplan.schema import FxPolicy

Floats = npt.NDArray[np.float64]
Days = npt.NDArray[np.datetime64]

FX = TableSpec(
    "fx",
    required={"from": "str", "to": "str", "rate": "number"},
    optional={"date": "date", "period": "str"},
    bounds={"rate": (0, MONEY)},
    patterns={"from": (r"[A-Z]{3}", "an ISO 4217 code (EUR)"),
              "to": (r"[A-Z]{3}", "an ISO 4217 code (USD)"),
              "period": (r"\d{4}-(0[1-9]|1[0-2])", "a month (YYYY-MM)")},
    filled=("from", "to", "rate"),
)
register(FX)


@dataclass
class FxTable:
    """The rates of an FX table by pair, sorted by date (or month)."""

    file: str
    daily: bool
    pairs: dict[tuple[str, str], tuple[np.ndarray, Floats]] = field(default_factory=dict)

    @classmethod
    def from_table(cls, table: Table | None) -> FxTable:
        if table is None:
            return cls("--fx", daily=True)
        frame = table.frame
        daily = "date" in frame
        if daily == ("period" in frame):
            raise InputError([Issue(table.file, "an FX table has a date column (daily "
                                    "rates) or a period column (monthly averages), one of "
                                    "them", 1)])
        rate = frame["rate"].to_numpy(dtype=np.float64)
        if (rate <= 0).any():
            row = int(frame["_row"].to_numpy()[np.flatnonzero(rate <= 0)[0]])
            raise InputError([Issue(table.file, "a rate must be above 0", row, "rate")])
        when = (frame["date"].to_numpy(dtype="datetime64[D]") if daily
                else frame["period"].astype(str).to_numpy().astype("datetime64[M]"))
        out = cls(table.file, daily)
        keys = frame["from"].astype(str) + ">" + frame["to"].astype(str)
        for key, idx in keys.groupby(keys, sort=False).indices.items():  # one per pair
            a, b = str(key).split(">")
            rows = np.asarray(idx, dtype=np.int64)
            order = rows[np.argsort(when[rows], kind="stable")]
            dates = when[order]
            if len(dates) > 1 and (dates[1:] == dates[:-1]).any():
                dup = int(frame["_row"].to_numpy()[order[1:][dates[1:] == dates[:-1]][0]])
                raise InputError([Issue(table.file, f"a second {a}->{b} rate for the same "
                                        f"{'date' if daily else 'period'}", dup)])
            out.pairs[(a, b)] = (dates, rate[order])
        return out

    def _on(self, a: str, b: str, dates: Days, average: bool) -> Floats | None:
        """Rates a->b for each day (as of it, or its month's average); NaN where the
        table has none; None when the table has the pair neither way."""
        for key, invert in (((a, b), False), ((b, a), True)):
            if key in self.pairs:
                when, rate = self.pairs[key]
                got = self._lookup(when, rate, dates, average)
                return 1.0 / got if invert else got
        return None

    def _lookup(self, when: np.ndarray, rate: Floats, dates: Days, average: bool) -> Floats:
        if not self.daily:  # monthly averages: the day's month
            months = dates.astype("datetime64[M]")
            at = np.searchsorted(when, months)
            hit = (at < len(when)) & (when[np.clip(at, 0, len(when) - 1)] == months)
            return np.where(hit, rate[np.clip(at, 0, len(when) - 1)], np.nan)
        if average:  # the mean of the month's daily rates
            months = when.astype("datetime64[M]")
            uniq, inverse = np.unique(months, return_inverse=True)
            means = np.bincount(inverse, rate) / np.bincount(inverse)
            at = np.searchsorted(uniq, dates.astype("datetime64[M]"))
            hit = (at < len(uniq)) & (uniq[np.clip(at, 0, len(uniq) - 1)]
                                      == dates.astype("datetime64[M]"))
            return np.where(hit, means[np.clip(at, 0, len(uniq) - 1)], np.nan)
        at = np.searchsorted(when, dates, side="right") - 1  # the latest on or before
        return np.where(at >= 0, rate[np.clip(at, 0, None)], np.nan)

    def rates(self, a: str, b: str, dates: Days, policy: FxPolicy, what: str) -> Floats:
        """Rates a->b (direct, inverse, or through the base currency) for each date."""
        if a == b:
            return np.ones(len(dates))
        average = policy.rate == "month_average"
        got = self._on(a, b, dates, average)
        via = ""
        if got is None and policy.base not in (a, b):
            first, second = (self._on(a, policy.base, dates, average),
                             self._on(policy.base, b, dates, average))
            if first is not None and second is not None:
                got, via = first * second, f" (through {policy.base})"
        if got is None and not self.pairs:
            raise InputError([Issue(self.file, f"no FX table: {a}->{b} rates are needed for "
                                    f"{what}; give --fx rates.csv (date, from, to, rate), or "
                                    "budget rates in the plan (fx: {rate: budget, budget: "
                                    "{...}})")])
        if got is None:
            raise InputError([Issue(self.file, f"no {a}->{b} rate (nor {b}->{a}, nor through "
                                    f"{policy.base}) for {what}")])
        missing = np.isnan(got)
        if missing.any():
            day = str(dates[missing][0])
            kind = ("in the month of" if not self.daily or average else "on or before")
            raise InputError([Issue(self.file, f"no {a}->{b} rate{via} {kind} {day}, needed "
                                    f"for {what}")])
        return got


def convert_rates(fx: FxTable, policy: FxPolicy, plan_currency: str, codes: np.ndarray,
                  to: str, dates: Days, what: str) -> Floats:
    """Per element: the rate from its currency (``codes``) into ``to`` under a plan's
    policy (``budget`` rates are in the plan's currency)."""
    out = np.ones(len(codes))
    for code in pd.unique(codes):  # a handful of currencies
        if code == to:
            continue
        at = codes == code
        if policy.rate == "budget":
            out[at] = _budget(policy, plan_currency, str(code)) / _budget(
                policy, plan_currency, to)
        else:
            out[at] = fx.rates(str(code), to, dates[at], policy, what)
    return out


def _budget(policy: FxPolicy, plan_currency: str, code: str) -> float:
    if code == plan_currency:
        return 1.0
    if code not in policy.budget:
        raise InputError([Issue("plan", f"no budget rate for {code} (fx.budget gives "
                                f"{', '.join(policy.budget) or 'none'}, in {plan_currency})")])
    return float(policy.budget[code])
