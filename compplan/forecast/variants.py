"""What closing an open deal changes, as the credits a run would make of it.

Each open deal has variants: its rows as they stand (already in the run), and its rows
won on each date the forecast may close it on. All of them are credited once, by the
run's own credit and measure code, as one table (each variant under a deal id of its
own, so nothing is counted once per deal across variants); what a deal's closing on a
date changes is then its won variant's credits minus its standing ones, per seat, month
and measure: the rows of :class:`Moves`. A draw of the forecast adds the moves of the
deals it closes to the run's measure arrays, and the plans pay the sums.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from compplan.core.periods import Calendar
from compplan.engine.components import Context, credit_earnings, paid_per_credit
from compplan.engine.credits import build_credits
from compplan.engine.measures import Floats, PlanFrame, plan_frame
from compplan.forecast.open_deals import OpenDeals, Stages
from compplan.schema import Plan

Ints = npt.NDArray[np.int64]
Slot = tuple[str, str]
"""Which array a move adds to: ("value" | "quota" | "count", measure) or
("credited", component id)."""


@dataclass(frozen=True)
class Moves:
    """One plan's moves, sorted by variant: ``starts[v]:starts[v + 1]`` are variant v's."""

    local: Ints
    month: Ints
    slot: Ints
    weight: Floats
    starts: Ints
    slots: list[Slot]


@dataclass(frozen=True)
class Variants:
    """Every open deal's variants and their moves, per plan.

    Variant ``d`` is deal d's standing rows (taken out when it closes); variant
    ``deals + d * len(offsets) + k`` is deal d won on ``dates[d, k]``."""

    offsets: list[int]
    dates: npt.NDArray[np.datetime64]
    by_plan: dict[str, Moves]
    deals: int

    def standing(self, deal: Ints) -> Ints:
        return deal

    def won(self, deal: Ints, k: Ints) -> Ints:
        return self.deals + deal * len(self.offsets) + k

    @property
    def count(self) -> int:
        return self.deals * (1 + len(self.offsets))


def close_dates(expected: npt.NDArray[np.datetime64], offsets: list[int],
                as_of: np.datetime64) -> npt.NDArray[np.datetime64]:
    """Each deal's close date ``k`` months after its expected one (the same day, or the
    month's last), never on or before the as-of date: a (deals, offsets) array."""
    month = expected.astype("datetime64[M]")
    day = (expected - month.astype("datetime64[D]")).astype(np.int64)
    out = np.empty((len(expected), len(offsets)), dtype="datetime64[D]")
    for k, shift in enumerate(offsets):  # a dozen offsets at most
        start = (month + shift).astype("datetime64[D]")
        last = ((month + shift + 1).astype("datetime64[D]") - start).astype(np.int64) - 1
        out[:, k] = np.maximum(start + np.minimum(day, last), as_of + 1)
    return out


def variant_rows(deals: OpenDeals, layout: Variants, stages: Stages
                 ) -> tuple[pd.DataFrame, Ints]:
    """The deals table of every variant, and each row's variant (numbered as ``layout``
    numbers them)."""
    dates = layout.dates
    table = deals.actual.deals.frame
    standing = table.iloc[deals.standing]
    ids = standing["deal_id"].astype(str) + "\x1fopen"
    parts = [standing.assign(deal_id=ids.to_numpy(dtype=object))]
    variant = [layout.standing(deals.standing_deal)]
    base = deals.rows.assign(stage=stages.won)
    if "cancel_date" in base:
        base = base.assign(cancel_date=pd.Series(pd.NaT, index=base.index,
                                                 dtype=table["cancel_date"].dtype))
    for k in range(len(layout.offsets)):
        when = pd.to_datetime(dates[deals.deal, k]).astype(table["close_date"].dtype)
        parts.append(base.assign(close_date=when, deal_id=(
            base["deal_id"].astype(str) + f"\x1f{k}").to_numpy(dtype=object)))
        variant.append(layout.won(deals.deal, np.full(len(deals.deal), k)))
    frame = pd.concat(parts, ignore_index=True)
    frame["deal_id"] = frame["deal_id"].astype(table["deal_id"].dtype)
    return frame, np.concatenate(variant).astype(np.int64)


def _plan_moves(pf: PlanFrame, ctx: Context, variant: Ints, deals: int, count: int) -> Moves:
    locals_: list[Ints] = []
    slots_at: list[Ints] = []
    weights: list[Floats] = []
    slots: list[Slot] = []

    def add(slot: Slot, local: Ints, month: Ints, src: Ints, weight: Floats) -> None:
        v = variant[src]
        slots.append(slot)
        locals_.append(np.column_stack([v, local, month]))
        slots_at.append(np.full(len(v), len(slots) - 1, dtype=np.int64))
        weights.append(np.where(v < deals, -1.0, 1.0) * weight)

    for name, measure in pf.plan.measures.items():
        if measure.derived or measure.table != "deals":
            continue
        part = pf.credits.numbers(name)
        if part is None:
            continue
        local = pf.credits.local_of(part)
        month = part.columns["month"].astype(np.int64)
        src = part.columns["source_idx"].astype(np.int64)
        value = part.columns["credit_value"].astype(np.float64)
        add(("value", name), local, month, src, value)
        add(("count", name), local, month, src, np.ones(len(value)))
        if measure.clawback is not None and not measure.clawback.reduces_quota_credit:
            add(("quota", name), local, month, src, np.where(part.columns["clawback"], 0.0,
                                                               value))
    for comp in pf.plan.components:
        if paid_per_credit(comp) and pf.plan.measures[comp.measure].table == "deals":  # type: ignore[union-attr]
            c, each, _ = credit_earnings(ctx, comp)  # type: ignore[arg-type]
            add(("credited", comp.id), c["local"].to_numpy(dtype=np.int64),
                c["month"].to_numpy(dtype=np.int64), c["source_idx"].to_numpy(dtype=np.int64),
                each)
    if not slots:
        empty = np.zeros(0, dtype=np.int64)
        return Moves(empty, empty, empty, np.zeros(0), np.zeros(count + 1, np.int64), [])
    keys = np.concatenate(locals_)
    slot = np.concatenate(slots_at)
    weight = np.concatenate(weights)
    order = np.argsort(keys[:, 0], kind="stable")
    v = keys[order, 0]
    return Moves(keys[order, 1], keys[order, 2], slot[order], weight[order],
                 np.searchsorted(v, np.arange(count + 1)).astype(np.int64), slots)


def variants(plans: dict[str, Plan], deals: OpenDeals, seats: pd.DataFrame,
             calendar: Calendar, offsets: list[int], as_of: np.datetime64,
             stages: Stages) -> Variants:
    """Credit every variant of every open deal once; the moves per plan."""
    layout = Variants(offsets, close_dates(deals.expected, offsets, as_of), {}, deals.count)
    frame, variant = variant_rows(deals, layout, stages)
    inputs = dataclasses.replace(deals.actual, deals=dataclasses.replace(
        deals.actual.deals, frame=frame))
    credits, _ = build_credits(plans, inputs, seats, calendar)  # their exceptions: the run's
    for plan_id in sorted(set(seats["plan"])):
        pf = plan_frame(plans[plan_id], seats, credits, calendar)
        layout.by_plan[plan_id] = _plan_moves(pf, Context(pf, inputs, traced=False), variant,
                                              deals.count, layout.count)
    return layout
