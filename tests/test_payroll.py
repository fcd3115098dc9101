"""Payroll and the ledger: a three-month story, told through the CLI, to the cent."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from compplan.cli import app
from compplan.ledger.store import url_for
from tests.conftest import (
    DEAL_COLUMNS,
    PLANS,
    deal,
    kill_at,
    person,
    query,
    ten_percent_plan,
    write_csv,
)

runner = CliRunner()
def story(tmp_path: Path) -> dict[str, Path]:
    roster = [person("A", "ae-2026", base_salary=120000, target_incentive=50000, quota=1000000),
              person("P", "partner-2026")]
    jan = [deal("D1", "A", 200000, "2026-01-10"), deal("DP", "P", 50000, "2026-01-12")]
    feb = [deal("D1", "A", 200000, "2026-01-10", cancel_date="2026-02-05"),
           deal("DP", "P", 50000, "2026-01-12"),
           deal("D2", "A", 40000, "2026-01-25"),  # a January deal entered late
           deal("CM", "P", -80000, "2026-02-10")]  # a credit memo
    mar = [*feb, deal("DP2", "P", 100000, "2026-03-03")]
    write_csv(tmp_path, "roster", roster, list(roster[0]))
    return {"roster": tmp_path / "roster.csv",
            "jan": write_csv(tmp_path, "jan", jan, DEAL_COLUMNS),
            "feb": write_csv(tmp_path, "feb", feb, DEAL_COLUMNS),
            "mar": write_csv(tmp_path, "mar", mar, DEAL_COLUMNS)}


def pay(tmp_path: Path, files: dict[str, Path], deals: str, period: str,
        ledger: str) -> pd.DataFrame:
    res = runner.invoke(app, [
        "payroll", "--period", period, "--ledger", ledger,
        "--plans", str(PLANS), "--roster", str(files["roster"]), "--deals", str(files[deals]),
        "--year", "2026", "--out", str(tmp_path / period)])
    assert res.exit_code == 0, res.output
    return pd.read_csv(tmp_path / period / "payroll.csv", dtype=str, keep_default_na=False)


def close(ledger: str, period: str) -> None:
    res = runner.invoke(app, ["close", "--period", period, "--ledger",
                              ledger])
    assert res.exit_code == 0, res.output


def amounts(frame: pd.DataFrame) -> dict[tuple[str, str], str]:
    return dict(zip(zip(frame["employee_id"], frame["memo"], strict=True), frame["amount"],
                    strict=True))


def test_three_month_story(tmp_path: Path, ledger: str) -> None:
    files = story(tmp_path)
    jan = pay(tmp_path, files, "jan", "2026-01", ledger)
    assert amounts(jan) == {("A", "base_salary 2026-01"): "10000.00",
                            ("A", "commission 2026-01"): "10000.00",  # 200k / 1M x 50k
                            ("P", "partner_commission 2026-01"): "2500.00"}
    close(ledger, "2026-01")

    feb = pay(tmp_path, files, "feb", "2026-02", ledger)
    assert amounts(feb) == {
        ("A", "base_salary 2026-02"): "10000.00",
        # year to date 40,000 (D1 clawed back): E 2,000 minus 12,000 earned to January
        ("A", "commission 2026-02"): "-10000.00",
        # January now earns 240,000 / 1M x 50,000 = 12,000; 10,000 was paid
        ("A", "adjusts 2026-01 commission"): "2000.00",
        # the credit memo takes P's year to -30,000: E 0, minus 2,500 paid -> carried
        ("P", "partner_commission 2026-02"): "-2500.00",
        ("P", "negative pay carried as a balance owed"): "2500.00",
    }
    assert set(feb["earning_code"]) == {"SAL", "COMM", "ADJ"}
    close(ledger, "2026-02")

    mar = pay(tmp_path, files, "mar", "2026-03", ledger)
    assert amounts(mar) == {
        ("A", "base_salary 2026-03"): "10000.00",
        # 70,000 year to date x 5 % = 3,500; the 2,500 owed is recovered
        ("P", "partner_commission 2026-03"): "3500.00",
        ("P", "recovers the balance owed"): "-2500.00",
    }
    control = pd.read_csv(tmp_path / "2026-03" / "control.csv", dtype=str)
    assert control.set_index("earning_code").loc["TOTAL", "amount"] == "11000.00"
    owed_feb = pd.read_csv(tmp_path / "2026-02" / "balances.csv", dtype=str)
    assert owed_feb.to_dict("records") == [{"payee_id": "P", "balance_owed": "2500.00",
                                            "currency": "USD",
                                            "draw_balance": "0.00", "draw_forgiven": "0.00",
                                            "draw_currency": "USD",
                                            "active": "True"}]
    owed_mar = pd.read_csv(tmp_path / "2026-03" / "balances.csv", dtype=str)
    assert owed_mar.empty

    shown = runner.invoke(app, ["ledger", "show", "--payee", "P", "--ledger",
                                ledger])
    assert shown.exit_code == 0
    rows = [line.split() for line in shown.output.strip().splitlines()[1:]]
    # period, state, earned, adjusted, held, released, carried, recovered, paid, owed
    assert rows == [["2026-01", "closed", "2,500.00", "0.00", "0.00", "0.00", "0.00", "0.00",
                     "2,500.00", "0.00"],
                    ["2026-02", "closed", "-2,500.00", "0.00", "0.00", "0.00", "2,500.00",
                     "0.00", "0.00", "2,500.00"],
                    ["2026-03", "open", "3,500.00", "0.00", "0.00", "0.00", "0.00",
                     "-2,500.00", "1,000.00", "0.00"]]


def test_rerun_gives_the_same_file_and_posts_nothing_twice(tmp_path: Path,
                                                          ledger: str) -> None:
    files = story(tmp_path)
    pay(tmp_path, files, "jan", "2026-01", ledger)
    first = (tmp_path / "2026-01" / "payroll.csv").read_bytes()
    pay(tmp_path, files, "jan", "2026-01", ledger)
    assert (tmp_path / "2026-01" / "payroll.csv").read_bytes() == first
    assert query(ledger, "select count(*) from runs") == [(1,)]
    assert query(ledger, "select count(*) from lines") == [(3,)]


@pytest.mark.parametrize(("steps", "message"), [
    (["close"], "2026-01 is already closed"),
    (["pay"], "2026-01 is closed: its payroll cannot change"),
])
def test_a_closed_period_never_changes(tmp_path: Path, ledger: str, steps: list[str],
                                       message: str) -> None:
    files = story(tmp_path)
    pay(tmp_path, files, "jan", "2026-01", ledger)
    close(ledger, "2026-01")
    if steps == ["close"]:
        args = ["close", "--period", "2026-01", "--ledger", ledger]
    else:
        args = ["payroll", "--period", "2026-01", "--ledger", ledger,
                "--plans", str(PLANS), "--roster", str(files["roster"]), "--deals",
                str(files["feb"]), "--year", "2026", "--out", str(tmp_path / "again")]
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and message in res.output


def test_an_open_earlier_month_must_be_closed_first(tmp_path: Path, ledger: str) -> None:
    files = story(tmp_path)
    pay(tmp_path, files, "jan", "2026-01", ledger)
    res = runner.invoke(app, [
        "payroll", "--period", "2026-02", "--ledger", ledger,
        "--plans", str(PLANS), "--roster", str(files["roster"]), "--deals", str(files["feb"]),
        "--year", "2026", "--out", str(tmp_path / "feb")])
    assert res.exit_code == 2 and "close 2026-01 before paying 2026-02" in res.output


def test_files_reconcile_with_the_ledger(tmp_path: Path, ledger: str) -> None:
    files = story(tmp_path)
    pay(tmp_path, files, "jan", "2026-01", ledger)
    close(ledger, "2026-01")
    feb = pay(tmp_path, files, "feb", "2026-02", ledger)
    control = pd.read_csv(tmp_path / "2026-02" / "control.csv", dtype=str).set_index(
        "earning_code")
    cents = sum(round(float(a) * 100) for a in feb["amount"])
    assert control.loc["TOTAL", "amount"] == f"{cents / 100:.2f}"
    assert query(ledger, "select sum(cents) from lines where pay_period = '2026-02'") == [
        (cents,)]
    adp = pd.read_csv(tmp_path / "2026-02" / "payroll-adp.csv", dtype=str)
    assert sum(round(float(a) * 100) for a in adp["Earnings Amount"]) == cents
    gusto = pd.read_csv(tmp_path / "2026-02" / "payroll-gusto.csv", dtype=str).set_index(
        "employee_id")
    assert gusto.loc["A", "correction_payment"] == "2000.00"


def _payroll_args(tmp_path: Path, files: dict[str, Path], deals: str, period: str,
                  ledger: str) -> list[str]:
    return ["payroll", "--period", period, "--ledger", ledger,
            "--plans", str(PLANS), "--roster", str(files["roster"]), "--deals",
            str(files[deals]), "--year", "2026", "--out", str(tmp_path / f"k{period}")]


def _ledger_rows(ledger: str) -> tuple[object, ...]:
    return tuple(query(ledger, q) for q in (
        "select run_id, period from runs order by period",
        "select line_id, cents from lines order by line_id",
        "select period, state, run_id from periods order by period"))


KILL_POINTS = [  # (point, whether the transaction has committed there)
    ("record:replaced", False), ("record", False), ("record:committed", True),
    ("close", False), ("close:updated", False), ("close:committed", True)]


@pytest.mark.parametrize(("point", "committed"), KILL_POINTS)
def test_a_killed_run_leaves_the_ledger_as_it_was_or_as_it_would_be(
        tmp_path: Path, ledger: str, point: str, committed: bool) -> None:
    files = story(tmp_path)
    twin = str(tmp_path / "twin.db")  # the same steps, never killed
    for where in (ledger, twin):
        pay(tmp_path, files, "jan", "2026-01", where)
    before = _ledger_rows(ledger)
    marker = tmp_path / "marker"

    def args(where: str) -> list[str]:
        return (_payroll_args(tmp_path, files, "feb", "2026-01", where)
                if point.startswith("record") else
                ["close", "--period", "2026-01", "--ledger", where])

    assert runner.invoke(app, args(twin)).exit_code == 0
    kill_at(args(ledger), point, marker)
    after = _ledger_rows(ledger)
    if committed:
        assert after == _ledger_rows(twin)  # run ids are digests: equal, row for row
    else:
        assert after == before
    if not (committed and point.startswith("close")):
        close(ledger, "2026-01")  # and the ledger still works


def test_two_closers_one_wins(tmp_path: Path, ledger: str) -> None:
    import subprocess
    import sys

    files = story(tmp_path)
    pay(tmp_path, files, "jan", "2026-01", ledger)
    args = [sys.executable, "-c", "from compplan.cli import main; main()", "close",
            "--period", "2026-01", "--ledger", ledger]
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True) for _ in range(2)]
    results = sorted((p.wait(), p.stdout.read() if p.stdout else "") for p in procs)
    assert [code for code, _ in results] == [0, 2]
    assert "already closed" in results[1][1]


HOLD_PLAN = ten_percent_plan("held", commission_extra="    hold: {share: 0.5, days: 60}\n")


def pay_and_close(tmp_path: Path, ledger: str,
                  months: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Pay and close each month from tmp_path's plans/, roster and deals: memos paid."""
    paid = {}
    for month in months:
        res = runner.invoke(app, [
            "payroll", "--period", month, "--ledger", ledger, "--plans", str(tmp_path / "plans"),
            "--roster", str(tmp_path / "roster.csv"), "--deals", str(tmp_path / "deals.csv"),
            "--year", "2026", "--out", str(tmp_path / month)])
        assert res.exit_code == 0, res.output
        frame = pd.read_csv(tmp_path / month / "payroll.csv", dtype=str, keep_default_na=False)
        paid[month] = list(zip(frame["memo"], frame["amount"], strict=True))
        close(ledger, month)
    return paid


