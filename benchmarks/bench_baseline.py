"""The engine against a per-deal, per-payee Python script of the reference plans.

    python benchmarks/bench_baseline.py            # 200,000 deal lines, 1,000 payees
    python benchmarks/bench_baseline.py --tiny     # CI smoke size

Both pay the same synthetic company (its payees on the five reference plans) from the
same tables in memory; loading is not timed for either. ``scan_s`` is the script that
sums each payee's rows by scanning the deal table (a SUMIFS per payee), ``indexed_s``
the one that credits every row in one pass through dictionaries; ``_x`` columns are
their times over the engine's. The run fails unless both give every payout line
identical to the cent. ``floor_s`` is one ``numpy.bincount`` of the
engine's credit amounts by payee and month: no engine can credit faster than it sums.
"""

from __future__ import annotations

import argparse
import resource
import time

import pandas as pd
from baseline import baseline_payouts
from bench_engine import PLANS, floor_seconds

from compplan.api import inputs_from_frames
from compplan.inputs.synth import Size, make
from compplan.plan.load import load_plans
from compplan.result import Result, evaluate

REFERENCE = ("ae-2026", "sdr-2026", "mgr-2026", "kam-2026", "partner-2026")


def engine_cents(result: Result) -> dict[tuple[str, str, str], int]:
    lines = result.lines.groupby(["payee_id", "period", "component"], observed=True)[
        "cents"].sum()
    return {k: int(v) for k, v in lines.items() if v != 0}


def measure(payees: int, lines: int) -> dict[str, object]:
    company = make(Size(payees, lines, seed=1))
    roster = company.roster[company.roster["plan"].isin(REFERENCE)].reset_index(drop=True)
    plans = {k: v for k, v in load_plans(PLANS).items() if k in REFERENCE}
    inputs = inputs_from_frames(roster, company.deals, company.quotas, company.accounts)
    records = [frame.to_dict("records") for frame in
               (roster, company.deals, company.quotas, company.accounts)]
    start = time.perf_counter()
    result = evaluate(plans, inputs, 2026)
    engine_s = time.perf_counter() - start
    got = engine_cents(result)
    row: dict[str, object] = {"payees": len(roster), "deal_lines": len(company.deals),
                              "credits": len(result.credit_rows), "payout_lines": len(got),
                              "engine_s": engine_s}
    for how in ("scan", "indexed"):
        start = time.perf_counter()
        expected = baseline_payouts(*records, 2026, how=how)
        row[f"{how}_s"] = seconds = time.perf_counter() - start
        differ = sum(got.get(k, 0) != expected.get(k, 0) for k in set(got) | set(expected))
        if differ:
            raise SystemExit(f"{differ} payout lines differ between the engine and the "
                             f"{how} baseline")
        row[f"{how}_x"] = seconds / engine_s
    row["lines_differ"] = 0
    row["floor_s"] = floor = floor_seconds(result)
    row["engine_over_floor"] = engine_s / floor
    row["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="smoke size for CI")
    args = parser.parse_args()
    payees, lines = (60, 3000) if args.tiny else (1000, 200_000)
    row = measure(payees, lines)
    print(pd.DataFrame([row]).to_string(index=False, float_format=lambda v: f"{v:,.3f}"))


if __name__ == "__main__":
    main()
