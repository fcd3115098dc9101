"""Monte Carlo: a year with no spread is the deterministic result to the cent; seeded runs
repeat; chunks do not change the numbers; the CLI writes montecarlo.csv."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from compplan.cli import app
from compplan.result import Result
from compplan.scenarios.monte_carlo import DrawSettings, monte_carlo, multipliers, spread
from tests.conftest import PLANS, Case, deal, person

ROOT = Path(__file__).resolve().parent.parent


def twins(case: Case) -> Result:
    """Two identical AEs and two identical partners: no spread in either plan."""
    ae = {"base_salary": 120000, "target_incentive": 50000, "quota": 1000000}
    case.roster = [person("A1", "ae-2026", **ae), person("A2", "ae-2026", **ae),
                   person("P1", "partner-2026"), person("P2", "partner-2026")]
    case.deals = [deal(f"D{p}{m}", p, 110000, f"2026-{m:02d}-10", term_months=24)
                  for p in ("A1", "A2", "P1", "P2") for m in (2, 5, 11)]
    return case.run()


def test_no_spread_reproduces_the_engine_to_the_cent(case: Case) -> None:
    result = twins(case)
    assert spread(result, "ae-2026") == 0.0 and spread(result, "partner-2026") == 0.0
    table, variable = monte_carlo("baseline", result, DrawSettings(draws=50, chunk=7))
    engine_total = result.lines["cents"].sum() / 100
    engine_variable = result.lines[result.lines["kind"] != "salary"]["cents"].sum() / 100
    row = table[table["plan"] == "total"].iloc[0]
    for col in ("total_mean", "total_p10", "total_p50", "total_p90"):
        assert row[col] == pytest.approx(engine_total, abs=0.005), col
    assert row["variable_p90"] == pytest.approx(engine_variable, abs=0.005)
    assert np.allclose(variable, engine_variable)


def test_bootstrap_of_even_months_is_the_year_itself(case: Case) -> None:
    ae = {"base_salary": 1, "target_incentive": 1, "quota": 1}
    case.roster = [person("A", "ae-2026", **ae)]
    case.deals = [deal(f"D{m}", "A", 1000, f"2026-{m:02d}-10") for m in range(1, 13)]
    result = case.run()
    mult = multipliers(result, "ae-2026", DrawSettings(method="bootstrap"),
                       np.random.default_rng(1), 20)
    assert np.allclose(mult, 1.0)


def test_same_seed_same_numbers_and_chunks_do_not_matter(tmp_path: Path) -> None:
    case = Case(tmp_path)
    ae = {"base_salary": 120000, "target_incentive": 50000, "quota": 1000000}
    case.roster = [person(f"A{i}", "ae-2026", **ae) for i in range(6)]
    case.deals = [deal(f"D{i}", f"A{i}", 200000 * (i + 1), "2026-03-10") for i in range(6)]
    result = case.run()
    first, _ = monte_carlo("b", result, DrawSettings(draws=300, seed=5, chunk=300))
    again, _ = monte_carlo("b", result, DrawSettings(draws=300, seed=5, chunk=41))
    other, _ = monte_carlo("b", result, DrawSettings(draws=300, seed=6, chunk=300))
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)
    assert first["total_p10"].iloc[-1] < first["total_p90"].iloc[-1]


def test_simulate_with_draws_writes_montecarlo(tmp_path: Path) -> None:
    case_dir = Path(__file__).parent / "cases" / "mixed-2026"
    args = ["simulate", "--plans", str(PLANS), "--scenarios",
            str(ROOT / "scenarios" / "bookings-plus-10.yaml"), "--year", "2026",
            "--out", str(tmp_path / "sim"), "--draws", "200", "--seed", "3"]
    for table in ("roster", "deals", "quotas", "accounts"):
        args += [f"--{table}", str(case_dir / f"{table}.csv")]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    mc = pd.read_csv(tmp_path / "sim" / "montecarlo.csv")
    assert set(mc["scenario"]) == {"baseline", "bookings-plus-10"}
    assert (mc["draws"] == 200).all()
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "sim" / "scenarios.xlsx")
    assert "Monte Carlo" in wb.sheetnames
    cells = [c.value for r in wb["Monte Carlo"].iter_rows() for c in r]
    assert "bookings-plus-10" in cells and "baseline" in cells
