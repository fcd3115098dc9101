"""Commission accounting benchmark: allocate, amortize, journal and roll-forward for a
large run; prints a table.

    python benchmarks/bench_accounting.py          # 4,000 payees, 490,000 deal lines
    python benchmarks/bench_accounting.py --tiny   # CI smoke size

Peak memory is the process's maximum resident set size after the books were made.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd
from bench_engine import PLANS, company

from compplan.accounting.allocate import allocate
from compplan.accounting.amortize import build_schedule
from compplan.accounting.files import Books, write_books
from compplan.accounting.journal import journal, rollforward
from compplan.accounting.policy import load_policy
from compplan.inputs.bundle import load_inputs
from compplan.plan.load import load_plans
from compplan.result import evaluate

POLICY = Path(__file__).resolve().parent.parent / "policies" / "accounting.yaml"


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(payees: int, lines: int, folder: Path) -> dict[str, float]:
    for name, frame in company(payees, lines).items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    inputs = load_inputs(folder / "roster.csv", folder / "deals.csv", folder / "quotas.csv",
                         folder / "accounts.csv")
    plans = load_plans(PLANS)
    result = evaluate(plans, inputs, 2026)
    policy = load_policy(POLICY, plans)
    before = _rss_mib()
    laps = {}
    start = time.perf_counter()
    allocated = allocate(result, policy)
    laps["allocate_s"] = time.perf_counter() - start
    start = time.perf_counter()
    schedule = build_schedule(result, policy, allocated)
    laps["amortize_s"] = time.perf_counter() - start
    start = time.perf_counter()
    roll = rollforward(schedule, policy, 2026)
    books = Books(policy, 2026, allocated, schedule, journal(schedule, policy, 2026, roll),
                  roll)
    laps["journal_s"] = time.perf_counter() - start
    start = time.perf_counter()
    write_books(books, folder / "out")
    laps["write_s"] = time.perf_counter() - start
    return {"payees": payees, "deal_lines": lines, "allocations": len(allocated.rows),
            "assets": len(schedule.assets), "months": len(schedule.months),
            "journal_rows": len(books.journal), **laps,
            "rss_before_mib": before, "rss_peak_mib": _rss_mib()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="smoke size for CI")
    args = parser.parse_args()
    payees, lines = (40, 2000) if args.tiny else (4000, 490_000)
    with tempfile.TemporaryDirectory() as tmp:
        row = measure(payees, lines, Path(tmp))
    print(pd.DataFrame([row]).to_string(index=False,
                                        float_format=lambda v: f"{v:.2f}"))


if __name__ == "__main__":
    main()
