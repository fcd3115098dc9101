"""Forecast benchmark: draws x payees x open deals through the plans; prints a table.

    python benchmarks/bench_forecast.py          # 1,000 draws x 1,000 payees x 5,000 deals
    python benchmarks/bench_forecast.py --tiny   # CI smoke size

The company is ``compplan synth``'s (100 deal lines a payee), as known on 30 September;
the pipeline is that many open deals (rows of the company's deals with new ids, an
open stage, created by the as-of date, expected in October to December), win rates
of 0.3, 0.5 and 0.7 by stage and slippage of 0, 1 or 2 months (0.6, 0.3, 0.1). Times,
in seconds: ``run`` the as-of run (the starting point, as ``compplan run`` takes it);
``forecast`` all the rest of ``compplan forecast``'s work (variants credited, the
draws paid, run rate, every deal's estimate, the accrual); ``write`` the CSV files
and forecast.xlsx. The goal is ``forecast`` under 10 s at the full size.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bench_engine import PLANS, company

from compplan.forecast.files import write_forecast
from compplan.forecast.open_deals import Stages
from compplan.forecast.run import Request, forecast
from compplan.forecast.simulate import Settings
from compplan.inputs.bundle import load_inputs
from compplan.inputs.ingest import table_from_frame
from compplan.plan.load import load_plans

AS_OF = "2026-09-30"


def pipeline(deals: pd.DataFrame, count: int, seed: int = 3) -> pd.DataFrame:
    """``count`` open deals made from the company's deal rows (one row each)."""
    rng = np.random.default_rng(seed)
    rows = deals.drop_duplicates("deal_id").sample(count, replace=count > len(deals),
                                                   random_state=seed).reset_index(drop=True)
    expected = np.datetime64("2026-10-01") + rng.integers(0, 92, count)
    created = np.datetime64("2026-09-30") - rng.integers(0, 200, count)
    return rows.assign(deal_id=[f"P{i:07d}" for i in range(count)], split_pct=np.nan,
                       stage=rng.choice(["Qualified", "Proposal", "Negotiation"], count),
                       created_date=created.astype(str), close_date=expected.astype(str),
                       cancel_date="")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="smoke size for CI")
    args = parser.parse_args()
    payees, deals, draws = (40, 100, 50) if args.tiny else (1_000, 5_000, 1_000)
    made = company(payees, payees * 100)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, frame in made.items():
            frame.to_csv(folder / f"{name}.csv", index=False)
        pipeline(made["deals"], deals).to_csv(folder / "pipeline.csv", index=False)
        inputs = load_inputs(folder / "roster.csv", folder / "deals.csv",
                             folder / "quotas.csv", folder / "accounts.csv")
        plans = load_plans(PLANS)
        from compplan.inputs.ingest import load_table  # noqa: PLC0415

        rates = table_from_frame(pd.DataFrame({"stage": ["Qualified", "Proposal",
                                                         "Negotiation"],
                                               "win_rate": [0.3, 0.5, 0.7]}), "win_rates")
        request = Request(AS_OF, Settings(draws, 1), Stages(),
                          load_table(folder / "pipeline.csv", "deals"), rates, None,
                          "0.6,0.3,0.1")
        from compplan.engine.pipeline import evaluate  # noqa: PLC0415
        from compplan.forecast.open_deals import open_deals  # noqa: PLC0415

        start = time.perf_counter()
        evaluate(plans, open_deals(inputs, AS_OF, Stages(), request.pipeline).actual, 2026)
        run_s = time.perf_counter() - start
        start = time.perf_counter()
        fc = forecast(plans, inputs, 2026, request)
        total_s = time.perf_counter() - start
        start = time.perf_counter()
        write_forecast(fc, folder / "out")
        write_s = time.perf_counter() - start
    total = fc.plans["variable_p50"].sum()
    row = {"payees": len(fc.actual.seats), "open_deals": fc.deals.count, "draws": draws,
           "run": run_s, "forecast": total_s - run_s, "write": write_s,
           "variable_p50_sum": total, "estimate_rows": len(fc.estimates),
           "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    print(pd.DataFrame([row]).to_string(index=False, float_format=lambda v: f"{v:,.2f}"))


if __name__ == "__main__":
    main()
