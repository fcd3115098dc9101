"""results.xlsx benchmark: write time and peak memory for a large run; prints a table.

    python benchmarks/bench_excel.py              # ~120,000 payout lines, ~1,000,000 credits
    python benchmarks/bench_excel.py --tiny       # CI smoke size

Peak memory is the process's maximum resident set size, read after the engine ran and
again after the workbook was written (the difference is what writing added).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd
from bench_engine import PLANS, company

from compplan.excel.results import write_results
from compplan.inputs.bundle import load_inputs
from compplan.plan.load import load_plans
from compplan.result import evaluate


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(payees: int, lines: int, folder: Path) -> dict[str, float]:
    for name, frame in company(payees, lines).items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    inputs = load_inputs(folder / "roster.csv", folder / "deals.csv", folder / "quotas.csv",
                         folder / "accounts.csv")
    result = evaluate(load_plans(PLANS), inputs, 2026)
    before = _rss_mib()
    start = time.perf_counter()
    write_results(result, folder / "results.xlsx")
    seconds = time.perf_counter() - start
    return {"payees": payees, "payout_lines": len(result.lines),
            "credit_lines": len(result.credit_rows), "write_s": seconds,
            "rss_before_mib": before, "rss_peak_mib": _rss_mib(),
            "file_mib": (folder / "results.xlsx").stat().st_size / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="smoke size for CI")
    args = parser.parse_args()
    payees, lines = (40, 2000) if args.tiny else (4000, 490_000)
    with tempfile.TemporaryDirectory() as tmp:
        row = measure(payees, lines, Path(tmp))
    print(pd.DataFrame([row]).to_string(index=False, float_format=lambda v: f"{v:.1f}"))


if __name__ == "__main__":
    main()
