"""Monte Carlo: many plan years drawn around the one that happened, paid by the plans.

Each draw gives every payee a multiplier on everything credited to them that year;
the plan's own components then pay the scaled year, month by month, with the same
code as a run (seats are replicated once per draw, so tiers, caps, true-ups, quarterly
curves and bonuses behave exactly as in the engine). Components paid per credit (rate
tables, SPIFFs, per-deal commissions) scale with the multiplier, as volume would.

Multipliers, selectable:

- ``lognormal``: per plan, ``sigma`` is the spread (standard deviation) of the log of
  its payees' year attainment (of the first quota measure; of the year's value for a
  plan without quota); each payee's multiplier is ``exp(sigma Z - sigma^2 / 2)``
  (mean 1). With no spread every draw is the year that happened.
- ``bootstrap``: each payee's year is rebuilt from 12 of its own active months drawn
  with replacement; the multiplier is the rebuilt year over the actual one.

Draws are processed in chunks, so memory stays bounded whatever their number; the
same seed gives the same numbers. Multipliers are drawn here, chunk after chunk from
one stream per plan; the chunks can be paid in this process or spread over a Dask
cluster (:func:`compplan.dask_engine.map_draws`), with the same numbers either way.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from compplan.core.money import to_cents, to_minor
from compplan.engine import reversals
from compplan.engine.components import (
    Context,
    earlier_clawbacks,
    evaluate_component,
    paid_per_credit,
    plan_caps,
    settled_last,
)
from compplan.engine.measures import PlanFrame
from compplan.engine.result import Evaluation, PlanResult
from compplan.inputs.bundle import Inputs
from compplan.schema import Commission

Floats = npt.NDArray[np.float64]
MC_COLUMNS = ["scenario", "plan", "draws", "total_mean", "total_p10", "total_p50", "total_p90",
              "variable_mean", "variable_p10", "variable_p50", "variable_p90",
              "cost_of_sales_mean", "cost_of_sales_p50", "share_at_quota_mean",
              "share_at_quota_p10", "share_at_quota_p90"]


@dataclass(frozen=True)
class DrawSettings:
    draws: int = 1000
    seed: int = 1
    method: str = "lognormal"
    chunk: int = 200


def primary(pf: PlanFrame) -> str:
    return next(iter(pf.plan.quotas), next(iter(pf.plan.measures)))


def spread(result: Evaluation, plan_id: str) -> float:
    """Sigma of log year attainment (or value) across the plan's payees."""
    pf = result.by_plan[plan_id].frame
    measure = primary(pf)
    if pf.plan.quotas:
        a = Context(pf, result.inputs).attainment(measure, "year")[2][:, 0]
    else:
        a = pf.values[measure].sum(axis=1)
    logs = np.log(a[np.isfinite(a) & (a > 0)])
    return float(logs.std(ddof=1)) if len(logs) > 1 else 0.0


def multipliers(result: Evaluation, plan_id: str, settings: DrawSettings,
                rng: np.random.Generator, draws: int, sigma: float | None = None) -> Floats:
    """A (draws, seats) array of multipliers for one chunk (``sigma``: the plan's
    :func:`spread`, found here when not given)."""
    pf = result.by_plan[plan_id].frame
    n = pf.size
    if settings.method == "lognormal":
        sigma = spread(result, plan_id) if sigma is None else sigma
        return np.exp(sigma * rng.standard_normal((draws, n)) - sigma**2 / 2)
    monthly = pf.values[primary(pf)]
    active = pf.prorate["month"] > 0
    k = active.sum(axis=1)
    order = np.argsort(~active, axis=1, kind="stable")  # active months first
    pick = (rng.random((draws, n, 12)) * np.maximum(k, 1)[None, :, None]).astype(np.int64)
    months = np.take_along_axis(np.broadcast_to(order, (draws, n, 12)), pick, axis=2)
    drawn = np.take_along_axis(np.broadcast_to(monthly, (draws, n, 12)), months, axis=2)
    rebuilt = drawn.sum(axis=2) * (k / 12.0)[None, :]
    actual = monthly.sum(axis=1)
    return np.where(actual > 0, rebuilt / np.where(actual > 0, actual, 1.0), 1.0)


class _Repeated(dict[str, Floats]):
    """A plan frame's (seats, 12) arrays repeated once per draw (and scaled by each
    draw's multipliers), each made when a component first reads it: most components
    read one measure and one proration of the dozen a frame holds."""

    def __init__(self, arrays: dict[str, Floats], draws: int, flat: Floats | None = None
                 ) -> None:
        super().__init__()
        self._arrays, self._draws, self._flat = arrays, draws, flat

    def __missing__(self, key: str) -> Floats:
        got = np.tile(self._arrays[key], (self._draws, 1))
        if self._flat is not None:
            got *= self._flat
        self[key] = got
        return got


