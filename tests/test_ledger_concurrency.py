"""A paid month never changes and nothing is paid twice, whatever the order of commands,
retries or people at once: real processes against SQLite and PostgreSQL, nothing mocked.

Each repro of issue 15 is a test here, and a concurrency test lets eight processes pay
and close random months of one ledger for a while, then checks the invariants.
"""

from __future__ import annotations

import itertools
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from compplan.inputs.bundle import load_inputs
from compplan.ledger.store import SCHEMA_VERSION, url_for
from compplan.plan.load import load_plans
from compplan.result import evaluate
from tests.conftest import CLI, DEAL_COLUMNS, PLANS, POSTGRES, deal, person, query, write_csv

ROOT = Path(__file__).resolve().parent.parent


def company(folder: Path) -> dict[str, Path]:
    """Two AEs and a partner; deals_b cancels a January deal and adds late ones."""
    roster = [person("A", "ae-2026", base_salary=120000, target_incentive=50000, quota=1000000),
              person("B", "ae-2026", base_salary=90000, target_incentive=40000, quota=800000),
              person("P", "partner-2026")]
    a = [deal("D1", "A", 200000, "2026-01-10"), deal("D2", "B", 90000, "2026-02-12"),
         deal("D3", "P", 150000, "2026-01-20"), deal("D4", "A", 60000, "2026-03-05")]
    b = [deal("D1", "A", 200000, "2026-01-10", cancel_date="2026-02-20"),
         deal("D2", "B", 90000, "2026-02-12"), deal("D3", "P", 150000, "2026-01-20"),
         deal("D5", "B", 30000, "2026-01-28"), deal("D6", "P", -40000, "2026-03-15")]
    write_csv(folder, "roster", roster, list(roster[0]))
    return {"roster": folder / "roster.csv",
            "deals_a": write_csv(folder, "deals_a", a, DEAL_COLUMNS),
            "deals_b": write_csv(folder, "deals_b", b, DEAL_COLUMNS)}


def cli(*args: str, env: dict[str, str] | None = None,
        **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300,
                          check=False, env={**os.environ, **(env or {})}, **kw)  # type: ignore[call-overload]


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={**os.environ, **(env or {})})


def pay_args(files: dict[str, Path], deals: str, period: str, ledger: str,
             out: Path) -> list[str]:
    return ["payroll", "--period", period, "--ledger", ledger, "--plans", str(PLANS),
            "--roster", str(files["roster"]), "--deals", str(files[deals]), "--year", "2026",
            "--out", str(out)]


def state(ledger: str) -> dict[str, object]:
    return {"runs": query(ledger, "select run_id, period from runs order by run_id"),
            "periods": query(ledger, "select period, state, run_id from periods order by period"),
            "lines": query(ledger, "select line_id, cents from lines order by line_id")}


def orphans(ledger: str) -> list[tuple[object, ...]]:
    """Lines of no run, runs of no period, periods of no run."""
    return (query(ledger, "select line_id from lines where run_id not in "
                          "(select run_id from periods)")
            + query(ledger, "select run_id from runs where run_id not in "
                            "(select run_id from periods)")
            + query(ledger, "select period from periods where run_id not in "
                            "(select run_id from runs)"))


def test_months_are_paid_in_order(tmp_path: Path, ledger: str) -> None:
    # Repro 1: February, then January, paid January twice over as adjustments.
    files = company(tmp_path)
    feb = cli(*pay_args(files, "deals_a", "2026-02", ledger, tmp_path / "feb"))
    assert feb.returncode == 0, feb.stderr
    jan = cli(*pay_args(files, "deals_a", "2026-01", ledger, tmp_path / "jan"))
    assert jan.returncode == 2
    assert "2026-01 comes before 2026-02, the ledger's first month" in jan.stderr
    assert not (tmp_path / "jan").exists()
    assert cli("close", "--period", "2026-02", "--ledger", ledger).returncode == 0
    apr = cli(*pay_args(files, "deals_a", "2026-04", ledger, tmp_path / "apr"))
    assert apr.returncode == 2
    assert "pay and close 2026-03 before paying 2026-04: months are paid in order" in apr.stderr
    mar = cli(*pay_args(files, "deals_a", "2026-03", ledger, tmp_path / "mar"))
    assert mar.returncode == 0, mar.stderr
    again = cli(*pay_args(files, "deals_a", "2026-02", ledger, tmp_path / "feb2"))
    assert again.returncode == 2 and "2026-02 is closed" in again.stderr