def test_held_pay_is_released_when_due(tmp_path: Path, ledger: str) -> None:
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "held.yaml").write_text(HOLD_PLAN)
    write_csv(tmp_path, "roster", [person("H", "held")], list(person("H", "held")))
    write_csv(tmp_path, "deals", [deal("D1", "H", 10000, "2026-01-10")], DEAL_COLUMNS)
    paid = pay_and_close(tmp_path, ledger, ["2026-01", "2026-02", "2026-03", "2026-04"])
    # January earns 1,000 and holds half until 60 days after 31 January: 1 April
    assert paid["2026-01"] == [("commission 2026-01", "1000.00"),
                               ("held until 2026-04-01", "-500.00")]
    assert paid["2026-02"] == [] and paid["2026-03"] == []
    assert paid["2026-04"] == [("releases 2026-01 commission held until 2026-04-01",
                                "500.00")]


def test_a_leavers_unrecovered_balance_is_reported(tmp_path: Path, ledger: str) -> None:
    files = story(tmp_path)
    roster = pd.read_csv(files["roster"], dtype=str, keep_default_na=False)
    roster.loc[roster["payee_id"] == "P", "end_date"] = "2026-02-20"
    roster.to_csv(files["roster"], index=False)
    pay(tmp_path, files, "jan", "2026-01", ledger)
    close(ledger, "2026-01")
    res = runner.invoke(app, [
        "payroll", "--period", "2026-02", "--ledger", ledger, "--plans", str(PLANS),
        "--roster", str(files["roster"]), "--deals", str(files["feb"]), "--year", "2026",
        "--out", str(tmp_path / "feb")])
    assert res.exit_code == 0, res.output
    assert "leaver P leaves 2500.00 unrecovered" in res.output


