"""The engine against the same plans in SQL (DuckDB), on the same data, to the cent.

    python benchmarks/bench_peers.py                 # 200,000, 1,000,000, 2,700,000 lines
    python benchmarks/bench_peers.py --full          # and 5,000,000
    python benchmarks/bench_peers.py --tiny          # CI smoke size

For each size: a synthetic company (payees on the five reference plans), loaded once
into the engine's typed inputs and into DuckDB tables (loading is not timed for either);
then the engine (``evaluate``) and the SQL of ``peers_sql.py`` run once each (first
runs, shown apart: see :func:`measure`), then alternately five times each, and the
medians are compared. The run fails unless both give every payout
line identical to the cent. ``ratio`` is engine / DuckDB (the goal is <= 1); the last
line fits each one's time to ``lines ** k`` (the goal: the engine no worse than linear).
``floor_s`` is one ``numpy.bincount`` of the engine's credits by payee and month.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

import duckdb
import numpy as np
import pandas as pd
from bench_baseline import REFERENCE, engine_cents
from bench_engine import PLANS, floor_seconds
from peers_sql import load, pay

from compplan.api import inputs_from_frames
from compplan.inputs.synth import Size, make
from compplan.plan.load import load_plans
from compplan.result import evaluate

REPEATS = 5


def measure(lines: int) -> dict[str, object]:
    """One size: first runs, then medians of alternating runs, after checking both pay
    the same.

    The engine's first evaluation of freshly loaded inputs factorizes their text
    columns (deal ids, owners), as every ``compplan run`` does; DuckDB does the same
    work while loading its tables, which is not timed. So the first runs are shown on
    their own and the ratio is taken on the runs after them. Each result is dropped
    before the next run, so no run pays for the memory of the one before.
    """
    payees = min(10_000, max(60, lines // 270))
    company = make(Size(payees, lines, seed=1))
    roster = company.roster[company.roster["plan"].isin(REFERENCE)].reset_index(drop=True)
    plans = {k: v for k, v in load_plans(PLANS).items() if k in REFERENCE}
    inputs = inputs_from_frames(roster, company.deals, company.quotas, company.accounts)
    con = duckdb.connect()
    load(con, roster, company.deals, company.quotas, company.accounts)
    start = time.perf_counter()
    result = evaluate(plans, inputs, 2026)
    engine_first = time.perf_counter() - start
    start = time.perf_counter()
    sql = pay(con, 2026)
    sql_first = time.perf_counter() - start
    got = engine_cents(result)
    differ = sum(got.get(k, 0) != sql.get(k, 0) for k in set(got) | set(sql))
    if differ:
        raise SystemExit(f"{differ} payout lines differ between the engine and DuckDB "
                         f"at {lines:,} deal lines")
    credits, floor = len(result.credit_parts), floor_seconds(result)
    del result
    engine_s, sql_s = [], []
    for _ in range(REPEATS):
        start = time.perf_counter()
        again = evaluate(plans, inputs, 2026)
        engine_s.append(time.perf_counter() - start)
        if engine_cents(again) != got:
            raise SystemExit(f"a repeated run paid differently at {lines:,} deal lines")
        del again
        start = time.perf_counter()
        pay(con, 2026)
        sql_s.append(time.perf_counter() - start)
    engine, peer = statistics.median(engine_s), statistics.median(sql_s)
    return {"payees": len(roster), "deal_lines": lines, "credits": credits,
            "payout_lines": len(got), "lines_differ": 0, "engine_first_s": engine_first,
            "duckdb_first_s": sql_first, "engine_s": engine, "duckdb_s": peer,
            "ratio": engine / peer, "floor_s": floor,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def exponent(rows: list[dict[str, object]], key: str) -> float:
    """k of a least-squares fit of time ~ lines ** k (log-log)."""
    x = np.log([float(str(r["deal_lines"])) for r in rows])
    y = np.log([float(str(r[key])) for r in rows])
    return float(np.polyfit(x, y, 1)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="smoke size for CI")
    parser.add_argument("--full", action="store_true", help="also 5,000,000 deal lines")
    args = parser.parse_args()
    sizes = ([3000, 6000] if args.tiny else
             [200_000, 1_000_000, 2_700_000, *([5_000_000] if args.full else [])])
    rows = [measure(n) for n in sizes]
    print(f"load: {os.getloadavg()[0]:.2f} (1-minute average, 2 cores), DuckDB "
          f"{duckdb.__version__}; first runs, then {REPEATS} alternating runs each (medians)")
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:,.3f}"))
    print(f"scaling: engine ~ lines^{exponent(rows, 'engine_s'):.2f}, DuckDB ~ "
          f"lines^{exponent(rows, 'duckdb_s'):.2f}")


if __name__ == "__main__":
    main()
