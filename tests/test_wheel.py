"""The package travels: a wheel built from the checkout, installed in a fresh venv and
run from a folder that is not the checkout, finds its sample plans, scenarios,
schema and notebooks (``compplan demo``, ``compplan init`` + ``compplan run``)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def sh(*cmd: str | Path, cwd: Path, env: dict[str, str] | None = None
       ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_the_wheel_runs_demo_init_and_run_outside_the_checkout(tmp_path: Path) -> None:
    sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp_path / "dist",
       ROOT, cwd=tmp_path)
    [wheel] = (tmp_path / "dist").glob("compplan-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("compplan/_samples/plans/ae-2026.yaml",
                    "compplan/_samples/scenarios/spiff-1000.yaml",
                    "compplan/_samples/schema/plan.schema.json",
                    "compplan/_samples/notebooks/01-plan-modelling.ipynb",
                    "compplan/_samples/policies/accounting.yaml",
                    "compplan/inputs/mappings/salesforce.yaml", "compplan/py.typed"):
        assert shipped in names, shipped
    sh(sys.executable, "-m", "venv", tmp_path / "venv", cwd=tmp_path)
    bin_ = tmp_path / "venv" / "bin"
    sh(bin_ / "pip", "install", "--quiet", wheel, cwd=tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_}{os.pathsep}{env.get('PATH', '')}"
    away = tmp_path / "elsewhere"
    away.mkdir()
    demo = sh(bin_ / "compplan", "demo", cwd=away, env=env)
    assert "ae-2026" in demo.stdout and (away / "demo-out" / "results" / "payouts.csv").is_file()
    said = next(line for line in demo.stdout.splitlines() if line.startswith("forecast: "))
    sh(*said.removeprefix("forecast: ").split(), "--draws", "50", cwd=away, env=env)
    assert (away / "demo-out" / "forecast" / "forecast.xlsx").is_file()
    sh(bin_ / "compplan", "init", "comp", cwd=away, env=env)
    sh(bin_ / "compplan", "run", cwd=away / "comp", env=env)
    assert (away / "comp" / "out" / "payouts.csv").is_file()
    where = sh(bin_ / "python", "-c", "import compplan; print(compplan.sample_path('plans'))",
               cwd=away, env=env)
    assert "site-packages" in where.stdout