def _replicate(pf: PlanFrame, mult: Floats) -> PlanFrame:
    """The plan frame with its seats repeated per draw and their measures scaled."""
    draws, n = mult.shape
    flat = mult.reshape(draws * n, 1)
    # one take per column (pd.concat of `draws` copies plans every block of every copy)
    seats = pf.seats.take(np.tile(np.arange(n), draws)).reset_index(drop=True)
    return replace(pf, seats=seats, credits=pf.credits.without_rows(),
                   prorate=_Repeated(pf.prorate, draws),
                   values=_Repeated(pf.values, draws, flat),
                   quota_values=_Repeated(pf.quota_values, draws, flat),
                   counts=_Repeated(pf.counts, draws))


def run_clawbacks(pr: PlanResult, inputs: Inputs) -> dict[str, reversals.CrossPeriod | None]:
    """Per commission, the run's clawbacks of earlier periods: draws scale measures and
    carry no credits, so they reverse these (see :mod:`compplan.engine.reversals`)."""
    run = Context(pr.frame, inputs)
    return {comp.id: earlier_clawbacks(run, comp) for comp in pr.frame.plan.components
            if isinstance(comp, Commission) and reversals.applies(pr.frame, comp)}


def plan_draws(pr: PlanResult, inputs: Inputs, mult: Floats,
               clawbacks: dict[str, reversals.CrossPeriod | None] | None = None,
               base: Context | None = None) -> dict[str, Floats]:
    """Per draw: total pay, variable pay, bookings, payees at quota, payees with a quota.

    ``clawbacks`` are :func:`run_clawbacks` (found here when not given: a plan frame
    shipped without its credits must be given them); ``base`` is the plan's own
    context, kept from chunk to chunk so that its quotas are computed once."""
    draws, n = mult.shape
    ctx = Context(_replicate(pr.frame, mult), inputs,
                  tiled_from=base or Context(pr.frame, inputs), traced=False)
    found = run_clawbacks(pr, inputs) if clawbacks is None else clawbacks
    ctx.cross.update({cid: c.replicate(mult) if c is not None else None
                      for cid, c in found.items()})
    total = np.zeros(draws)
    variable = np.zeros(draws)
    comps = pr.frame.plan.components
    cents: dict[int, np.ndarray] = {}
    for i, (comp, ran) in enumerate(zip(comps, pr.components, strict=True)):
        if settled_last(comp):
            continue  # measured against the others' pay, below
        if comp.kind == "salary":  # the same in every draw: no measure scales it
            cents[i] = np.tile(ran.cents, (draws, 1))
        elif paid_per_credit(comp):
            cents[i] = to_minor(np.tile(ran.cents, (draws, 1)) * mult.reshape(-1, 1), 0)
        else:
            cents[i] = evaluate_component(ctx, comp).cents
    plan_caps(ctx, cents)  # the plan's total caps, as the run applies them
    ctx.pay = {comps[i].id: c for i, c in cents.items()}
    for i, comp in enumerate(comps):
        if settled_last(comp):
            cents[i] = evaluate_component(ctx, comp).cents
    for i, comp in enumerate(comps):
        pay = cents[i].reshape(draws, n, 12).sum(axis=(1, 2)) / ctx.scale
        total += pay
        if comp.kind != "salary":
            variable += pay
    sales = pr.frame.plan.sales_measure()  # one definition with the summary's
    bookings = ((pr.frame.values[sales].sum(axis=1)[None, :] * mult).sum(axis=1)
                if sales is not None else np.full(draws, np.nan))
    reached = np.zeros(draws)
    counted = np.zeros(draws)
    if pr.frame.plan.quotas:
        _, quota, a = ctx.attainment(primary(pr.frame), "year")
        has = (quota[:, 0] > 0).reshape(draws, n)
        reached = ((np.nan_to_num(a[:, 0], nan=-1) >= 1.0).reshape(draws, n) & has).sum(axis=1)
        counted = has.sum(axis=1)
    return {"total": total, "variable": variable, "bookings": bookings,
            "reached": reached.astype(np.float64), "counted": counted.astype(np.float64)}


