"""The engine's stages, best of several runs in one process, for one or two checkouts.

    python benchmarks/bench_stages.py                       # this checkout
    python benchmarks/bench_stages.py --against /tmp/old    # and another (A/B a change)
    python benchmarks/bench_stages.py --tiny                # CI smoke size

A structural change (issue 21) should leave these within noise; the best of seven runs
in one process is steadier on this VM than separate processes (20-40 % apart). The
other checkout is run in a subprocess with its own ``compplan`` first on the path:
``git worktree add /tmp/old <rev>`` makes one.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

REFERENCE = ["ae-2026", "sdr-2026", "mgr-2026", "kam-2026", "partner-2026"]


def measure(root: Path, payees: int, lines: int, runs: int) -> str:
    """One table row: best engine seconds and that run's stage laps (old layouts too)."""
    sys.path.insert(0, str(root))
    from compplan.api import inputs_from_frames, load_plans  # noqa: PLC0415 - from root

    try:
        from compplan.core.stopwatch import Stopwatch  # noqa: PLC0415
        from compplan.engine.pipeline import evaluate  # noqa: PLC0415
        from compplan.inputs.synth import Size, make  # noqa: PLC0415
    except ImportError:  # a checkout from before the packages (issue 21)
        from compplan.stopwatch import Stopwatch  # type: ignore[no-redef]  # noqa: PLC0415
        from compplan.synth import Size, make  # type: ignore[no-redef]  # noqa: PLC0415

        from compplan.engine import evaluate  # type: ignore[no-redef, attr-defined]  # noqa: PLC0415
    company = make(Size(payees, lines, seed=1))
    roster = company.roster[company.roster["plan"].isin(REFERENCE)].reset_index(drop=True)
    plans = {k: v for k, v in load_plans(root / "plans").items() if k in REFERENCE}
    inputs = inputs_from_frames(roster, company.deals, company.quotas, company.accounts)
    best, laps = float("inf"), {}
    for _ in range(runs):
        watch = Stopwatch()
        start = time.perf_counter()
        evaluate(plans, inputs, 2026, watch)
        took = time.perf_counter() - start
        if took < best:
            best, laps = took, dict(watch.seconds)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stages = "  ".join(f"{laps.get(s, 0.0):8.3f}" for s in
                       ("seats", "credit", "measure", "component", "assemble"))
    return f"{len(roster):7d} {lines:10d} {best:9.3f}  {stages}  {peak:9.1f}  {root}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="smoke size for CI")
    parser.add_argument("--against", type=Path, help="another checkout to measure too")
    parser.add_argument("--lines", type=int, default=200_000, help="deal lines (200,000)")
    parser.add_argument("--row", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    payees, lines, runs = (60, 3000, 2) if args.tiny else (
        max(1000, args.lines // 200), args.lines, 7)
    if args.row:
        print(measure(args.row, payees, lines, runs))
        return
    print(" payees deal_lines  engine_s     seats    credit   measure component  assemble"
          "   peak_mib  checkout")
    here = Path(__file__).resolve().parent.parent
    for root in [here, *([args.against] if args.against else [])]:
        flags = ["--tiny"] if args.tiny else ["--lines", str(args.lines)]
        done = subprocess.run([sys.executable, __file__, "--row", str(root), *flags],
                              capture_output=True, text=True, check=True)
        print(done.stdout.rstrip())


if __name__ == "__main__":
    main()
