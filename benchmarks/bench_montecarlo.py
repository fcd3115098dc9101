"""Monte Carlo benchmark: draws x payees through the plans; prints a table.

    python benchmarks/bench_montecarlo.py          # 10,000 draws x 1,000 payees
    python benchmarks/bench_montecarlo.py --tiny   # CI smoke size
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd
from bench_engine import PLANS, company

from compplan.engine import evaluate
from compplan.inputs import load_inputs
from compplan.loader import load_plans
from compplan.simulate import DrawSettings, monte_carlo


def measure(payees: int, draws: int, method: str) -> dict[str, float | str]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, frame in company(payees, payees * 100).items():
            frame.to_csv(folder / f"{name}.csv", index=False)
        inputs = load_inputs(folder / "roster.csv", folder / "deals.csv",
                             folder / "quotas.csv", folder / "accounts.csv")
        result = evaluate(load_plans(PLANS), inputs, 2026)
    start = time.perf_counter()
    table, _ = monte_carlo("baseline", result, DrawSettings(draws=draws, method=method))
    seconds = time.perf_counter() - start
    total = table[table["plan"] == "total"].iloc[0]
    return {"payees": payees, "draws": draws, "method": method, "seconds": seconds,
            "variable_p10": total["variable_p10"], "variable_p90": total["variable_p90"],
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="smoke size for CI")
    args = parser.parse_args()
    payees, draws = (40, 50) if args.tiny else (1000, 10_000)
    rows = [measure(payees, draws, m) for m in ("lognormal", "bootstrap")]
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:,.2f}"))


if __name__ == "__main__":
    main()