def test_pay_held_until_invoices_are_paid(tmp_path: Path, ledger: str) -> None:
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "held.yaml").write_text(HOLD_PLAN.replace(
        "hold: {share: 0.5, days: 60}", "hold: {share: 1.0, until_paid: invoice_paid_date}"))
    write_csv(tmp_path, "roster", [person("H", "held")], list(person("H", "held")))
    deals = [deal("D1", "H", 10000, "2026-01-10", invoice_paid_date="2026-03-15"),
             deal("D2", "H", 10000, "2026-01-12", invoice_paid_date="2026-01-20")]
    write_csv(tmp_path, "deals", deals, [*DEAL_COLUMNS, "invoice_paid_date"])
    paid = pay_and_close(tmp_path, ledger, ["2026-01", "2026-02", "2026-03"])
    # January earns 2,000; D1's invoice (half the month's credit) is unpaid at 31 January
    assert paid["2026-01"] == [("commission 2026-01", "2000.00"),
                               ("held until invoice_paid_date of its credits", "-1000.00")]
    assert paid["2026-02"] == []
    assert paid["2026-03"] == [("releases 2026-01 commission held until invoice_paid_date of "
                                "its credits", "1000.00")]


V1_SCHEMA = [
    "create table schema_version (version integer)",
    "insert into schema_version values (1)",
    "create table runs (run_id varchar(40) primary key, period varchar(7) not null, "
    "created_at varchar(32) not null, inputs text not null, plans text not null)",
    "create table lines (line_id varchar(60) primary key, run_id varchar(40) not null, "
    "pay_period varchar(7) not null, earned_period varchar(7) not null, payee_id "
    "varchar(200) not null, payee_name varchar(400) not null, component varchar(200) not "
    "null, kind varchar(20) not null, earning_code varchar(40) not null, cents bigint not "
    "null, memo varchar(400) not null)",
    "create table periods (period varchar(7) primary key, state varchar(10) not null, "
    "run_id varchar(40), closed_at varchar(32))",
    "insert into runs values ('r1', '2026-01', 'x', '{}', '{}')",
    "insert into lines values ('r1-00001', 'r1', '2026-01', '2026-01', 'A', 'A', "
    "'commission', 'earned', 'COMM', 100, 'commission 2026-01')",
    "insert into periods values ('2026-01', 'closed', 'r1', 'x')",
]


