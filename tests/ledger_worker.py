"""One of the processes of the ledger concurrency test: random payrolls and closes of
random months against one ledger, for a bounded time, each outcome logged as a JSON
line (``python -m tests.ledger_worker LEDGER FOLDER SEED SECONDS LOG``).

It calls the same functions the CLI does, in a process of its own, so that several of
them contend for the ledger as several people (or a scheduler and a person) would.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from compplan.errors import CompplanError
from compplan.inputs.bundle import load_inputs
from compplan.ledger.run import close_period, payroll
from compplan.ledger.store import url_for
from compplan.plan.load import load_plans
from compplan.result import evaluate

PLANS = Path(__file__).resolve().parent.parent / "plans"
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
VARIANTS = ("deals_a", "deals_b")


def frontier(ledger: str) -> str:
    """The first month not closed yet, as a person would look it up before paying: a
    hint read outside the lock (the payroll or close itself checks under it)."""
    try:
        engine = sa.create_engine(url_for(ledger))
        with engine.connect() as conn:
            closed = {row[0] for row in conn.execute(sa.text(
                "select period from periods where state = 'closed'"))}
        engine.dispose()
    except sa.exc.SQLAlchemyError:  # not created yet
        closed = set()
    return next((m for m in MONTHS if m not in closed), MONTHS[-1])


def main(ledger: str, folder: Path, seed: int, seconds: float, log: Path) -> None:
    rng = random.Random(seed)
    plans = load_plans(PLANS)
    results = {v: evaluate(plans, load_inputs(folder / "roster.csv", folder / f"{v}.csv"), 2026)
               for v in VARIANTS}
    deadline = time.monotonic() + seconds
    with log.open("a") as out:
        n = 0
        while time.monotonic() < deadline:
            n += 1
            month = frontier(ledger) if rng.random() < 0.7 else rng.choice(MONTHS)
            op = "payroll" if rng.random() < 0.6 else "close"
            entry: dict[str, object] = {"seed": seed, "n": n, "month": month, "op": op}
            try:
                if op == "payroll":
                    variant = rng.choice(VARIANTS)
                    files = {"roster": folder / "roster.csv",
                             "deals": folder / f"{variant}.csv"}
                    run, _ = payroll(results[variant], ledger, month, files,  # type: ignore[arg-type]
                                     folder / "out" / f"{seed}-{n}")
                    entry.update(ok=True, run_id=run.run_id, variant=variant,
                                 lines=len(run.lines),
                                 cents=int(np.asarray(run.lines["cents"]).sum()))
                else:
                    entry.update(ok=True, run_id=close_period(ledger, month))
            except CompplanError as exc:
                entry.update(ok=False, code=exc.exit_code,
                             error=str(exc)[:300])
            out.write(json.dumps(entry) + "\n")
            out.flush()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]),
         Path(sys.argv[5]))
