"""``compplan init`` and ``compplan.toml``: a working folder that runs with no flags,
flags over environment variables over the file, and the file's mistakes with lines."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from compplan import __version__
from compplan.cli import app

runner = CliRunner()


def test_init_then_run_with_no_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    res = runner.invoke(app, ["init", str(tmp_path / "comp")])
    assert res.exit_code == 0, res.output
    folder = tmp_path / "comp"
    assert {p.name for p in folder.iterdir()} >= {"compplan.toml", "plans", "scenarios",
                                                  "data", ".gitignore", "README.md"}
    monkeypatch.chdir(folder)
    res = runner.invoke(app, ["run"])
    assert res.exit_code == 0, res.output
    assert (folder / "out" / "payouts.csv").is_file()
    res = runner.invoke(app, ["explain", "--payee", "AE01", "--period", "2026-03"])
    assert res.exit_code == 0 and "AE01 2026-03" in res.output
    res = runner.invoke(app, ["simulate"])
    assert res.exit_code == 0, res.output
    assert (folder / "out" / "what-if" / "scenarios.csv").is_file()


def test_flags_win_over_the_environment_over_the_file(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert runner.invoke(app, ["init", str(tmp_path / "c")]).exit_code == 0
    monkeypatch.chdir(tmp_path / "c")
    monkeypatch.setenv("COMPPLAN_LEDGER", str(tmp_path / "from-env.db"))
    res = runner.invoke(app, ["payroll", "--period", "2026-01"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "from-env.db").is_file() and not (tmp_path / "c" / "ledger.db").exists()
    assert (tmp_path / "c" / "out" / "payroll" / "payroll.csv").is_file()
    res = runner.invoke(app, ["payroll", "--period", "2026-01", "--ledger",
                              str(tmp_path / "flag.db"), "--out", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "flag.db").is_file() and (tmp_path / "p" / "payroll.csv").is_file()
    monkeypatch.delenv("COMPPLAN_LEDGER")
    res = runner.invoke(app, ["payroll", "--period", "2026-01"])
    assert res.exit_code == 0 and (tmp_path / "c" / "ledger.db").is_file()


def test_a_template_holds_one_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    res = runner.invoke(app, ["init", str(tmp_path / "sdr"), "--template", "sdr"])
    assert res.exit_code == 0, res.output
    plans = sorted(p.name for p in (tmp_path / "sdr" / "plans").iterdir())
    assert plans == ["quotas-2026.yaml", "sdr-2026.yaml"]
    roster = pd.read_csv(tmp_path / "sdr" / "data" / "roster.csv")
    assert set(roster["plan"]) == {"sdr-2026"}
    monkeypatch.chdir(tmp_path / "sdr")
    assert runner.invoke(app, ["run"]).exit_code == 0
    res = runner.invoke(app, ["init", str(tmp_path / "x"), "--template", "ceo"])
    assert res.exit_code == 2 and "'ceo': expected one of" in res.output


def test_init_overwrites_nothing(tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    res = runner.invoke(app, ["init", str(tmp_path)])
    assert res.exit_code == 2 and "plans: already exists" in res.output


@pytest.mark.parametrize(("text", "message"), [
    ('[project]\nyear = 2026\nplanz = "plans"\n', "compplan.toml:3: project.planz: unknown key"),
    ('[project]\nyear = "next"\n', "compplan.toml:2: project.year: Input should be a valid "
                                   "integer"),
    ("[project\n", "compplan.toml:1: not valid TOML"),
])
def test_project_file_mistakes_name_their_line(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch, text: str,
                                               message: str) -> None:
    (tmp_path / "compplan.toml").write_text(text)
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["run"])
    assert res.exit_code == 2 and message in res.output, res.output


def test_version_and_an_explicit_config(tmp_path: Path) -> None:
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.strip() == f"compplan {__version__}"
    res = runner.invoke(app, ["--config", str(tmp_path / "none.toml"), "run"])
    assert res.exit_code == 2 and "no such project file (--config)" in res.output


def test_json_summaries_for_scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    assert runner.invoke(app, ["init", str(tmp_path / "c")]).exit_code == 0
    monkeypatch.chdir(tmp_path / "c")
    res = runner.invoke(app, ["run", "--json"])
    assert res.exit_code == 0, res.output
    said = json.loads(res.stdout)
    assert said["command"] == "run" and said["payout_lines"] > 0 and "USD" in said["paid"]
    assert all(b["ok"] for b in said["conservation"]) and len(said["files"]) >= 4
    res = runner.invoke(app, ["payroll", "--period", "2026-01", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["period"] == "2026-01"
    res = runner.invoke(app, ["simulate", "--json"])
    assert res.exit_code == 0, res.output
    assert {r["scenario"] for r in json.loads(res.stdout)["scenarios"]} >= {"baseline"}


def test_quotas_json_on_stdout_holds_no_solver_banner(tmp_path: Path) -> None:
    """HiGHS prints its banner from C to descriptor 1: only a real process shows it."""
    import json
    import subprocess

    from tests.conftest import CLI

    assert runner.invoke(app, ["init", str(tmp_path / "c")]).exit_code == 0
    done = subprocess.run([*CLI, "quotas", "--target", "24000000", "--plan-file",
                           "plans/quotas-2026.yaml", "--history", "data/deals.csv", "--json"],
                          cwd=tmp_path / "c", capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr
    said = json.loads(done.stdout)  # nothing but the one object
    assert said["command"] == "quotas" and said["currency"] == "USD"
    assert said["seasonality"] == "given shares"  # the plan file gives twelve shares
    assert "HiGHS" not in done.stdout


@pytest.mark.parametrize(("history", "method"), [(True, "auto"), (False, "flat")])
def test_quota_seasonality_is_estimated_from_a_history_by_default(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, history: bool, method: str) -> None:
    import json

    assert runner.invoke(app, ["init", str(tmp_path / "c")]).exit_code == 0
    monkeypatch.chdir(tmp_path / "c")
    args = ["quotas", "--target", "24000000", "--json"]
    res = runner.invoke(app, args + (["--history", "data/deals.csv"] if history else []))
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout.strip().splitlines()[-1])["seasonality"] == method