def test_an_old_ledger_upgrades_itself(ledger: str) -> None:
    from compplan.ledger.store import SCHEMA_VERSION, open_ledger

    engine = sa.create_engine(url_for(ledger))
    with engine.begin() as conn:
        for sql in V1_SCHEMA:
            conn.execute(sa.text(sql))
    engine.dispose()
    open_ledger(ledger).dispose()
    assert query(ledger, "select version from schema_version") == [(SCHEMA_VERSION,)]
    assert query(ledger, "select line_id, cents, release_period, ref from lines") == [
        ("r1-00001", 100, None, None)]


def test_reading_a_missing_ledger_does_not_create_one(tmp_path: Path) -> None:
    res = runner.invoke(app, ["ledger", "show", "--payee", "X", "--ledger",
                              str(tmp_path / "none.db")])
    assert res.exit_code == 2 and "no such ledger" in res.output
    assert not (tmp_path / "none.db").exists()


def pay_and_close_2026(result: object, ledger: str, out: Path) -> None:
    """Pay and close every month of 2026, each month's files in its own folder."""
    from compplan.api import close_month, pay_month

    for month in range(1, 13):
        period = f"2026-{month:02d}"
        pay_month(result, ledger, period, out / period)  # type: ignore[arg-type]
        close_month(ledger, period)


