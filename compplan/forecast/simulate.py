"""The forecast's two methods: a Monte Carlo of the open pipeline, and the run rate.

Monte Carlo: each draw closes every open deal won with its stage's win rate, in the
month its slippage puts it in (one uniform number each, from one seeded stream
consumed chunk after chunk: the same seed and draws give the same numbers), then pays
the year of every seat as the run would with those deals won
(:mod:`compplan.forecast.copies`). A deal that does not close won in a draw keeps its
row as exported. A draw whose deals are all certain (win rate 0 or 1, no slippage) is
the run of the deals table with those deals won, to the cent.

Run rate: each seat's months after the as-of month credited at the average rate of
its months through it (per day active, so a hire's first weeks and a leaver's last
are prorated), the open pipeline ignored; paid by the same code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

from compplan.engine.components import ComponentResult, Context
from compplan.engine.result import Evaluation
from compplan.forecast.copies import Added, Base, pay_copies, rows_of, scatter
from compplan.forecast.variants import Variants
from compplan.scenarios.monte_carlo import in_order, primary

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
CHUNK = 200
Draw = tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64]]


@dataclass(frozen=True)
class Settings:
    draws: int = 1000
    seed: int = 1


@dataclass
class PlanDraws:
    """One plan's draws: per draw and seat, year pay and attainment; per draw, sales;
    per seat, component and month, the mean pay (minor units) over the draws."""

    total: Floats
    variable: Floats
    attainment: Floats | None
    bookings: Floats
    mean_pay: Floats


@dataclass(frozen=True)
class Paid:
    """What paying a set of copies gives, per copy (year sums in the plan's units)."""

    total: Floats
    variable: Floats
    attainment: Floats | None
    bookings: Floats
    cents: Floats
    """(copies, components, 12) minor units."""


def paid(base: Base, results: list[ComponentResult], ctx: Context) -> Paid:
    scale = ctx.scale
    pf = base.result.frame
    cents = np.stack([r.cents for r in results], axis=1).astype(np.float64)
    year = cents.sum(axis=2) / scale
    variable = np.array([r.component.kind != "salary" for r in results])
    attainment = None
    if pf.plan.quotas:
        attainment = ctx.attainment(primary(pf), "year")[2][:, 0]
    sales = pf.plan.sales_measure()
    bookings = (ctx.pf.values[sales].sum(axis=1) if sales is not None
                else np.full(ctx.pf.size, np.nan))
    return Paid(year.sum(axis=1), year[:, variable].sum(axis=1), attainment, bookings, cents)


def draw_chunk(rng: np.random.Generator, win: Floats, cdf: Floats, draws: int
               ) -> tuple[npt.NDArray[np.bool_], Ints]:
    """Which deals close won in each draw of a chunk, and at which slippage offset."""
    won = rng.random((draws, len(win))) < win[None, :]
    k = np.searchsorted(cdf, rng.random((draws, len(win))), side="right")
    return won, np.minimum(k, len(cdf) - 1).astype(np.int64)


def pay_chunk(base: Base, result: Evaluation, var: Variants, plan_id: str,
              won: npt.NDArray[np.bool_], k: Ints) -> Paid:
    """Pay one plan's seats once per draw of the chunk, with the deals it closed."""
    n = base.result.frame.size
    draws = len(won)
    moves = var.by_plan[plan_id]
    draw, deal = np.nonzero(won)
    chosen = np.concatenate([var.standing(deal), var.won(deal, k[draw, deal])])
    block = np.concatenate([draw, draw]) * n
    pair, rows = rows_of(moves, chosen)
    added = scatter(moves, rows, block[pair] + moves.local[rows], draws * n)
    seats = np.tile(np.arange(n, dtype=np.int64), draws)
    results, ctx = pay_copies(base, result.inputs, seats, added)
    return paid(base, results, ctx)


def monte_carlo(result: Evaluation, bases: dict[str, Base], var: Variants, win: Floats,
                slip: dict[int, float], settings: Settings,
                progress: Callable[[int], None] | None = None,
                threads: int | None = None) -> dict[str, PlanDraws]:
    """Every plan's draws (see the module); ``bases``: :meth:`Base.of_run`."""
    probs = np.array([slip.get(k, 0.0) for k in var.offsets])
    cdf = np.cumsum(probs) / probs.sum()
    rng = np.random.default_rng([settings.seed, 25])
    plans = sorted(result.by_plan)
    sizes = {p: result.by_plan[p].frame.size for p in plans}
    parts: dict[str, list[Paid]] = {p: [] for p in plans}

    def work() -> Iterator[tuple[str, int, Draw]]:
        done = 0
        while done < settings.draws:
            size = min(CHUNK, settings.draws - done)
            drawn = draw_chunk(rng, win, cdf, size)  # in order, whatever the threads
            for plan_id in plans:
                yield plan_id, size, drawn
            done += size

    workers = threads or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        def submit(chunk: tuple[str, int, Draw]) -> Future[Paid]:
            plan_id, _, (won, k) = chunk
            return pool.submit(pay_chunk, bases[plan_id], result, var, plan_id, won, k)

        for plan_id, size, got in in_order(work(), submit, 2 * workers):  # type: ignore[arg-type]
            parts[plan_id].append(cast(Paid, got))
            if progress is not None and plan_id == plans[-1]:
                progress(size)
    return {plan_id: _joined(parts[plan_id], sizes[plan_id], settings.draws)
            for plan_id in plans}


def _joined(got: list[Paid], n: int, draws: int) -> PlanDraws:
    """A plan's chunks as one set of draws."""
    def stacked(values: list[Floats]) -> Floats:
        return np.concatenate(values).reshape(-1, n)

    att = [c.attainment for c in got if c.attainment is not None]
    mean = np.zeros_like(got[0].cents[:n])
    for c in got:
        mean += c.cents.reshape(-1, n, *c.cents.shape[1:]).sum(axis=0)
    return PlanDraws(stacked([c.total for c in got]), stacked([c.variable for c in got]),
                     stacked(att) if len(att) == len(got) else None,
                     np.concatenate([c.bookings.reshape(-1, n).sum(axis=1) for c in got]),
                     mean / draws)


def _projected(monthly: Floats, share: Floats, as_of_month: int) -> Floats:
    """What to add to months after the as-of month to credit them at the run rate."""
    past = share[:, : as_of_month + 1].sum(axis=1)
    rate = np.where(past > 0, monthly[:, : as_of_month + 1].sum(axis=1)
                    / np.where(past > 0, past, 1.0), 0.0)
    later = np.arange(12) > as_of_month
    return np.where(later[None, :], rate[:, None] * share - monthly, 0.0)


def run_rate(result: Evaluation, bases: dict[str, Base], as_of_month: int
             ) -> dict[str, Paid]:
    """Every plan's year at each seat's run rate through the as-of month."""
    out = {}
    for plan_id, base in bases.items():
        pf = base.result.frame
        share = pf.prorate["month"]

        def projected(monthly: Floats, share: Floats = share) -> Floats:
            return _projected(monthly, share, as_of_month)

        added: Added = {}
        for name, m in pf.plan.measures.items():
            if m.derived:
                continue
            added["value", name] = projected(pf.values[name])
            added["count", name] = projected(pf.counts[name])
            if pf.quota_values[name] is not pf.values[name]:
                added["quota", name] = projected(pf.quota_values[name])
        for cid, monthly in base.earned.items():
            added["credited", cid] = projected(monthly)
        results, ctx = pay_copies(base, result.inputs, np.arange(pf.size, dtype=np.int64),
                                  added)
        out[plan_id] = paid(base, results, ctx)
    return out
