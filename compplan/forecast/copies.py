"""Seats copied from the run, with more credited to them, paid by the plan's own code.

A copy is a seat of the run (its dates, salary, target, quotas) whose measure arrays
are the run's plus what some deals' closing adds (:mod:`compplan.forecast.variants`).
Seats are paid each on their own, so a plan frame of copies (a seat once per draw, or
once per deal that moves it) is paid by :func:`compplan.engine.components.evaluate_plan`
exactly as the run would pay each copy's year.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from compplan.core.ranges import expand
from compplan.engine import reversals
from compplan.engine.components import (
    ComponentResult,
    Context,
    credited,
    evaluate_plan,
    paid_per_credit,
)
from compplan.engine.measures import Floats, PlanFrame, derive
from compplan.engine.result import Evaluation, PlanResult
from compplan.forecast.variants import Moves, Slot
from compplan.inputs.bundle import Inputs
from compplan.scenarios.monte_carlo import run_clawbacks

Ints = npt.NDArray[np.int64]
Added = dict[Slot, Floats]


@dataclass(frozen=True)
class Base:
    """One plan of the run, with what its copies share: its context (quotas computed
    once), its clawbacks of earlier periods, and what its per-credit components' credits
    earn per seat and month."""

    result: PlanResult
    context: Context
    cross: dict[str, reversals.CrossPeriod | None]
    earned: dict[str, Floats]

    @classmethod
    def of(cls, result: PlanResult, inputs: Inputs) -> Base:
        ctx = Context(result.frame, inputs)
        earned = {c.id: credited(ctx, c)[0]  # type: ignore[arg-type]
                  for c in result.frame.plan.components if paid_per_credit(c)}
        return cls(result, ctx, run_clawbacks(result, inputs), earned)

    @classmethod
    def of_run(cls, result: Evaluation) -> dict[str, Base]:
        """Every plan's base, found once for all the forecast's methods."""
        return {p: cls.of(pr, result.inputs) for p, pr in result.by_plan.items()}


def rows_of(moves: Moves, variants: Ints) -> tuple[Ints, Ints]:
    """The moves of each of ``variants``: which of them each row is of, and the rows."""
    starts = moves.starts[variants]
    return expand(starts, moves.starts[variants + 1] - starts)


def scatter(moves: Moves, rows: Ints, copy: Ints, size: int) -> Added:
    """Add up the moves ``rows``, each into its ``copy``, as (size, 12) arrays per slot."""
    flat = copy * 12 + moves.month[rows]
    slot = moves.slot[rows]
    weight = moves.weight[rows]
    out: Added = {}
    for s in np.unique(slot):
        keep = slot == s
        out[moves.slots[int(s)]] = np.asarray(np.bincount(
            flat[keep], weights=weight[keep], minlength=size * 12).reshape(size, 12),
            dtype=np.float64)
    return out


def copies_frame(pf: PlanFrame, seats: Ints, added: Added) -> PlanFrame:
    """The plan frame of the copies: each copied seat's arrays plus what is added."""
    def grown(kind: str, arrays: dict[str, Floats], name: str) -> Floats:
        got = arrays[name][seats]
        extra = added.get((kind, name))
        return got + extra if extra is not None else got

    values, quota_values, counts = {}, {}, {}
    for name, m in pf.plan.measures.items():
        if m.derived:
            continue
        values[name] = grown("value", pf.values, name)
        counts[name] = grown("count", pf.counts, name)
        quota_values[name] = (grown("quota", pf.quota_values, name)
                              if pf.quota_values[name] is not pf.values[name] else values[name])
    for name, m in pf.plan.measures.items():
        if m.derived:
            values[name] = derive(pf.plan, name, lambda leaf: values[leaf])
            quota_values[name] = derive(pf.plan, name, lambda leaf: quota_values[leaf])
            counts[name] = np.zeros((len(seats), 12))
    return replace(pf, seats=pf.seats.take(seats).reset_index(drop=True),
                   credits=pf.credits.without_rows(),
                   prorate={k: v[seats] for k, v in pf.prorate.items()},
                   values=values, quota_values=quota_values, counts=counts)


def pay_copies(base: Base, inputs: Inputs, seats: Ints, added: Added
               ) -> tuple[list[ComponentResult], Context]:
    """Every component's pay for the copies of ``seats`` with ``added`` credited."""
    frame = copies_frame(base.result.frame, seats, added)
    n = base.result.frame.size
    earned = {cid: base.earned[cid][seats] + added.get(("credited", cid), 0.0)
              for cid in base.earned}
    ctx = Context(frame, inputs, tiled_from=base.context, taken=seats, traced=False,
                  credited=earned,
                  cross={cid: c.take(seats, n) if c is not None else None
                         for cid, c in base.cross.items()})
    return evaluate_plan(ctx), ctx
