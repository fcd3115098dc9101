"""The Dask engine pays what the in-process engine pays, to the cent, on a real cluster.

Every test here runs on a local cluster of two worker processes (the session's
``dask_client``): tasks are pickled, sent and run in other processes, as on a
multi-machine cluster. The reference-plan cases run on both engines too
(``pytestmark = both_engines`` in tests/test_plan_*.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from compplan.cli import app
from compplan.dask_engine import connect, evaluate_dask, map_draws, partition_of
from compplan.errors import ClusterError
from compplan.inputs.bundle import Inputs, load_inputs
from compplan.inputs.synth import Size, make, write
from compplan.result import Result, evaluate
from compplan.scenarios.monte_carlo import DrawSettings, monte_carlo
from tests.conftest import PLANS


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic company on all seven plans: splits, memos, clawbacks, roll-ups."""
    folder = tmp_path_factory.mktemp("company")
    write(make(Size(120, 6000, seed=3)), folder, ("csv",))
    return folder


def inputs_of(folder: Path) -> Inputs:
    return load_inputs(folder / "roster.csv", folder / "deals.csv", folder / "quotas.csv",
                       folder / "accounts.csv")


@pytest.fixture(scope="module")
def in_memory(company: Path, plans: dict[str, Any]) -> Result:
    return evaluate(plans, inputs_of(company), 2026)


@pytest.mark.parametrize("partitions", [None, 1, 3])
def test_same_payouts_credits_and_exceptions(company: Path, plans: dict[str, Any],
                                             in_memory: Result, dask_client: Any,
                                             partitions: int | None) -> None:
    on_dask = evaluate_dask(plans, inputs_of(company), 2026, dask_client, partitions)
    assert len(in_memory.payouts) > 1000
    pd.testing.assert_frame_equal(on_dask.payouts, in_memory.payouts)
    pd.testing.assert_frame_equal(on_dask.credits, in_memory.credits)
    pd.testing.assert_frame_equal(on_dask.exceptions, in_memory.exceptions)
    pd.testing.assert_frame_equal(on_dask.attainment(), in_memory.attainment())
    pd.testing.assert_frame_equal(on_dask.summary(), in_memory.summary())


def test_explain_is_the_same(company: Path, plans: dict[str, Any], in_memory: Result,
                             dask_client: Any) -> None:
    on_dask = evaluate_dask(plans, inputs_of(company), 2026, dask_client)
    for payee in in_memory.payouts["payee_id"].drop_duplicates().iloc[::17]:
        assert on_dask.explain(payee, "2026-06") == in_memory.explain(payee, "2026-06")


def test_a_payees_seats_and_credits_share_one_partition() -> None:
    codes = pd.Series([0, 1, 2, 3, 4, 5, 4]).to_numpy()
    assert partition_of(codes, 3).tolist() == [0, 1, 2, 0, 1, 2, 1]


def test_monte_carlo_on_the_cluster_draws_the_same_numbers(in_memory: Result,
                                                            dask_client: Any) -> None:
    settings = DrawSettings(draws=120, seed=9, chunk=25)
    here, variable_here = monte_carlo("b", in_memory, settings)
    there, variable_there = monte_carlo("b", in_memory, settings,
                                        evaluator=map_draws(dask_client, window=3))
    pd.testing.assert_frame_equal(here, there)
    assert (variable_here == variable_there).all()


def test_cli_run_on_dask_writes_the_same_files(company: Path, tmp_path: Path,
                                               dask_client: Any) -> None:
    runner = CliRunner()
    common = ["run", "--plans", str(PLANS), "--roster", str(company / "roster.csv"),
              "--deals", str(company / "deals.csv"), "--quotas", str(company / "quotas.csv"),
              "--accounts", str(company / "accounts.csv"), "--year", "2026", "--no-excel"]
    address = dask_client.scheduler.address
    for engine, extra in (("memory", []), ("dask", ["--scheduler", address])):
        res = runner.invoke(app, [*common, "--out", str(tmp_path / engine), "--engine", engine,
                                  *extra])
        assert res.exit_code == 0, res.output
    for name in ("payouts.csv", "credits.csv", "exceptions.csv"):
        assert (tmp_path / "memory" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()


def test_unknown_engine_is_an_argument_error(company: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["run", "--plans", str(PLANS), "--roster",
                                   str(company / "roster.csv"), "--deals",
                                   str(company / "deals.csv"), "--year", "2026", "--out",
                                   str(tmp_path / "o"), "--engine", "spark"])
    assert res.exit_code == 2 and "expected memory or dask" in res.output
    assert not (tmp_path / "o").exists()


def test_unreachable_scheduler_is_a_cluster_error() -> None:
    with pytest.raises(ClusterError) as err, connect("tcp://127.0.0.1:9", timeout=2):
        pass
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in str(err.value)
    assert err.value.exit_code == 5
