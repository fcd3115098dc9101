"""Held pay: earned now, payable later (see :class:`compplan.schema.Hold`).

A hold line takes a share of a month's positive earned line out of the payroll; a
release line, referring to it, pays it back in the first payroll where it is due: the
month holding the date ``days`` after the earned month's end, or, for ``until_paid``,
the first month by whose end every credit of the earned month has a paid date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compplan.core.money import to_cents
from compplan.engine.result import Evaluation
from compplan.engine.sources import credit_columns
from compplan.schema import Hold


def _month_end(period: str) -> np.datetime64:
    end: np.datetime64 = (np.datetime64(period, "M") + 1).astype("datetime64[D]") - 1
    return end


def rules(result: Evaluation) -> dict[tuple[str, str], Hold]:
    """The hold of each (plan, component) that has one."""
    out: dict[tuple[str, str], Hold] = {}
    for plan in result.plans.values():
        for c in plan.components:
            hold = getattr(c, "hold", None)
            if isinstance(hold, Hold):
                out[(plan.plan, c.id)] = hold
    return out


def _credits_paid(result: Evaluation, plan_id: str, component: str, column: str) -> pd.DataFrame:
    """The component's credits with their month and paid date (NaT: not paid)."""
    plan = result.plans[plan_id]
    comp = next(c for c in plan.components if c.id == component)
    measure = getattr(comp, "measure", None)
    c = result.credit_rows
    mine = c[((c["plan"] == plan_id) & (c["measure"] == measure)).to_numpy()]
    dates = credit_columns(result.inputs, plan.measures[str(measure)],
                           mine["source_idx"].to_numpy(dtype=np.int64),
                           mine["lookup_idx"].to_numpy(dtype=np.int64), [column])[column]
    labels = np.array([f"{result.year}-{m:02d}" for m in range(1, 13)])
    return pd.DataFrame({"payee_id": mine["payee_id"].astype(str).to_numpy(),
                         "period": labels[mine["month"].to_numpy(dtype=np.int64)],
                         "value": np.clip(mine["credit_value"].to_numpy(dtype=np.float64), 0,
                                          None),
                         "paid": pd.to_datetime(dates).to_numpy(dtype="datetime64[D]")})


def unpaid_share(result: Evaluation, plan_id: str, component: str, column: str,
                 earned_period: str, as_of: str) -> pd.Series:
    """Per payee: the share of the month's credited value not paid by ``as_of``'s end."""
    credits = _credits_paid(result, plan_id, component, column)
    month = credits[credits["period"] == earned_period]
    paid = month["paid"].to_numpy()
    unpaid = np.isnat(paid) | (paid > _month_end(as_of))
    total = month.groupby("payee_id")["value"].sum()
    open_ = month[unpaid].groupby("payee_id")["value"].sum().reindex(total.index, fill_value=0)
    share: pd.Series = (open_ / total.where(total > 0)).fillna(0.0)
    return share


def holds(result: Evaluation, moves: pd.DataFrame, period: str) -> pd.DataFrame:
    """Hold lines for this month's positive earned lines of components with a hold."""
    found = rules(result)
    earned = moves[(moves["kind"] == "earned") & (moves["cents"] > 0)]
    if not found or earned.empty:
        return pd.DataFrame()
    parts = []
    for (plan_id, component), hold in found.items():  # one pass per held component
        mine = earned[(earned["plan"] == plan_id) & (earned["component"] == component)]
        if mine.empty:
            continue
        cents = mine["cents"].to_numpy()
        if hold.days is not None:
            due = _month_end(period) + np.timedelta64(hold.days, "D")
            release = str(due.astype("datetime64[M]"))
            held = to_cents(hold.share * cents / 100) if release > period else 0 * cents
            memo, release_period = f"held until {due}", release
        else:
            assert hold.until_paid is not None
            share = unpaid_share(result, plan_id, component, hold.until_paid, period, period)
            held = to_cents(hold.share * share.reindex(mine["payee_id"]).fillna(0.0)
                            .to_numpy() * cents / 100)
            memo, release_period = f"held until {hold.until_paid} of its credits", None
        keep = held > 0
        parts.append(pd.DataFrame({
            "payee_id": mine["payee_id"].to_numpy()[keep], "component": component,
            "kind": "hold", "earning_code": mine["earning_code"].to_numpy()[keep],
            "cents": -held[keep], "earned_period": period, "release_period": release_period,
            "memo": memo}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _now_paid(result: Evaluation, pending: pd.DataFrame, period: str) -> np.ndarray:
    """Which pending until-paid holds have all their month's credits paid by now."""
    plan_of = result.lines.drop_duplicates(["payee_id", "component"]).set_index(
        ["payee_id", "component"])["plan"]
    found = rules(result)
    due = np.zeros(len(pending), dtype=bool)
    for i, row in enumerate(pending.itertuples(index=False)):  # few open holds per run
        plan_id = plan_of.get((row.payee_id, row.component))
        hold = found.get((str(plan_id), str(row.component)))
        if hold is None or hold.until_paid is None:
            due[i] = True  # the rule is gone: nothing left to wait for
            continue
        share = unpaid_share(result, str(plan_id), str(row.component), hold.until_paid,
                             str(row.earned_period), period)
        due[i] = float(share.get(row.payee_id, 0.0)) == 0.0
    return due


def releases(result: Evaluation, paid: pd.DataFrame, period: str) -> pd.DataFrame:
    """Release lines for holds due by this month and not released yet."""
    released = set(paid.loc[paid["kind"] == "release", "ref"])
    open_holds = paid[(paid["kind"] == "hold") & ~paid["line_id"].isin(released)]
    dated = open_holds["release_period"].notna().to_numpy()
    due = dated & (open_holds["release_period"].fillna("9999") <= period).to_numpy()
    if (~dated).any():
        due[~dated] = _now_paid(result, open_holds[~dated], period)
    ready = open_holds[due]
    return pd.DataFrame({
        "payee_id": ready["payee_id"].to_numpy(), "component": ready["component"].to_numpy(),
        "kind": "release", "earning_code": ready["earning_code"].to_numpy(),
        "cents": -ready["cents"].to_numpy(dtype=np.int64),
        "earned_period": ready["earned_period"].to_numpy(),
        "memo": ("releases " + ready["earned_period"] + " " + ready["component"]
                 + " " + ready["memo"]).to_numpy(),
        "ref": ready["line_id"].to_numpy()})
