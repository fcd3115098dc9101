"""Shared helpers: build small input files from inline rows and run the real plans."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from compplan.inputs.bundle import Inputs, load_inputs
from compplan.inputs.ingest import table_from_frame
from compplan.inputs.synth import Size, make
from compplan.ledger.store import url_for
from compplan.plan.load import load_plans
from compplan.result import Result, evaluate

ROOT = Path(__file__).resolve().parent.parent
PLANS = ROOT / "plans"

ROSTER_COLUMNS = ["payee_id", "name", "role", "plan", "manager_id", "start_date", "end_date",
                  "base_salary", "target_incentive", "quota"]
DEAL_COLUMNS = ["deal_id", "owner_id", "split_pct", "amount", "margin", "stage", "created_date",
                "close_date", "cancel_date", "term_months", "account_id", "sdr_id"]


@pytest.fixture(scope="session")
def plans() -> dict[str, Any]:
    return load_plans(PLANS)


def person(payee_id: str, plan: str, **kw: Any) -> dict[str, Any]:
    """A roster row with sensible defaults (active all year, no money columns)."""
    row = dict.fromkeys(ROSTER_COLUMNS, "")
    row.update(payee_id=payee_id, name=f"Name {payee_id}", plan=plan, start_date="2025-01-01")
    row.update(kw)
    return row


def deal(deal_id: str, owner_id: str, amount: float, close: str = "", **kw: Any) -> dict[str, Any]:
    """A Closed Won deal row unless told otherwise."""
    row = dict.fromkeys(DEAL_COLUMNS, "")
    row.update(deal_id=deal_id, owner_id=owner_id, amount=amount, margin=kw.pop("margin", 0),
               stage="Closed Won", created_date="2026-01-02", close_date=close, term_months=12)
    row.update(kw)
    return row


def write_csv(folder: Path, name: str, rows: list[dict[str, Any]], columns: list[str]) -> Path:
    path = folder / f"{name}.csv"
    frame = pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)
    frame.to_csv(path, index=False)
    return path


class Case:
    """Inputs for one hand-computed case, written to CSV and run like the CLI does, by
    the in-process engine or, given a Dask client, by the Dask engine."""

    def __init__(self, folder: Path, client: Any = None) -> None:
        self.folder = folder
        self.client = client
        self.roster: list[dict[str, Any]] = []
        self.deals: list[dict[str, Any]] = []
        self.quotas: list[dict[str, Any]] = []
        self.accounts: list[dict[str, Any]] = []

    def paths(self) -> dict[str, Path | None]:
        return {
            "roster": write_csv(self.folder, "roster", self.roster, ROSTER_COLUMNS),
            "deals": write_csv(self.folder, "deals", self.deals, DEAL_COLUMNS),
            "quotas": write_csv(self.folder, "quotas", self.quotas,
                                ["payee_id", "measure", "period", "quota"]),
            "accounts": write_csv(self.folder, "accounts", self.accounts,
                                  ["account_id", "kam_id", "class"]),
        }

    def run(self, year: int = 2026, plans_dir: Path = PLANS) -> Result:
        p = self.paths()
        inputs = load_inputs(p["roster"], p["deals"], p["quotas"], p["accounts"])  # type: ignore[arg-type]
        if self.client is not None:
            from compplan.dask_engine import evaluate_dask

            return evaluate_dask(load_plans(plans_dir), inputs, year, self.client)
        return evaluate(load_plans(plans_dir), inputs, year)


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    """One local Dask cluster of two worker processes for the whole test session."""
    from compplan.dask_engine import connect

    with connect(workers=2) as client:
        yield client


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``both_engines`` (the reference plans) run on each engine."""
    if "case" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
            "both_engines"):
        metafunc.parametrize("engine", ["memory", "dask"])


@pytest.fixture
def engine() -> str:
    return "memory"


@pytest.fixture
def case(tmp_path: Path, engine: str, request: pytest.FixtureRequest) -> Case:
    return Case(tmp_path, request.getfixturevalue("dask_client") if engine == "dask" else None)


def pay(result: Result, payee: str, period: str, component: str) -> str:
    """The payout amount of one line as written to payouts.csv ('0.00' when absent)."""
    p = result.payouts
    hit = p[(p["payee_id"] == payee) & (p["period"] == period) & (p["component"] == component)]
    assert len(hit) <= 1
    return str(hit["amount"].iloc[0]) if len(hit) else "0.00"


