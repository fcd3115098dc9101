"""Each capitalized payout line shared among the contracts that earned it, to the cent.

- A component paid per credit (a SPIFF, a rate table, a per-credit commission) shares
  its line by what each credit earned (``ComponentResult.per_credit``).
- A component paid on a period's total (tiers, accelerators, a payout curve, a bonus
  on attainment) shares its line pro rata to the values credited in the period the
  line pays for: the month of a monthly or year-to-date line, the quarter of a
  quarterly one (or of one paid each quarter), the year of a yearly one.
- A positive line goes to the credits that added value; a negative line (a true-up
  down, a clawback) to the credits that took value away, so a reversal reduces the
  asset of the contract it reverses. A line with no credit of its sign in its period
  falls back to all of the period's credits by size.

The shares are cents by the largest-remainder rule (ties to the earlier credit in the
run's credit order), so the allocations of a line add up to the line exactly. A line
with no credit at all in its period has no contract to capitalize against: it is
expensed and listed with that reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compplan.core.money import largest_remainder_groups
from compplan.engine.components import ComponentResult
from compplan.engine.result import Evaluation
from compplan.errors import InputError, Issue
from compplan.schema import Component
from compplan.schema.accounting import AccountingPolicy

_ORDER = {"month": 0, "ytd": 0, "quarter": 1, "year": 2}
ALLOCATION_COLUMNS = ["entry", "plan", "component", "payee_id", "period", "month",
                      "currency", "deal_id", "table", "source_idx", "source_row", "cents",
                      "basis"]


@dataclass(frozen=True)
class Allocated:
    """Allocations (one row per line x contract) and the lines no contract earned."""

    rows: pd.DataFrame
    unallocated: pd.DataFrame


def measure_of(comp: Component) -> str | None:
    """The measure whose credits earned a component's pay (a bonus: its condition's first)."""
    measure = getattr(comp, "measure", None)
    if isinstance(measure, str):
        return measure
    condition = getattr(comp, "condition", None)
    if condition is not None:
        return next(iter(condition.weight_map()), None)
    return None


def window(period: str, pay_every: str) -> str:
    """The period a line pays for: the component's own (year to date: the month), or
    the pay period when pay waits for it.

    >>> window("ytd", "month"), window("month", "quarter"), window("year", "month")
    ('month', 'quarter', 'year')
    """
    kind = max(_ORDER[period], _ORDER.get(pay_every, 0))
    return ["month", "quarter", "year"][kind]


def _bucket(month0: np.ndarray, kind: str) -> np.ndarray:
    return month0 if kind == "month" else (month0 // 3 if kind == "quarter" else month0 * 0)


def entries_for(policy: AccountingPolicy) -> dict[tuple[str, str], list[int]]:
    """Policy entries (by index) naming each (plan, component), in policy order."""
    out: dict[tuple[str, str], list[int]] = {}
    for i, entry in enumerate(policy.capitalize):
        for component in entry.components:
            out.setdefault((entry.plan, component), []).append(i)
    return out


def _component_rows(result: Evaluation, plan: str, cr: ComponentResult) -> pd.DataFrame:
    """One component's allocations, or its lines with ``source_idx`` -1 when unearned."""
    comp = cr.component
    lines = result.lines
    mine = lines[(lines["plan"] == plan) & (lines["component"] == comp.id)
                 & (lines["cents"] != 0)]
    month0 = mine["period"].str[5:7].astype(int).to_numpy() - 1
    line = pd.DataFrame({"line": np.arange(len(mine)), "seat": mine["seat"].to_numpy(),
                         "payee_id": mine["payee_id"].to_numpy(), "month0": month0,
                         "period": mine["period"].to_numpy(),
                         "currency": mine["currency"].to_numpy(),
                         "line_cents": mine["cents"].to_numpy(dtype=np.int64)})
    measure = measure_of(comp)
    kind = window(cr.period, getattr(comp, "pay_every", "month"))
    line["bucket"] = _bucket(month0, kind)
    if measure is None:
        return line.assign(source_idx=-1, source_row=-1, deal_id="", weight=0.0,
                           basis="no measure")
    credits = result.by_plan[plan].frame.credits.of(measure)
    per_credit = cr.per_credit is not None and len(cr.per_credit) == len(credits)
    weight = (np.asarray(cr.per_credit, dtype=np.float64) if per_credit
              else credits["credit_value"].to_numpy(dtype=np.float64))
    c = pd.DataFrame({"seat": credits["seat"].to_numpy(),
                      "bucket": _bucket(credits["month"].to_numpy(dtype=np.int64), kind),
                      "source_idx": credits["source_idx"].to_numpy(dtype=np.int64),
                      "deal_id": credits["deal_id"].astype(str).to_numpy(),
                      "source_row": credits["source_row"].to_numpy(dtype=np.int64),
                      "weight": weight, "order": np.arange(len(credits))})
    joined = line.merge(c[c["weight"] != 0], on=["seat", "bucket"], how="left")
    sign = np.sign(joined["line_cents"].to_numpy())
    w = joined["weight"].to_numpy(dtype=np.float64)
    same = np.nan_to_num(np.sign(w)) == sign
    has_same = pd.Series(same).groupby(joined["line"].to_numpy()).transform("any").to_numpy()
    joined["weight"] = np.where(has_same, np.where(same, np.abs(w), 0.0), np.abs(w))
    joined["weight"] = joined["weight"].fillna(0.0)
    joined["source_idx"] = joined["source_idx"].fillna(-1).astype(np.int64)
    joined["source_row"] = joined["source_row"].fillna(-1).astype(np.int64)
    joined["deal_id"] = joined["deal_id"].fillna("")
    joined["basis"] = "per credit" if per_credit else "pro rata"
    return joined.sort_values(["line", "order"], kind="stable").drop(columns="order")