def _summary(name: str, plan: str, d: dict[str, Floats]) -> dict[str, object]:
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.where(d["bookings"] > 0, d["variable"] / d["bookings"], np.nan)
        share = np.where(d["counted"] > 0, d["reached"] / d["counted"], np.nan)
    def q(values: Floats, pct: float) -> float:
        return float(to_cents(np.percentile(values, pct)) / 100)

    def m(values: Floats) -> float:
        return float(to_cents(values.mean()) / 100)

    return {
        "scenario": name, "plan": plan, "draws": len(d["total"]),
        "total_mean": m(d["total"]), "total_p10": q(d["total"], 10),
        "total_p50": q(d["total"], 50), "total_p90": q(d["total"], 90),
        "variable_mean": m(d["variable"]), "variable_p10": q(d["variable"], 10),
        "variable_p50": q(d["variable"], 50), "variable_p90": q(d["variable"], 90),
        "cost_of_sales_mean": np.nanmean(cos) if np.isfinite(cos).any() else np.nan,
        "cost_of_sales_p50": np.nanpercentile(cos, 50) if np.isfinite(cos).any() else np.nan,
        "share_at_quota_mean": np.nanmean(share) if np.isfinite(share).any() else np.nan,
        "share_at_quota_p10": np.nanpercentile(share, 10) if np.isfinite(share).any() else np.nan,
        "share_at_quota_p90": np.nanpercentile(share, 90) if np.isfinite(share).any() else np.nan,
    }


Chunk = tuple[str, int, Floats]  # plan id, draws in the chunk, their multipliers
Evaluator = Callable[[Evaluation, Iterable[Chunk]], Iterator[tuple[str, int, dict[str, Floats]]]]


def chunks(result: Evaluation, settings: DrawSettings) -> Iterator[Chunk]:
    """The multipliers of every chunk of every plan, drawn in order."""
    plans = sorted(result.by_plan)
    # one stream per plan, consumed in order: the chunk size cannot change the numbers
    streams = {p: np.random.default_rng([settings.seed, i]) for i, p in enumerate(plans)}
    sigmas = {p: spread(result, p) if settings.method == "lognormal" else None for p in plans}
    done = 0
    while done < settings.draws:
        size = min(settings.chunk, settings.draws - done)
        for plan_id in plans:
            yield plan_id, size, multipliers(result, plan_id, settings, streams[plan_id], size,
                                             sigmas[plan_id])
        done += size


class _Pending(Protocol):
    def result(self) -> dict[str, Floats]: ...


Paid = Iterator[tuple[str, int, dict[str, Floats]]]


def in_order(work: Iterable[Chunk], submit: Callable[[Chunk], _Pending], limit: int) -> Paid:
    """Each chunk's draws in the order of the chunks, with at most ``limit`` chunks
    submitted and not yet handed back (on threads here, on a Dask cluster there), so
    memory stays bounded whatever the number of draws."""
    pending: deque[tuple[str, int, _Pending]] = deque()
    for chunk in work:
        pending.append((chunk[0], chunk[1], submit(chunk)))
        while len(pending) > limit:
            plan_id, size, future = pending.popleft()
            yield plan_id, size, future.result()
    while pending:
        plan_id, size, future = pending.popleft()
        yield plan_id, size, future.result()


def in_process(result: Evaluation, work: Iterable[Chunk], threads: int | None = None) -> Paid:
    """Pay the chunks here, on a thread per core, handed back in order.

    A chunk is whole-array numpy work that releases the GIL, so two chunks run side by
    side on two cores; at most two chunks a thread are in flight. Each plan's own
    context (its quotas) and its run's clawbacks are found once, before any chunk."""
    bases = {p: (Context(pr.frame, result.inputs), run_clawbacks(pr, result.inputs))
             for p, pr in result.by_plan.items()}
    workers = threads or os.cpu_count() or 1

    def pay(chunk: Chunk) -> dict[str, Floats]:
        plan_id, _, mult = chunk
        base, clawbacks = bases[plan_id]
        return plan_draws(result.by_plan[plan_id], result.inputs, mult, clawbacks, base)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from in_order(work, lambda chunk: pool.submit(pay, chunk), 2 * workers)


def monte_carlo(name: str, result: Evaluation, settings: DrawSettings,
                progress: Callable[[int], None] | None = None,
                evaluator: Evaluator = in_process) -> tuple[pd.DataFrame, Floats]:
    """Distribution summary per plan (in its currency) and for all plans when they share
    one currency; and the draws of variable pay."""
    plans = sorted(result.by_plan)
    keys = ("total", "variable", "bookings", "reached", "counted")
    per_plan: dict[str, dict[str, list[Floats]]] = {p: {k: [] for k in keys} for p in plans}
    for plan_id, size, values in evaluator(result, chunks(result, settings)):
        for key, drawn in values.items():
            per_plan[plan_id][key].append(drawn)
        if progress is not None and plan_id == plans[-1]:
            progress(size)
    rows = []
    totals = {k: np.zeros(settings.draws) for k in keys}
    for plan_id, parts in per_plan.items():
        joined = {k: np.concatenate(v) for k, v in parts.items()}
        rows.append(_summary(name, plan_id, joined))
        for k in keys:
            totals[k] += joined[k]
    if len({result.plans[p].currency for p in plans}) <= 1:  # never a sum of currencies
        rows.append(_summary(name, "total", totals))
    return pd.DataFrame(rows, columns=MC_COLUMNS), totals["variable"]
