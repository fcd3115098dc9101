"""Engine benchmark: load, evaluate and write at several sizes; prints a table.

    python benchmarks/bench_engine.py                 # 1,000 payees x 100k and 500k lines
    python benchmarks/bench_engine.py --tiny          # CI smoke size

Peak memory is the process's maximum resident set size (ru_maxrss) after each size.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd

from compplan.engine import evaluate
from compplan.inputs import load_inputs
from compplan.loader import load_plans
from compplan.outputs import run_writers, write_atomically
from compplan.synth import Size, make

PLANS = Path(__file__).resolve().parent.parent / "plans"


def company(payees: int, lines: int, seed: int = 1) -> dict[str, pd.DataFrame]:
    """The synthetic company of ``compplan synth`` at a size, as frames by table name."""
    made = make(Size(payees, lines, seed=seed))
    return {"roster": made.roster, "deals": made.deals, "accounts": made.accounts,
            "quotas": made.quotas}


def measure(payees: int, lines: int, folder: Path) -> dict[str, float]:
    tables = company(payees, lines)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    plans = load_plans(PLANS)
    t0 = time.perf_counter()
    inputs = load_inputs(folder / "roster.csv", folder / "deals.csv", folder / "quotas.csv",
                         folder / "accounts.csv")
    t1 = time.perf_counter()
    result = evaluate(plans, inputs, 2026)
    t2 = time.perf_counter()
    write_atomically(folder / "out", run_writers(result, excel=False))  # see bench_excel
    t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"payees": payees, "lines": lines, "credits": len(result.credits),
            "load_s": t1 - t0, "engine_s": t2 - t1, "write_s": t3 - t2, "peak_mib": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="smoke size for CI")
    args = parser.parse_args()
    sizes = [(40, 2000)] if args.tiny else [(1000, 100_000), (1000, 500_000)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for payees, lines in sizes:
            rows.append(measure(payees, lines, Path(tmp)))
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.2f}"))


if __name__ == "__main__":
    main()