def allocate(result: Evaluation, policy: AccountingPolicy) -> Allocated:
    """Every line of the policy's components, shared among its contracts."""
    named = entries_for(policy)
    parts, unearned = [], []
    for (plan, component), _ in named.items():
        if plan not in result.by_plan:  # nobody on the plan this year: no lines
            continue
        found = [cr for cr in result.by_plan[plan].components if cr.component.id == component]
        if not found:
            continue
        rows = _component_rows(result, plan, found[0])
        totals = rows.groupby("line")["weight"].sum()
        empty = totals.index[totals.to_numpy() == 0]
        lost = rows[rows["line"].isin(empty)].drop_duplicates("line")
        if len(lost):
            unearned.append(pd.DataFrame({
                "plan": plan, "component": component, "payee_id": lost["payee_id"],
                "period": lost["period"], "currency": lost["currency"],
                "cents": lost["line_cents"], "reason": np.where(
                    lost["basis"] == "no measure", "the component reads no measure: no "
                    "contract earned it", "no credit in the period it pays for")}))
        kept = rows[~rows["line"].isin(empty) & (rows["weight"] > 0)]
        line_ids, group = np.unique(kept["line"].to_numpy(), return_inverse=True)
        line_cents = rows.drop_duplicates("line").set_index("line")["line_cents"]
        cents = largest_remainder_groups(group, line_cents.reindex(line_ids).to_numpy(),
                                         kept["weight"].to_numpy())
        measure = measure_of(found[0].component)
        table = result.plans[plan].measures[measure].table if measure is not None else ""
        parts.append(pd.DataFrame({
            "plan": plan, "component": component, "payee_id": kept["payee_id"].to_numpy(),
            "period": kept["period"].to_numpy(),
            "month": kept["month0"].to_numpy(dtype=np.int64) + result.year * 12,
            "currency": kept["currency"].to_numpy(), "deal_id": kept["deal_id"].to_numpy(),
            "table": table, "source_idx": kept["source_idx"].to_numpy(dtype=np.int64),
            "source_row": kept["source_row"].to_numpy(dtype=np.int64),
            "cents": cents, "basis": kept["basis"].to_numpy()}))
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=ALLOCATION_COLUMNS[1:])
    rows = rows[rows["cents"] != 0].reset_index(drop=True)
    rows.insert(0, "entry", _match(result, policy, rows))
    lost = pd.concat(unearned, ignore_index=True) if unearned else pd.DataFrame(
        columns=["plan", "component", "payee_id", "period", "currency", "cents", "reason"])
    return Allocated(rows, lost)


def _match(result: Evaluation, policy: AccountingPolicy, rows: pd.DataFrame) -> np.ndarray:
    """The first policy entry that covers each allocation (its plan and component, and
    its ``when`` on the contract's row)."""
    entry = np.full(len(rows), -1, dtype=np.int64)
    for i in range(len(policy.capitalize) - 1, -1, -1):  # the first match wins: last first
        e = policy.capitalize[i]
        hit = ((rows["plan"] == e.plan) & rows["component"].isin(e.components)).to_numpy(
            copy=True)
        if e.when is not None and hit.any():
            values = pd.Series(contract_column(result, rows, e.when.column))
            hit &= (values.isin(e.when.in_) | values.astype(str).isin(
                [str(v) for v in e.when.in_])).to_numpy()
        entry[hit] = i
    return entry


def contract_column(result: Evaluation, rows: pd.DataFrame, column: str,
                    field: str = "capitalize[].when.column") -> np.ndarray:
    """A column of each allocation's contract row (the row its credit came from);
    ``field`` is the policy key that names it, for the error when it is missing."""
    out = np.full(len(rows), None, dtype=object)
    for name in pd.unique(rows["table"]):
        table = result.inputs.table(str(name))
        mask = (rows["table"] == name).to_numpy()
        if table is None or column not in table.frame.columns:
            file = table.file if table is not None else str(name)
            hint = ("; set contract: {cancel: null} if contracts are never cancelled"
                    if field == "contract.cancel" else "")
            raise InputError([Issue(file, f"no column {column!r}: the accounting policy's "
                                          f"{field} names it{hint}")])
        out[mask] = table.frame[column].to_numpy(dtype=object)[
            rows["source_idx"].to_numpy(dtype=np.int64)[mask]]
    return out