def test_two_months_paid_at_once_on_an_empty_ledger_pay_one(tmp_path: Path,
                                                             ledger: str) -> None:
    files = company(tmp_path)
    procs = [start(*pay_args(files, "deals_a", m, ledger, tmp_path / m))
             for m in ("2026-01", "2026-02")]
    codes = sorted(p.wait(timeout=300) for p in procs)
    assert codes == [0, 2], [p.stdout.read() if p.stdout else "" for p in procs]
    assert len(query(ledger, "select period from periods")) == 1
    assert orphans(ledger) == []


def paused_close(tmp_path: Path, ledger: str, seconds: int
                 ) -> tuple[dict[str, Path], dict[str, object], subprocess.Popen[str]]:
    """January paid, then a close of it paused inside its transaction for ``seconds``
    (fault point ``close:updated``): the company, the ledger before, the closing process."""
    files = company(tmp_path)
    assert cli(*pay_args(files, "deals_a", "2026-01", ledger, tmp_path / "a")).returncode == 0
    before = state(ledger)
    marker = tmp_path / "marker"
    closing = start("close", "--period", "2026-01", "--ledger", ledger,
                    env={"COMPPLAN_FAULT_POINT": "close:updated",
                         "COMPPLAN_FAULT_MARKER": str(marker),
                         "COMPPLAN_FAULT_WAIT": str(seconds)})
    deadline = time.monotonic() + 120
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists()
    return files, before, closing


def test_a_close_in_progress_is_never_undone_by_a_payroll(tmp_path: Path,
                                                          ledger: str) -> None:
    # Repro 2: close paused inside its transaction while a payroll of the month runs.
    files, before, closing = paused_close(tmp_path, ledger, seconds=3)
    paying = cli(*pay_args(files, "deals_b", "2026-01", ledger, tmp_path / "b"))
    assert closing.wait(timeout=120) == 0
    assert paying.returncode == 2 and "2026-01 is closed" in paying.stderr, paying.stderr
    assert not (tmp_path / "b").exists()
    after = state(ledger)
    assert after["lines"] == before["lines"] and after["runs"] == before["runs"]
    assert after["periods"] == [("2026-01", "closed", before["periods"][0][2])]  # type: ignore[index]


def test_a_ledger_held_past_the_wait_is_exit_3_and_nothing_is_recorded(
        tmp_path: Path, ledger: str) -> None:
    files, before, closing = paused_close(tmp_path, ledger, seconds=6)
    paying = cli(*pay_args(files, "deals_b", "2026-01", ledger, tmp_path / "b"),
                 env={"COMPPLAN_LEDGER_WAIT": "1"})
    assert paying.returncode == 3, paying.stderr
    assert ("the ledger is busy: another payroll or close held it for 1 s; nothing was "
            "recorded; run it again") in paying.stderr
    assert closing.wait(timeout=120) == 0
    assert state(ledger)["lines"] == before["lines"] and not (tmp_path / "b").exists()


def test_two_payrolls_of_one_month_at_once_leave_one_run(tmp_path: Path, ledger: str) -> None:
    # Repro 3: an open January, then two payrolls of it with different deals at once.
    files = company(tmp_path)
    assert cli(*pay_args(files, "deals_a", "2026-01", ledger, tmp_path / "a")).returncode == 0
    procs = [start(*pay_args(files, d, "2026-01", ledger, tmp_path / d))
             for d in ("deals_a", "deals_b")]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    runs = query(ledger, "select run_id from runs")
    assert len(runs) == 1 and orphans(ledger) == []
    (period,) = query(ledger, "select run_id from periods")
    assert period == runs[0]
    for d in ("deals_a", "deals_b"):  # and each input pays alone again afterwards
        again = cli(*pay_args(files, d, "2026-01", ledger, tmp_path / f"again-{d}"))
        assert again.returncode == 0, again.stderr


def test_two_payrolls_on_a_fresh_database_both_open_it(tmp_path: Path, ledger: str) -> None:
    # Repro 4: concurrent schema creation on an empty database.
    files = company(tmp_path)
    procs = [start(*pay_args(files, "deals_a", "2026-01", ledger, tmp_path / str(i)))
             for i in range(3)]
    outputs = [(p.wait(timeout=300), p.stdout.read() if p.stdout else "") for p in procs]
    assert [code for code, _ in outputs] == [0, 0, 0], outputs
    assert query(ledger, "select version from schema_version") == [(SCHEMA_VERSION,)]


