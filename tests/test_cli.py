"""The command line: the run contract, exit codes, explain, validate, demo."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from compplan.cli import app
from tests.conftest import PLANS, Case, deal, person

runner = CliRunner()


def small(case: Case) -> dict[str, Path | None]:
    case.roster = [person("A", "ae-2026", base_salary=120000, target_incentive=50000,
                          quota=1000000),
                   person("K", "kam-2026", base_salary=60000)]
    case.deals = [deal("D1", "A", 100000, "2026-02-01", margin=1000, account_id="AC"),
                  deal("=HYPERLINK(\"http://example.invalid\",\"x\")", "GHOST", 5, "2026-02-01")]
    case.accounts = [{"account_id": "AC", "kam_id": "K", "class": "B"}]
    return case.paths()


def args(p: dict[str, Path | None], out: Path, *extra: str) -> list[str]:
    cmd = ["--plans", str(PLANS), "--roster", str(p["roster"]), "--deals", str(p["deals"]),
           "--year", "2026", *extra]
    if p["accounts"]:
        cmd += ["--accounts", str(p["accounts"])]
    return ["run", *cmd, "--out", str(out)]


def test_run_writes_the_contract_files(case: Case, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = runner.invoke(app, args(small(case), out))
    assert res.exit_code == 0, res.output
    payouts = pd.read_csv(out / "payouts.csv", dtype=str)
    assert list(payouts.columns) == ["payee_id", "period", "component", "amount", "currency"]
    row = payouts[(payouts["payee_id"] == "A") & (payouts["period"] == "2026-02")
                  & (payouts["component"] == "commission")]
    assert row["amount"].tolist() == ["5000.00"]
    assert (payouts["amount"].str.fullmatch(r"-?\d+\.\d\d")).all()
    kam = payouts[(payouts["payee_id"] == "K") & (payouts["component"] == "account_commission")]
    assert kam["amount"].tolist() == ["30.00"]
    credits = pd.read_csv(out / "credits.csv", dtype=str)
    assert {"payee_id", "measure", "date", "amount", "deal_id", "source_row"} <= set(credits)
    exceptions = pd.read_csv(out / "exceptions.csv", dtype=str)
    assert exceptions["reason"].tolist() == ["payee not in roster"]
    # text from input data never becomes a formula
    assert exceptions["deal_id"].iloc[0].startswith("'=")


def test_bad_input_exits_2_and_writes_nothing(case: Case, tmp_path: Path) -> None:
    p = small(case)
    deals = Path(str(p["deals"]))
    text = deals.read_text().replace("2026-02-01", "01/02/2026", 1)
    deals.write_text(text)
    out = tmp_path / "out"
    res = runner.invoke(app, args(p, out))
    assert res.exit_code == 2
    assert f"{deals}: row 2, close_date: '01/02/2026' is not a date (YYYY-MM-DD)" in res.output
    assert not out.exists() or not any(out.iterdir())


def test_previous_results_survive_a_failed_run(case: Case, tmp_path: Path) -> None:
    p = small(case)
    out = tmp_path / "out"
    assert runner.invoke(app, args(p, out)).exit_code == 0
    before = (out / "payouts.csv").read_text()
    Path(str(p["roster"])).write_text("payee_id,plan,start_date,end_date\nA,nope-2026,,\n")
    res = runner.invoke(app, args(p, out))
    assert res.exit_code == 2 and "unknown plan id 'nope-2026'" in res.output
    assert (out / "payouts.csv").read_text() == before
    assert sorted(x.name for x in out.iterdir()) == ["credits.csv", "exceptions.csv",
                                                      "payouts.csv", "results.xlsx", "run.json"]


@pytest.mark.parametrize(("roster", "message"), [
    ("payee_id,plan,start_date,end_date\nA,ae-2026,,\nA,ae-2026,,\n",
     "row 3, payee_id: duplicate payee_id='A'"),
    ("payee,plan,start_date,end_date\nA,ae-2026,,\n", "missing required column(s) payee_id"),
    ("payee_id,plan\nA,ae-2026\n", "missing required column(s) start_date, end_date"),
    ("payee_id,plan,start_date,end_date\nA,kam-2026,2026-13-01,\n",
     "row 2, start_date: '2026-13-01'"),
    ("payee_id,plan,start_date,end_date,base_salary\nA,kam-2026,,,12k\n",
     "row 2, base_salary: '12k' is not a finite"),
    ("payee_id,plan,start_date,end_date,base_salary\nA,kam-2026,,,-5\n",
     "row 2, base_salary: -5 is outside 0..1e+12"),
    ("payee_id,plan,start_date,end_date,base_salary\nA,kam-2026,2026-05-01,2026-04-01,1\n",
     "row 2, end_date: end_date is before start_date"),
    ("payee_id,plan,start_date,end_date,base_salry\nA,kam-2026,,,1\n",
     "no column 'base_salary' (needed by plan kam-2026, components.base_salary.column); "
     "did you mean 'base_salry' for 'base_salary'?"),
])
def test_roster_errors_name_row_and_column(case: Case, tmp_path: Path, roster: str,
                                           message: str) -> None:
    p = small(case)
    Path(str(p["roster"])).write_text(roster)
    res = runner.invoke(app, args(p, tmp_path / "out"))
    assert res.exit_code == 2
    assert message in res.output


def test_missing_accounts_table_is_named(case: Case, tmp_path: Path) -> None:
    p = small(case)
    p["accounts"] = None
    res = runner.invoke(app, args(p, tmp_path / "out"))
    assert res.exit_code == 2
    assert "plan kam-2026, measures.account_margin" in res.output and "--accounts" in res.output


def test_explain_shows_the_numbers_and_deals(case: Case) -> None:
    p = small(case)
    cmd = args(p, Path("unused"))[1:-2]
    res = runner.invoke(app, ["explain", "--payee", "A", "--period", "2026-02", *cmd])
    assert res.exit_code == 0, res.output
    text = res.output
    assert "commission (commission, ytd): 5000.00" in text
    assert "attainment: 10.00 %" in text
    assert "tier from 0: 10.00% x rate 1" in text
    assert "2026-02-01 D1 credit 100,000.00" in text
    kam = runner.invoke(app, ["explain", "--payee", "K", "--period", "2026-02", *cmd])
    assert "D1 credit 1,000.00 (share 1) -> class B x 0.03 = 30.00" in kam.output
    bad = runner.invoke(app, ["explain", "--payee", "NOPE", "--period", "2026-02", *cmd])
    assert bad.exit_code == 2 and "not in the roster" in bad.output


def test_validate_and_schema(tmp_path: Path) -> None:
    res = runner.invoke(app, ["validate", str(PLANS)])
    assert res.exit_code == 0 and "ok  ae-2026" in res.output
    bad = Path(__file__).parent / "bad_plans" / "tiers_decrease.yaml"
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 2 and "tiers must increase" in res.output
    res = runner.invoke(app, ["schema", "--out", str(tmp_path / "s.json")])
    assert res.exit_code == 0
    import json

    schema = json.loads((tmp_path / "s.json").read_text())
    assert schema["title"] == "compplan plan" and "components" in schema["properties"]


def test_demo_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["demo", "--out", "d"])
    assert res.exit_code == 0, res.output
    for plan in ("ae-2026", "sdr-2026", "mgr-2026", "kam-2026", "partner-2026", "inside-2026",
                 "am-2026"):
        assert plan in res.output
    assert "cost of sales" in res.output
    payouts = pd.read_csv(tmp_path / "d" / "results" / "payouts.csv", dtype=str)
    roster = pd.read_csv(tmp_path / "d" / "input" / "roster.csv", dtype=str)
    assert 45 <= len(roster) <= 60 and roster["plan"].nunique() == 7
    assert set(payouts["payee_id"]) <= set(roster["payee_id"])
    exceptions = pd.read_csv(tmp_path / "d" / "results" / "exceptions.csv", dtype=str)
    assert exceptions["reason"].str.contains("payee not in roster").any()
    assert exceptions["reason"].str.contains("before close_date").any()
    # payees in three currencies, one without minor units; totals never mix them
    assert set(payouts["currency"]) == {"USD", "EUR", "JPY"}
    assert not payouts.loc[payouts["currency"] == "JPY", "amount"].str.contains(".",
                                                                              regex=False).any()
    assert "conservation d/input/deals.csv [JPY]:" in res.output
    assert (tmp_path / "d" / "input" / "fx.csv").exists()


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace("D1,A,,", "D1,A,60,"), "row 2, split_pct: 60 is outside 0..1"),
    (lambda t: t.replace("100000", "1e400"), "row 2, amount: '1e400' is not a finite number"),
    (lambda t: t.replace("amount", "amt"), "missing required column(s) amount"),
    (lambda t: t.replace("D1,A,", "D1,,"), "row 2, owner_id: is empty; a value is required"),
    (lambda t: "", "file is empty: expected a header row"),
])
def test_deal_errors_name_row_and_column(case: Case, tmp_path: Path, edit: object,
                                         message: str) -> None:
    p = small(case)
    deals = Path(str(p["deals"]))
    deals.write_text(edit(deals.read_text()))  # type: ignore[operator]
    res = runner.invoke(app, args(p, tmp_path / "out"))
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert str(deals) in res.output


def test_run_without_excel(case: Case, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = runner.invoke(app, [*args(small(case), out), "--no-excel"])
    assert res.exit_code == 0, res.output
    assert sorted(x.name for x in out.iterdir()) == ["credits.csv", "exceptions.csv",
                                                      "payouts.csv", "run.json"]


def test_rate_table_without_its_key_column_is_refused(case: Case, tmp_path: Path) -> None:
    p = small(case)
    Path(str(p["accounts"])).write_text("account_id,kam_id\nAC,K\n")  # no class column
    res = runner.invoke(app, args(p, tmp_path / "out"))
    assert res.exit_code == 2, res.output
    assert ("no column 'class' (needed by plan kam-2026, components.account_commission.key)"
            in res.output)
    assert not (tmp_path / "out").exists()


def test_rate_table_with_an_empty_key_reports_each_credit(case: Case, tmp_path: Path) -> None:
    p = small(case)
    Path(str(p["accounts"])).write_text("account_id,kam_id,class\nAC,K,\n")
    res = runner.invoke(app, args(p, tmp_path / "out"))
    assert res.exit_code == 0, res.output
    exceptions = pd.read_csv(tmp_path / "out" / "exceptions.csv", dtype=str)
    assert "account_commission: no rate for class ''" in exceptions["reason"].tolist()


def test_missing_column_read_by_a_component_is_named(tmp_path: Path) -> None:
    case = Case(tmp_path)
    case.roster = [person("M", "am-2026", base_salary=1, target_incentive=1, quota=1)]
    case.deals = [deal("D1", "M", 100, "2026-02-01")]
    p = case.paths()
    res = runner.invoke(app, args(p, tmp_path / "out"))
    assert res.exit_code == 2, res.output
    assert ("no column 'deal_type' (needed by plan am-2026, measures.expansion.filter; plan "
            "am-2026, measures.renewals.filter; plan am-2026, components.deal_commission.key)"
            in res.output)


def test_a_year_that_does_not_fit_the_data_is_said_on_stderr(case: Case, tmp_path: Path) -> None:
    p = small(case)
    res = runner.invoke(app, [*args(p, tmp_path / "out"), "--year", "2025"])
    assert res.exit_code == 0, res.output
    assert ("warning: 2 of 2 credits (100%) are dated outside plan year 2025; the credits are "
            "dated in 2026 (2): is --year right?") in res.output
    res = runner.invoke(app, args(p, tmp_path / "out2"))
    assert "is --year right?" not in res.output