def lines(result: Result, payee: str, component: str) -> dict[str, str]:
    """All months of one payee's component, as {period: amount}."""
    p = result.payouts
    hit = p[(p["payee_id"] == payee) & (p["component"] == component)]
    return dict(zip(hit["period"], hit["amount"], strict=True))


def reasons(result: Result, **match: str) -> list[str]:
    e = result.exceptions
    for key, value in match.items():
        e = e[e[key].astype(str) == value]
    return e["reason"].tolist()


def bookings_measure(extra: str = "") -> str:
    """A plan's ``measures:`` block with one measure, the owners' won amounts by close
    date; ``extra`` adds keys to it (a clawback)."""
    return f"""measures:
  bookings:
    filter: {{column: stage, eq: Closed Won}}
    value: amount
    date: close_date
    credit_to: {{column: owner_id}}
{extra + chr(10) if extra else ""}"""


def plan_folder(tmp_path: Path, text: str, name: str = "plan.yaml") -> Path:
    """A folder holding one inline plan, as a user's plans/ would."""
    folder = tmp_path / "plans"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder


def ten_percent_plan(plan_id: str, commission_extra: str = "", more: str = "",
                     measure_extra: str = "") -> str:
    """Plan text paying 10 % of each month's won bookings: a base to test pay mechanics
    (draws, holds) on. ``commission_extra`` adds keys to the commission, ``more`` adds
    components, ``measure_extra`` keys to the measure (a clawback)."""
    return f"""
plan: {plan_id}
{bookings_measure(measure_extra)}components:
  - id: commission
    kind: commission
    measure: bookings
    basis: value
    period: month
    schedule: {{mode: retroactive, tiers: [{{from: 0, rate: 0.10}}]}}
{commission_extra}{more}"""


CLI = [sys.executable, "-c", "from compplan.cli import main; main()"]

POSTGRES = os.environ.get("COMPPLAN_TEST_POSTGRES", "")


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh ledger: a SQLite file, and a new database on the PostgreSQL server CI runs."""
    if request.param == "sqlite":
        yield str(tmp_path / "ledger.db")
        return
    if not POSTGRES:
        pytest.skip("no PostgreSQL server (set COMPPLAN_TEST_POSTGRES; .ci/run starts one)")
    name = f"ledger_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url_for(POSTGRES), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"create database {name}"))
    yield POSTGRES.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f"drop database {name} with (force)"))
    admin.dispose()


def query(ledger: str, sql: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(url_for(ledger))
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()



def kill_at(args: list[str], point: str, marker: Path) -> None:
    """Run ``compplan ARGS`` in a child process and SIGKILL it at fault point ``point``
    (see :mod:`compplan.core.faults`): no cleanup runs, as after a power cut."""
    env = {**os.environ, "COMPPLAN_FAULT_POINT": point, "COMPPLAN_FAULT_MARKER": str(marker)}
    proc = subprocess.Popen([*CLI, *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert marker.exists(), f"the run never reached {point}"
    proc.send_signal(signal.SIGKILL)
    proc.wait()


TABLES = ("roster", "deals", "quotas", "accounts")


def input_args(folder: Path) -> list[str]:
    """The plans, year and input options of a run on the CSV tables in ``folder``."""
    return ["--plans", str(PLANS), "--year", "2026",
            *[a for n in TABLES for a in (f"--{n}", str(folder / f"{n}.csv"))]]


def synth_inputs(size: Size) -> Inputs:
    """The tables of a synthetic company, typed as a run reads them."""
    company = make(size)
    return Inputs(*(table_from_frame(getattr(company, n), n, f"{n}.csv") for n in TABLES))


@pytest.fixture(scope="session")
def mixed() -> Result:
    """The mixed-2026 case (tests/cases): every sample plan on a handful of payees."""
    case = ROOT / "tests" / "cases" / "mixed-2026"
    inputs = load_inputs(case / "roster.csv", case / "deals.csv", case / "quotas.csv",
                         case / "accounts.csv")
    return evaluate(load_plans(PLANS), inputs, 2026)