def test_a_new_year_continues_the_ledger_and_carries_balances(tmp_path: Path,
                                                             ledger: str) -> None:
    from compplan.api import evaluate, pay_month

    roster = pd.DataFrame([person("P", "partner-2026")])
    deals = pd.DataFrame([deal("D1", "P", 100000, "2026-01-15"),
                          deal("CM", "P", -150000, "2026-12-10"),  # a credit memo
                          deal("D2", "P", 100000, "2027-01-20")])
    y2026 = evaluate(PLANS, roster, deals, 2026)
    pay_and_close_2026(y2026, ledger, tmp_path)
    # January: 100,000 reaches the 7 % tier: 7,000. December: YTD revenue -50,000 earns
    # 0, so the 7,000 comes back: -7,000 is carried as a balance owed.
    dec = pd.read_csv(tmp_path / "2026-12" / "balances.csv", dtype=str)
    assert dec.to_dict("records") == [{"payee_id": "P", "balance_owed": "7000.00",
                                            "currency": "USD",
                                       "draw_balance": "0.00", "draw_forgiven": "0.00",
                                       "draw_currency": "USD",
                                       "active": "True"}]
    y2027 = evaluate(PLANS, roster, deals, 2027)
    run = pay_month(y2027, ledger, "2027-01", tmp_path / "2027-01")
    # 2027: 7 % of 100,000 earned, all of it recovering 2026's balance; nothing of 2026
    # is adjusted by a run of 2027.
    got = dict(zip(run.lines["kind"], run.lines["cents"], strict=True))
    assert got == {"earned": 700000, "recovery": -700000}
    assert not (run.lines["earned_period"] < "2027-01").any()