def test_a_database_refuses_to_change_a_closed_month(tmp_path: Path, ledger: str) -> None:
    files = company(tmp_path)
    assert cli(*pay_args(files, "deals_a", "2026-01", ledger, tmp_path / "a")).returncode == 0
    assert cli("close", "--period", "2026-01", "--ledger", ledger).returncode == 0
    engine = sa.create_engine(url_for(ledger))
    try:
        for sql in ("update lines set cents = cents + 1",
                    "delete from lines",
                    "update periods set state = 'open'",
                    "delete from periods",
                    "delete from runs"):
            with pytest.raises(sa.exc.DBAPIError, match="a closed period never changes"), \
                    engine.begin() as conn:
                conn.execute(sa.text(sql))
    finally:
        engine.dispose()


@pytest.mark.parametrize("command", ["run", "statements", "payroll"])
@pytest.mark.parametrize(("cell", "message"), [
    ("X" * 250, "row 3, payee_id: is 250 characters long: expected at most 200"),
    ("A\x00B", "row 3, payee_id: holds a NUL character"),
])
def test_ids_a_backend_would_refuse_are_refused_at_ingest(
        tmp_path: Path, ledger: str, command: str, cell: str, message: str) -> None:
    files = company(tmp_path)
    roster = pd.read_csv(files["roster"], dtype=str, keep_default_na=False)
    roster.loc[1, "payee_id"] = cell
    roster.to_csv(files["roster"], index=False)
    out = tmp_path / "out"
    common = ["--plans", str(PLANS), "--roster", str(files["roster"]), "--deals",
              str(files["deals_a"]), "--year", "2026", "--out", str(out)]
    argv = {"run": ["run", *common], "statements": ["statements", *common],
            "payroll": ["payroll", "--period", "2026-01", "--ledger", ledger, *common]}[command]
    proc = cli(*argv)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()
    if command == "payroll" and "://" not in ledger:
        assert not Path(ledger).exists()


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails: EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


