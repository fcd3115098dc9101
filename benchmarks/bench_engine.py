"""Engine benchmark: a synthetic company read from Parquet, evaluated, written; a table.

    python benchmarks/bench_engine.py                  # the sizes below, both engines
    python benchmarks/bench_engine.py --engines memory # in-process engine only
    python benchmarks/bench_engine.py --tiny           # CI smoke size

Each size and engine runs in a fresh process, so ``peak_mib`` (the process's maximum
resident set) is its own; for the Dask engine it is the client's, the two local worker
processes come on top. Times, in seconds:

- ``load``: the four Parquet tables read and typed;
- ``credit`` / ``measure`` / ``component``: the in-process engine's stages (fan-out of
  credits to every beneficiary; measure arrays per seat and month; the components);
- ``engine``: all of the evaluation (for Dask: from the inputs to the merged result,
  the local cluster already running);
- ``write``: the conservation balance, then payouts.csv, credits.parquet,
  exceptions.parquet and run.json (with the inputs' SHA-256), as
  ``compplan run --format parquet --no-excel`` writes them (the readable credits and
  exceptions tables are made here, batch by batch); ``check`` is the balance's part;
- ``end_to_end``: load + engine + write;
- ``floor``: one ``numpy.bincount`` of the credit amounts by payee-month, the least any
  engine must do; ``x_floor`` is engine / floor.

"Deal lines" are the rows of deals.parquet (the run contract's credit lines); "credits"
the rows they fan out to (split owners, SDRs, managers, account owners, clawbacks).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from compplan.core.stopwatch import Stopwatch
from compplan.inputs.bundle import load_inputs
from compplan.inputs.synth import Size, make, write
from compplan.outputs.run_files import write_run
from compplan.plan.load import load_plans
from compplan.result import Result, evaluate

PLANS = Path(__file__).resolve().parent.parent / "plans"
SIZES = [(1_000, 500_000), (10_000, 500_000), (10_000, 2_700_000), (10_000, 5_000_000)]
TABLES = ("roster", "deals", "quotas", "accounts")


def company(payees: int, lines: int, seed: int = 1) -> dict[str, pd.DataFrame]:
    """The synthetic company of ``compplan synth`` at a size, as frames by table name."""
    made = make(Size(payees, lines, seed=seed))
    return {name: getattr(made, name) for name in TABLES}


def floor_seconds(result: Result, repeat: int = 5) -> float:
    """The best of ``repeat`` bincounts of the credit amounts by payee-month."""
    parts = result.credit_parts.parts
    key = np.concatenate([p.columns["code"] * 12 + p.columns["month"] for p in parts]
                         or [np.zeros(0, dtype=np.int64)])
    value = np.concatenate([p.columns["credit_value"] for p in parts] or [np.zeros(0)])
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        np.bincount(key, weights=value)
        best = min(best, time.perf_counter() - start)
    return float(best)


def run_one(folder: Path, engine: str) -> dict[str, float | int | str]:
    """One measurement, in this process: load, evaluate, write."""
    plans = load_plans(PLANS)
    watch = Stopwatch()
    inputs = load_inputs(*(folder / f"{name}.parquet" for name in TABLES))
    watch.lap("load")
    if engine == "dask":
        from compplan.dask_engine import connect, evaluate_dask  # noqa: PLC0415

        with connect(workers=2) as client:
            watch.restart()
            result = evaluate_dask(plans, inputs, 2026, client)
            watch.lap("engine")
    else:
        result = evaluate(plans, inputs, 2026, watch)
    watch.restart()  # the readable credits and exceptions are made while writing
    files: dict[str, Path | None] = {name: folder / f"{name}.parquet" for name in TABLES}
    write_run(result, folder / f"out-{engine}", files, excel=False, detail="parquet",
              watch=watch)
    watch.lap("write")
    s = watch.seconds
    engine_s = s["engine"] if engine == "dask" else sum(
        s[k] for k in ("seats", "credit", "measure", "component", "assemble"))
    floor = floor_seconds(result)
    return {"engine": engine, "deal_lines": len(inputs.deals.frame),
            "credits": len(result.credit_rows), "load": s["load"],
            "credit": s.get("credit", np.nan), "measure": s.get("measure", np.nan),
            "component": s.get("component", np.nan), "engine_s": engine_s,
            "check": s["check"], "write": s["check"] + s["write"],
            "end_to_end": s["load"] + engine_s + s["check"] + s["write"], "floor": floor,
            "x_floor": engine_s / floor,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure(payees: int, lines: int, engines: list[str], root: Path) -> list[dict[str, object]]:
    """Write the company once, then measure each engine in a fresh process."""
    folder = root / f"{payees}x{lines}"
    write(make(Size(payees, lines, seed=1)), folder, ("parquet",))
    rows = []
    for engine in engines:
        done = subprocess.run([sys.executable, __file__, "--one", str(folder), engine],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        rows.append({"payees": payees, **json.loads(done.stdout.splitlines()[-1])})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="smoke size for CI")
    parser.add_argument("--engines", default="memory,dask", help="memory, dask or both")
    parser.add_argument("--one", nargs=2, metavar=("FOLDER", "ENGINE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(Path(args.one[0]), args.one[1])))
        return
    sizes = [(40, 2000)] if args.tiny else SIZES
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for payees, lines in sizes:
            rows.extend(measure(payees, lines, args.engines.split(","), Path(tmp)))
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    memory = table[(table["engine"] == "memory") & (table["payees"] == max(p for p, _ in sizes))]
    if len(memory) > 1:
        small, large = memory.iloc[0], memory.iloc[-1]
        print(f"scaling (in process, {large['payees']:,} payees): "
              f"{large['deal_lines'] / small['deal_lines']:.1f}x deal lines -> "
              f"{large['engine_s'] / small['engine_s']:.1f}x engine time")


if __name__ == "__main__":
    main()
