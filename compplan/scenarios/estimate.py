"""What a payee would earn if one more deal closed: the run again with the deal added.

The estimate is the difference, line by line, between the run with the hypothetical
deal and the run without it: the same plans, tiers, caps, gates, true-ups, splits and
roll-ups as ``compplan run``, so it is exact to the cent by construction, for the
owner, split partners, SDRs and managers alike. The deal is a copy of a template row
(``--like``, or the latest deal credited to the payee directly, so the payee keeps the
same role: owner, split partner or SDR) with its amount and close date set, and any
other column set as asked; it is credited like any row of the deals table.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from compplan.engine.pipeline import evaluate
from compplan.engine.result import Evaluation
from compplan.errors import InputError, Issue
from compplan.inputs.bundle import Inputs
from compplan.schema import Plan

DEAL_ID = "ESTIMATE"
ESTIMATE_COLUMNS = ["payee_id", "plan", "component", "period", "currency", "before", "after",
                    "change"]


@dataclass(frozen=True)
class Estimate:
    """The hypothetical deal, and the change it makes to every payout line."""

    deal: pd.Series
    lines: pd.DataFrame
    """Lines whose amount changes: cents before, after and the change."""
    baseline: Evaluation
    with_deal: Evaluation


def _template(base: Evaluation, payee: str, like: str | None) -> pd.Series:
    deals = base.inputs.deals.frame
    if like is not None:
        hit = deals[deals["deal_id"].astype(str) == like] if "deal_id" in deals else deals[:0]
        if hit.empty:
            raise InputError([Issue("--like", f"{like!r}: no such deal_id in "
                                              f"{base.inputs.deals.file}")])
        return hit.iloc[-1]
    credits = base.credit_rows
    direct = credits["via"].astype(str).isin(["", "nan", "<NA>"]).to_numpy()
    mine = credits[(credits["payee_id"] == payee).to_numpy()
                   & (credits["credit_kind"] == "credit").to_numpy() & direct]
    if mine.empty:
        raise InputError([Issue("--payee", f"{payee!r} has no credited deal to take the "
                                           "deal's other columns from: give --like DEAL_ID")])
    latest = mine.sort_values("credit_date", kind="stable").iloc[-1]
    return deals[deals["deal_id"].astype(str) == str(latest["deal_id"])].iloc[-1]


def _typed(column: str, value: str, like: pd.Series) -> object:
    """A command-line value as the column's type: a date, a number or text."""
    kind = like.dtype
    try:
        if pd.api.types.is_datetime64_any_dtype(kind):
            return pd.Timestamp(value)
        if pd.api.types.is_numeric_dtype(kind):
            return float(value)
    except ValueError:
        raise InputError([Issue(f"--set {column}", f"{value!r}: expected "
                                f"{'a date' if 'datetime' in str(kind) else 'a number'}")]
                         ) from None
    return value


def hypothetical_deal(base: Evaluation, payee: str, amount: float, date: str,
                      like: str | None = None, values: dict[str, str] | None = None
                      ) -> pd.Series:
    """The deal row to add: the template with ``amount``, ``close_date``, the given
    columns, no cancellation, and the deal id ``ESTIMATE``."""
    deals = base.inputs.deals.frame
    row = _template(base, payee, like).copy()
    asked = {"amount": str(amount), "close_date": date, **(values or {})}
    unknown = [c for c in asked if c not in deals.columns]
    if unknown:
        raise InputError([Issue("--set", f"no column {', '.join(map(repr, unknown))} in "
                                         f"{base.inputs.deals.file}")])
    for column, value in asked.items():
        row[column] = _typed(column, value, deals[column])
    if "cancel_date" in deals.columns and "cancel_date" not in (values or {}):
        row["cancel_date"] = pd.NaT
    if "deal_id" in deals.columns:
        row["deal_id"] = DEAL_ID
    return row


def estimate(plans: dict[str, Plan], inputs: Inputs, year: int, payee: str, amount: float,
             date: str, like: str | None = None, values: dict[str, str] | None = None,
             base: Evaluation | None = None) -> Estimate:
    """The change the hypothetical deal makes to every payout line of the year."""
    base = base if base is not None else evaluate(plans, inputs, year)
    if payee not in set(base.seats["payee_id"]):
        raise InputError([Issue("--payee", f"{payee!r}: not in the roster, or on no plan "
                                           f"in {year}")])
    row = hypothetical_deal(base, payee, amount, date, like, values)
    deals = base.inputs.deals
    grown = pd.concat([deals.frame, row.to_frame().T.astype(deals.frame.dtypes)],
                      ignore_index=True)
    with_deal = evaluate(plans, dataclasses.replace(
        inputs, deals=dataclasses.replace(deals, frame=grown)), year)
    return Estimate(row, changes(base, with_deal), base, with_deal)


def changes(before: Evaluation, after: Evaluation) -> pd.DataFrame:
    """Every payout line whose cents differ between two evaluations of the same year."""
    keys = ["payee_id", "plan", "component", "period", "currency"]
    a = before.lines.groupby(keys, observed=True)["cents"].sum().rename("before")
    b = after.lines.groupby(keys, observed=True)["cents"].sum().rename("after")
    both = pd.concat([a, b], axis=1).fillna(0).astype(np.int64).reset_index()
    both["change"] = both["after"] - both["before"]
    out = both[both["change"] != 0].sort_values(keys, kind="stable").reset_index(drop=True)
    return out[ESTIMATE_COLUMNS]
