"""The benchmark runners still run (at a tiny size), so they cannot rot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.parametrize("script", ["bench_engine.py", "bench_excel.py", "bench_quotas.py",
                                    "bench_montecarlo.py", "bench_baseline.py", "bench_stages.py",
                                    "bench_peers.py", "bench_accounting.py",
                                    "bench_forecast.py", "bench_web.py"])
def test_benchmark_runs_at_tiny_size(script: str) -> None:
    done = subprocess.run([sys.executable, str(BENCH / script), "--tiny"], cwd=BENCH,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "peak_mib" in done.stdout
