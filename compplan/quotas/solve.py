"""Solve the quota LP with HiGHS (highspy), falling back to CBC; typed results."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pulp

from compplan.errors import InfeasibleError


@dataclass(frozen=True)
class Solution:
    """An optimal solution, and how it was reached."""

    values: npt.NDArray[np.float64]
    objective: float
    status: str
    solver: str
    seconds: float


def _solver(name: str, time_limit: float) -> pulp.LpSolver:
    if name == "highs":
        return pulp.HiGHS(msg=False, timeLimit=time_limit)
    return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)


@contextmanager
def _banner_to_stderr() -> Iterator[None]:
    """HiGHS prints its banner from C to file descriptor 1 whatever ``msg`` says: send
    the descriptor to stderr while it solves, so stdout holds only what compplan says
    (and ``--json`` stays one JSON object)."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no descriptor 1 (an embedded interpreter): nothing to guard
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def solve(prob: pulp.LpProblem, quota: list[pulp.LpVariable], prefer: str,
          time_limit: float) -> Solution:
    """Solve; an infeasible, unbounded or timed-out solve is an error, never a result."""
    order = [prefer, "cbc" if prefer == "highs" else "highs"]
    failures = []
    for name in order:
        start = time.perf_counter()
        try:
            with _banner_to_stderr():
                prob.solve(_solver(name, time_limit))
        except (pulp.PulpSolverError, OSError, ImportError) as exc:
            failures.append(f"{name}: {exc}")
            continue
        seconds = time.perf_counter() - start
        status = pulp.LpStatus[prob.status]
        if status == "Optimal":
            values = np.array([q.varValue for q in quota], dtype=np.float64)
            return Solution(values, float(pulp.value(prob.objective) or 0.0), status, name,
                            seconds)
        if seconds >= time_limit * 0.98:
            raise InfeasibleError(f"the {name} solver hit the time limit of {time_limit:g} s "
                                  "without an optimal plan; raise --time-limit")
        raise InfeasibleError(f"the {name} solver found no optimal plan (status: {status})")
    raise InfeasibleError("no LP solver could run: " + "; ".join(failures))
