"""Quota planning benchmark: build and solve time and peak memory; prints a table.

    python benchmarks/bench_quotas.py            # 1,000 and 5,000 territories x 12 months
    python benchmarks/bench_quotas.py --tiny     # CI smoke size
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from compplan.inputs.ingest import table_from_frame
from compplan.quotas.allocate import allocate, ramp_fractions
from compplan.quotas.model import bounds, build, check_feasible
from compplan.quotas.params import QuotaParams
from compplan.quotas.seasonality import shares
from compplan.quotas.solve import solve
from compplan.quotas.territories import prepare


def territories(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    last = np.round(rng.lognormal(13.5, 0.5, n), -2)
    return pd.DataFrame({
        "territory_id": [f"T{i:05d}" for i in range(n)],
        "payee_id": [f"P{i:05d}" for i in range(n)],
        "potential": np.round(last * rng.uniform(1.5, 4.0, n), -2), "last_year": last,
        "start_date": np.where(rng.random(n) < 0.1, "2026-04-01", "")})


def measure(n: int, solver: str) -> dict[str, float | str]:
    frame = territories(n)
    terr = prepare(table_from_frame(frame, "territories"), None)
    target = float(frame["last_year"].sum()) * 1.1
    params = QuotaParams(target=target, over_assignment=0.05, solver=solver)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    b = bounds(terr, params)
    check_feasible(b, terr)
    prob, quota = build(b, terr.frame["territory_id"].to_numpy(dtype=str))
    t1 = time.perf_counter()
    solution = solve(prob, quota, params.solver, params.time_limit)
    t2 = time.perf_counter()
    season, _ = shares("flat", terr.frame["territory_id"], None)
    ramp = ramp_fractions(pd.to_datetime(terr.frame["start_date"]), params.year, params.ramp)
    alloc = allocate(solution.values, terr.fixed, b.total, season, ramp, params.round_to,
                     params.month_round_to, params.ramp_redistribute)
    t3 = time.perf_counter()
    return {"territories": n, "solver": solution.solver, "build_s": t1 - t0,
            "solve_s": t2 - t1, "round_s": t3 - t2,
            "sum_ok": str(bool(alloc.annual.sum() == round(b.total / 1000) * 1000)),
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="smoke size for CI")
    args = parser.parse_args()
    sizes = [20] if args.tiny else [1000, 5000]
    rows = [measure(n, s) for n in sizes for s in (["highs"] if args.tiny else ["highs", "cbc"])]
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.2f}"))


if __name__ == "__main__":
    main()