def test_a_full_disk_under_a_sqlite_ledger_is_exit_3_without_data(tmp_path: Path) -> None:
    files = company(tmp_path)
    ledger = str(tmp_path / "ledger.db")
    assert cli(*pay_args(files, "deals_a", "2026-01", ledger, tmp_path / "a")).returncode == 0
    before = state(ledger)
    many = [person(f"P{i}", "partner-2026") for i in range(3000)]  # lines past the limit
    write_csv(tmp_path, "roster", [*pd.read_csv(files["roster"], dtype=str,
                                                keep_default_na=False).to_dict("records"),
                                   *many], list(many[0]))
    write_csv(tmp_path, "deals_b", [deal(f"D{i}", f"P{i}", 1000 + i, "2026-01-05")
                                    for i in range(3000)], DEAL_COLUMNS)
    proc = subprocess.run([*CLI, *pay_args(files, "deals_b", "2026-01", ledger, tmp_path / "b")],
                          preexec_fn=_limit_file_size, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 3, proc.stderr
    assert ("the ledger cannot be written (a disk I/O error: a full disk, a file size "
            "limit?): nothing was recorded") in proc.stderr
    assert "Traceback" not in proc.stderr and "INSERT" not in proc.stderr
    assert "Name A" not in proc.stderr and len(proc.stderr) < 500
    assert state(ledger) == before and not (tmp_path / "b").exists()


@pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL server (COMPPLAN_TEST_POSTGRES)")
def test_a_full_disk_under_postgresql_is_exit_3_without_data(tmp_path: Path,
                                                             ledger: str) -> None:
    if "://" not in ledger:
        pytest.skip("PostgreSQL only: SQLite's full disk is the test above")
    files = company(tmp_path)
    assert cli(*pay_args(files, "deals_a", "2026-01", ledger, tmp_path / "a")).returncode == 0
    before = state(ledger)
    proc = cli(*pay_args(files, "deals_b", "2026-01", ledger, tmp_path / "b"),
               env={"COMPPLAN_FAULT_POINT": "record", "COMPPLAN_FAULT_SQLSTATE": "53100",
                    "COMPPLAN_FAULT_MARKER": str(tmp_path / "marker")})
    assert proc.returncode == 3, proc.stderr
    assert "the ledger's disk is full: nothing was recorded" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert state(ledger) == before and not (tmp_path / "b").exists()


@pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL server (COMPPLAN_TEST_POSTGRES)")
def test_a_ledger_password_is_never_shown(tmp_path: Path, ledger: str) -> None:
    if "://" not in ledger:
        pytest.skip("a URL with a password is PostgreSQL's")
    files = company(tmp_path)
    secret = "S3cret-ledger-pw"  # a role of its own: the server's user name is its password
    admin = sa.create_engine(url_for(POSTGRES), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(sa.text("select 1 from pg_roles where rolname = 'comp_secret'")
                            ).first():
            conn.execute(sa.text(f"create role comp_secret login password '{secret}'"))
        conn.execute(sa.text(f"alter database {ledger.rsplit('/', 1)[1]} owner to comp_secret"))
    admin.dispose()
    head, tail = ledger.split("://", 1)
    ledger = f"{head}://comp_secret:{secret}@{tail.split('@', 1)[1]}"
    ok = cli(*pay_args(files, "deals_a", "2026-01", ledger, tmp_path / "a"))
    assert ok.returncode == 0 and secret not in ok.stdout + ok.stderr
    assert ":***@" in ok.stdout
    wrong = ledger.replace(f":{secret}@", ":S3cretWrong@")
    bad = cli(*pay_args(files, "deals_a", "2026-01", wrong, tmp_path / "b"))
    assert bad.returncode == 2 and "S3cretWrong" not in bad.stdout + bad.stderr
    assert ":***@" in bad.stderr
    from_env = cli(*[a for a in pay_args(files, "deals_a", "2026-01", "", tmp_path / "c")
                     if a not in ("--ledger", "")], env={"COMPPLAN_LEDGER": ledger})
    assert from_env.returncode == 0, from_env.stderr
    assert secret not in from_env.stdout + from_env.stderr
    ran = query(ledger, "select inputs from runs")
    assert all(secret not in str(row) for row in ran)


# -- the concurrency test ---------------------------------------------------------------

WORKERS = 8
SECONDS = 20.0


def test_eight_processes_paying_and_closing_at_random_keep_the_invariants(
        tmp_path: Path, ledger: str) -> None:
    files = company(tmp_path)
    log = tmp_path / "log.jsonl"
    env = {**os.environ, "COMPPLAN_LEDGER_WAIT": "120"}
    procs = [subprocess.Popen([sys.executable, "-m", "tests.ledger_worker", ledger,
                               str(tmp_path), str(seed), str(SECONDS), str(log)],
                              cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
             for seed in range(WORKERS)]
    for p in procs:
        assert p.wait(timeout=600) == 0, p.stderr.read() if p.stderr else ""
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    done = [e for e in entries if e["ok"]]
    assert len(entries) >= 2 * WORKERS and done, "the workers did too little to tell"
    assert all(e["code"] == 2 for e in entries if not e["ok"]), [
        e for e in entries if not e["ok"] and e["code"] != 2][:3]
    assert orphans(ledger) == []
    periods = query(ledger, "select period, state, run_id from periods order by period")
    closed = [p for p, s, _ in periods if s == "closed"]
    assert len(closed) >= 3, f"only {closed} closed: the workers did too little to tell"
    opened = [p for p, s, _ in periods if s == "open"]
    months = [p for p, _, _ in periods]
    # in order: closed months are a run from the first, at most one open month after them
    assert closed == months[:len(closed)] and len(opened) <= 1
    assert all(int(b[5:]) - int(a[5:]) == 1 for a, b in itertools.pairwise(months))
    recorded = {e["run_id"]: e for e in done if e["op"] == "payroll"}
    closes = defaultdict(list)
    for e in done:
        if e["op"] == "close":
            closes[e["month"]].append(e["run_id"])
    for period, st, run_id in periods:
        lines = query(ledger, f"select count(*), coalesce(sum(cents), 0) from lines "
                              f"where run_id = '{run_id}'")[0]
        # every month's lines are those its payroll recorded (and computed)
        assert lines == (recorded[run_id]["lines"], recorded[run_id]["cents"]), period
        if st == "closed":  # closed once, and what the close saw is what stays
            assert closes[period] == [run_id]
    if closed:  # earned + adjusted through the last closed month = the engine's, to the cent
        last = closed[-1]
        variant = recorded[{p: r for p, _, r in periods}[last]]["variant"]
        result = evaluate(load_plans(PLANS), load_inputs(files["roster"], files[variant]), 2026)
        engine_cents = int(result.lines[result.lines["period"] <= last]["cents"].sum())
        paid = query(ledger, "select coalesce(sum(l.cents), 0) from lines l join periods p "
                             "on p.run_id = l.run_id where p.state = 'closed' "
                             "and l.kind in ('earned', 'adjustment')")[0][0]
        assert int(paid) == engine_cents  # type: ignore[call-overload]
