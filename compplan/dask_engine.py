"""The same pipeline on a Dask cluster, for companies larger than one machine.

Nothing is computed differently here; only where. The input tables go to every
worker once. Credits are fanned out to every beneficiary (owner, SDR, managers above,
account owner) one measure per task, by :func:`compplan.engine.credits.measure_credits`;
each measure's credits are cut by beneficiary into partitions; each partition's
seats are evaluated by :func:`compplan.engine.pipeline.evaluate_plans`, the function the
in-process engine runs over all seats. A seat's pay depends on its own credits only,
so the payouts are the in-process engine's to the cent (a test runs both).

The client keeps the run's credits (for ``credits.csv`` and ``explain``) and puts the
partitions' component results back in seat order, so a :class:`Result` from here is
the same object the in-process engine returns.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from compplan.core.periods import Calendar
from compplan.engine.components import ComponentResult
from compplan.engine.credit_parts import CreditPart, CreditParts
from compplan.engine.credits import measure_credits, measures_of
from compplan.engine.exception_rows import labels_as_text, made
from compplan.engine.measures import plan_frame
from compplan.engine.people import People
from compplan.engine.pipeline import (
    assemble,
    evaluate_plans,
    input_exceptions,
    prepare,
)
from compplan.engine.result import Evaluation, PlanResult
from compplan.engine.reversals import CrossPeriod
from compplan.engine.sources import Sources
from compplan.errors import ClusterError
from compplan.inputs.bundle import Inputs
from compplan.result import Result
from compplan.scenarios.monte_carlo import (
    Chunk,
    Evaluator,
    in_order,
    plan_draws,
    run_clawbacks,
)
from compplan.schema import Plan

if TYPE_CHECKING:
    from dask.distributed import Client

# plan id -> (seat labels, the components' results, exceptions)
PartitionResult = dict[str, tuple[np.ndarray, list[ComponentResult], list[pd.DataFrame]]]


@contextmanager
def connect(scheduler: str | None = None, workers: int | None = None,
            timeout: float = 30) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler`` (``tcp://host:8786``), or of a local
    cluster of ``workers`` processes (one per core) when none is given."""
    try:
        from dask.distributed import Client, LocalCluster  # noqa: PLC0415 - optional engine
    except ImportError:
        raise ClusterError("the dask engine needs dask and distributed: "
                           "pip install 'compplan[dask]'") from None
    if scheduler:
        try:
            client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        with client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def fan_out(plan: Plan, name: str, seats: pd.DataFrame, inputs: Inputs,
            year: int) -> tuple[CreditPart, list[pd.DataFrame]]:
    """One measure's credits, on a worker: numbers only travel (no labels, no deal ids:
    the client labels the credits from its own copy of the tables when they are read)."""
    sources = Sources(inputs, People.from_inputs(inputs))
    part, excs = measure_credits(plan, name, seats, sources, Calendar(year))
    return part, [_plain_deal_ids(made(e)) for e in excs]


def _plain_deal_ids(excs: pd.DataFrame) -> pd.DataFrame:
    """Exceptions with their deal ids as text: only the ids they name travel."""
    ids = excs["deal_id"].array if "deal_id" in excs else None
    if not isinstance(ids, pd.Categorical):
        return excs
    return excs.assign(deal_id=labels_as_text(ids))


def partition_of(payee_codes: np.ndarray, partitions: int) -> np.ndarray:
    """The partition of each payee, by roster position: all seats and credits of a payee
    fall in one partition."""
    return np.asarray(payee_codes, dtype=np.int64) % partitions


def split(done: tuple[CreditPart, list[pd.DataFrame]], partitions: int) -> list[CreditPart]:
    """A measure's credits cut by beneficiary."""
    part = done[0]
    which = partition_of(part.columns["code"], partitions)
    return [part.rows(which == k) for k in range(partitions)]


def evaluate_partition(plans: dict[str, Plan], seats: pd.DataFrame, k: int, partitions: int,
                       pieces: list[CreditPart], inputs: Inputs, year: int) -> PartitionResult:
    """The components of one partition's seats, on a worker: only their numbers travel
    back (the client has the credits and rebuilds the plan frames)."""
    people = People.from_inputs(inputs)
    codes = people.codes(seats["payee_id"].to_numpy())
    mine = seats[partition_of(codes, partitions) == k]
    credits = CreditParts(pieces, inputs, people.ids)
    by_plan = evaluate_plans(plans, mine, credits, inputs, Calendar(year))
    return {plan_id: (pr.frame.seats["seat"].to_numpy(),
                      pr.components, pr.exceptions)
            for plan_id, pr in by_plan.items()}


