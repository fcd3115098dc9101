"""Monte Carlo benchmark: draws x payees through the plans; prints a table.

    python benchmarks/bench_montecarlo.py          # 10,000 draws x 1,000 payees
    python benchmarks/bench_montecarlo.py --tiny   # CI smoke size

Each method runs in this process and on a local Dask cluster of two worker processes
(``simulate --engine dask``); both must give the same table, to the last digit.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from bench_engine import PLANS, company

from compplan.dask_engine import connect, map_draws
from compplan.inputs.bundle import load_inputs
from compplan.plan.load import load_plans
from compplan.result import Result, evaluate
from compplan.scenarios.monte_carlo import DrawSettings, monte_carlo


def baseline(payees: int) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, frame in company(payees, payees * 100).items():
            frame.to_csv(folder / f"{name}.csv", index=False)
        inputs = load_inputs(folder / "roster.csv", folder / "deals.csv",
                             folder / "quotas.csv", folder / "accounts.csv")
        return evaluate(load_plans(PLANS), inputs, 2026)


def measure(result: Result, draws: int, method: str, engine: str,
            client: Any = None) -> tuple[dict[str, float | str], pd.DataFrame]:
    start = time.perf_counter()
    settings = DrawSettings(draws=draws, method=method)
    table, _ = (monte_carlo("baseline", result, settings) if client is None else
                monte_carlo("baseline", result, settings, evaluator=map_draws(client)))
    seconds = time.perf_counter() - start
    total = table[table["plan"] == "total"].iloc[0]
    return {"payees": len(result.seats), "draws": draws, "method": method, "engine": engine,
            "seconds": seconds, "variable_p10": total["variable_p10"],
            "variable_p90": total["variable_p90"],
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="smoke size for CI")
    args = parser.parse_args()
    payees, draws = (40, 50) if args.tiny else (1000, 10_000)
    result = baseline(payees)
    rows = []
    with connect(workers=2) as client:
        for method in ("lognormal", "bootstrap"):
            here, table_here = measure(result, draws, method, "memory")
            there, table_there = measure(result, draws, method, "dask", client)
            if not table_here.equals(table_there):
                raise SystemExit(f"{method}: the Dask draws differ from the in-process ones")
            rows += [here, there]
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:,.2f}"))


if __name__ == "__main__":
    main()