def test_a_draw_balance_is_recorded_and_carried_into_the_next_year(tmp_path: Path,
                                                                  ledger: str) -> None:
    from compplan.api import close_month, draw_balances, evaluate, pay_month
    from compplan.ledger.store import LedgerBusyError

    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "draws.yaml").write_text(ten_percent_plan(
        "draws", more="  - {id: draw, kind: draw, amount: 2000, recoverable: true, "
                      "first_periods: 1}\n"))
    roster = pd.DataFrame([person("A", "draws")])
    deals = pd.DataFrame([deal("D1", "A", 5000, "2026-01-15"),
                          deal("D2", "A", 30000, "2027-01-20"),
                          deal("D3", "A", 40000, "2027-02-20")])
    y2026 = evaluate(plans, roster, deals, 2026)
    pay_and_close_2026(y2026, ledger, tmp_path)
    # January 2026: 500 earned, the 2,000 draw paid: 1,500 owed for the rest of the year
    jan = pd.read_csv(tmp_path / "2026-01" / "balances.csv", dtype=str)
    assert jan.to_dict("records") == [{"payee_id": "A", "balance_owed": "0.00",
                                            "currency": "USD",
                                       "draw_balance": "1500.00", "draw_forgiven": "0.00",
                                       "draw_currency": "USD",
                                       "active": "True"}]
    assert draw_balances(ledger, 2027) == {("A", "draw"): 150000}
    with pytest.raises(sa.exc.SQLAlchemyError, match="a closed period never changes"), \
            sa.create_engine(url_for(ledger)).begin() as conn:
        conn.execute(sa.text("update draw_balances set balance_cents = 0"))
    stale = evaluate(plans, roster, deals, 2027)  # evaluated without the ledger's balance
    with pytest.raises(LedgerBusyError, match="draw balances the year opens with changed"):
        pay_month(stale, ledger, "2027-01", tmp_path / "stale")
    y2027 = evaluate(plans, roster, deals, 2027, draw_opening=draw_balances(ledger, 2027))
    # January 2027: 3,000 earned, 1,000 above the draw recovers 1,000 of the 1,500;
    # February: no draw, 4,000 earned recovers the last 500
    run = pay_month(y2027, ledger, "2027-01", tmp_path / "2027-01")
    got = dict(zip(run.lines["component"], run.lines["cents"], strict=True))
    assert got == {"commission": 300000, "draw": -100000}
    close_month(ledger, "2027-01")
    feb = pay_month(y2027, ledger, "2027-02", tmp_path / "2027-02")
    assert dict(zip(feb.lines["component"], feb.lines["cents"], strict=True)) == {
        "commission": 400000, "draw": -50000}
    owed = pd.read_csv(tmp_path / "2027-02" / "balances.csv", dtype=str)
    assert owed.empty


def test_payroll_cli_opens_the_year_with_the_ledgers_draw_balance(tmp_path: Path) -> None:
    """``compplan payroll`` reads the balance itself; one it cannot carry is named."""
    import sqlalchemy as sa_

    from compplan.ledger.store import draw_balances, open_ledger, periods, runs

    ledger = str(tmp_path / "ledger.db")
    engine = open_ledger(ledger)
    with engine.begin() as conn:  # a closed December 2026 that left A owing 1,500
        conn.execute(runs.insert().values(run_id="r", period="2026-12", created_at="x",
                                          inputs="{}", plans="{}"))
        conn.execute(draw_balances.insert().values(
            run_id="r", pay_period="2026-12", payee_id="A", plan="draws", component="draw",
            balance_cents=150000, forgiven_cents=0))
        conn.execute(draw_balances.insert().values(
            run_id="r", pay_period="2026-12", payee_id="A", plan="old", component="old",
            balance_cents=700, forgiven_cents=0))
        conn.execute(periods.insert().values(period="2026-12", state="closed", run_id="r"))
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "draws.yaml").write_text(ten_percent_plan(
        "draws", more="  - {id: draw, kind: draw, amount: 2000, recoverable: true, "
                      "first_periods: 1}\n"))
    roster = write_csv(tmp_path, "roster", [person("A", "draws")], list(person("A", "x")))
    deals = write_csv(tmp_path, "deals", [deal("D2", "A", 30000, "2027-01-20")], DEAL_COLUMNS)
    res = runner.invoke(app, ["payroll", "--period", "2027-01", "--ledger", ledger,
                              "--plans", str(plans), "--roster", str(roster), "--deals",
                              str(deals), "--year", "2027", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert ("warning: A owes 7.00 on draw 'old' from before 2027, and no plan of 2027 gives "
            "them a recoverable draw 'old': recover it by hand") in res.output
    paid = pd.read_csv(tmp_path / "out" / "payroll.csv", dtype=str)
    assert dict(zip(paid["memo"], paid["amount"], strict=True)) == {
        "commission 2027-01": "3000.00", "draw 2027-01": "-1000.00"}
    with sa_.create_engine(url_for(ledger)).connect() as conn:
        assert conn.execute(sa_.text("select balance_cents from draw_balances where "
                                     "pay_period = '2027-01'")).scalar() == 50000