def merge(plans: dict[str, Plan], seats: pd.DataFrame, credits: CreditParts,
          calendar: Calendar, done: list[PartitionResult]) -> dict[str, PlanResult]:
    """Whole-plan results from the partitions', rows put back in seat order."""
    by_plan: dict[str, PlanResult] = {}
    for plan_id in sorted(set(seats["plan"])):
        pf = plan_frame(plans[plan_id], seats, credits, calendar)
        parts = [d[plan_id] for d in done if plan_id in d]
        order = pd.Index(np.concatenate([p[0] for p in parts])).get_indexer(
            pf.seats["seat"].to_numpy())
        components = []
        for i, first in enumerate(parts[0][1]):
            cents = np.concatenate([p[1][i].cents for p in parts])[order]
            trace = {key: np.concatenate([np.asarray(p[1][i].trace[key]) for p in parts])[order]
                     for key in first.trace}
            components.append(ComponentResult(first.component, cents, first.period, trace))
        excs = [e for p in parts for e in p[2]]
        by_plan[plan_id] = PlanResult(pf, components, excs)
    return by_plan


def evaluate_dask(plans: dict[str, Plan], inputs: Inputs, year: int, client: Client,
                  partitions: int | None = None) -> Result:
    """Evaluate every plan for every seat of the year on a Dask cluster.

    Errors of the inputs are raised as in process (by :func:`prepare`, before any task);
    a cluster that loses its workers or its connection is a :class:`ClusterError`.
    """
    from distributed import KilledWorker  # noqa: PLC0415 - an optional engine
    from distributed.comm.core import CommClosedError  # noqa: PLC0415

    try:
        return Result.of(_evaluate_dask(plans, inputs, year, client, partitions))
    except (KilledWorker, CommClosedError, TimeoutError) as exc:
        raise ClusterError(f"the Dask cluster failed: {type(exc).__name__}: {exc}") from None


def _evaluate_dask(plans: dict[str, Plan], inputs: Inputs, year: int, client: Client,
                   partitions: int | None) -> Evaluation:
    calendar, seats = prepare(plans, inputs, year)
    k = partitions or max(1, 2 * len(client.scheduler_info()["workers"]))
    inputs_f, seats_f, plans_f = client.scatter([inputs, seats, plans], broadcast=True)
    fanned = [client.submit(fan_out, plan, name, seats_f, inputs_f, year, pure=False)
              for plan, name in measures_of(plans, seats)]
    cuts = [client.submit(split, f, k, pure=False) for f in fanned]
    evaluated = [client.submit(evaluate_partition, plans_f, seats_f, i, k,
                               [client.submit(operator.getitem, c, i, pure=False) for c in cuts],
                               inputs_f, year, pure=False)
                 for i in range(k)]
    parts = client.gather(fanned)
    credits = CreditParts([part for part, _ in parts], inputs,
                          People.from_inputs(inputs).ids)
    excs = [e for _, more in parts for e in more] + input_exceptions(inputs, plans, seats,
                                                                   calendar)
    by_plan = merge(plans, seats, credits, calendar, client.gather(evaluated))
    return assemble(plans, inputs, calendar, seats, credits, excs, by_plan)


Clawbacks = dict[str, CrossPeriod | None]


def _draw_chunk(bases: dict[str, tuple[PlanResult, Clawbacks]], inputs: Inputs,
                plan_id: str, mult: np.ndarray) -> dict[str, np.ndarray]:
    base, clawbacks = bases[plan_id]
    return plan_draws(base, inputs, mult, clawbacks)


def map_draws(client: Client, window: int | None = None) -> Evaluator:
    """A Monte Carlo evaluator that pays the chunks on the cluster, in order.

    Each plan's frame (without its credits: draws scale measures, not credits, but with
    the run's clawbacks of earlier periods, which they reverse) and the inputs go to
    every worker once; at most ``window`` chunks (default 8 a worker) are
    in flight, so the client's memory stays bounded as it is in process.
    """
    def evaluate(result: Evaluation, work: Iterable[Chunk]
                 ) -> Iterator[tuple[str, int, dict[str, np.ndarray]]]:
        bases = {p: (replace(pr, frame=replace(pr.frame, credits=pr.frame.credits.without_rows())),
                     run_clawbacks(pr, result.inputs)) for p, pr in result.by_plan.items()}
        bases_f, inputs_f = client.scatter([bases, result.inputs], broadcast=True)
        limit = window or 8 * max(1, len(client.scheduler_info()["workers"]))
        yield from in_order(work, lambda chunk: client.submit(
            _draw_chunk, bases_f, inputs_f, chunk[0], chunk[2], pure=False), limit)

    return evaluate
