"""One statement workbook per payee, holding only that payee's data.

A statement shows the payee's seats (plan, dates, base, target, quota), pay by
component and month, attainment by period, each payout line with how it was computed
(the text of ``compplan explain``, a line per row, without the names of the reports a roll-up came
from), and the payee's own credits with their deal ids. Nothing else from the run is
written: no other payee's id, name, or deal.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook

from compplan.core.atomic import Writer, write_atomically, write_csv
from compplan.core.currencies import decimals, scale
from compplan.core.money import exact_sum
from compplan.engine.result import Evaluation
from compplan.errors import InputError, Issue, OutputError
from compplan.excel.sheet import Layout, blank, set_widths, title, write_table
from compplan.reports.attainment import attainment_table
from compplan.reports.conservation import grouped_cents
from compplan.reports.credit_table import credits_table
from compplan.reports.describe import plan_rows
from compplan.reports.draw_balances import monthly_balances
from compplan.reports.explain import explain_components

INDEX = "index.csv"
"""Which statement file is whose: ``payee_id, file``."""
SEAT_COLUMNS = ["plan", "from", "to", "base_salary", "target_incentive", "quota"]
CREDIT_COLUMNS = ["date", "period", "plan", "measure", "kind", "deal_id", "amount", "split"]


_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
_STEM = 60


def _stem(payee_id: str) -> str:
    """A portable file stem: letters, digits, ``_ . -`` only, no trailing dot or space,
    not a name Windows reserves, at most 60 characters."""
    stem = re.sub(r"[^A-Za-z0-9_.\-]", "_", payee_id)[:_STEM].rstrip(". ") or "payee"
    return "_" + stem if stem.split(".")[0].upper() in _RESERVED else stem


def statement_names(payee_ids: list[str]) -> dict[str, str]:
    r"""A file name per payee, unique on every file system (case-insensitively).

    A payee id that is its own portable stem keeps it (``AE01.xlsx``); one that had to
    change, or that collides with another once changed, gets a short digest of the id
    too, so ``AE_01`` and ``AE~01`` never share a statement.

    >>> names = statement_names(["AE01", "AE_01", "AE~01", "x\\y", "CON", "ae01"])
    >>> names["AE01"], names["AE_01"], names["CON"]
    ('AE01-7d1d3def42.xlsx', 'AE_01-31f4462b6f.xlsx', '_CON-a3dbc4b644.xlsx')
    >>> names["AE~01"].startswith("AE_01-") and len(set(names.values())) == 6
    True
    """
    stems = {p: _stem(p) for p in payee_ids}
    taken = Counter(stem.lower() for stem in stems.values())
    names = {p: (stem if stem == p and taken[stem.lower()] == 1
                 else f"{stem}-{hashlib.sha256(p.encode()).hexdigest()[:10]}") + ".xlsx"
             for p, stem in stems.items()}
    if len({n.lower() for n in names.values()}) != len(names):  # a digest collision
        raise OutputError([Issue("statements", "two payees would share a statement file name")])
    return names


def statement_name(payee_id: str) -> str:
    """The file name of one payee's statement when written alone."""
    return statement_names([payee_id])[payee_id]


def _seats(result: Evaluation, payee_id: str) -> pd.DataFrame:
    mine = result.seats[result.seats["payee_id"] == payee_id]
    frame = pd.DataFrame({"plan": mine["plan"].to_numpy(),
                          "from": mine["start"].to_numpy(), "to": mine["end"].to_numpy()})
    for col in SEAT_COLUMNS[3:]:
        frame[col] = mine[col].to_numpy() if col in mine else np.nan
    return frame


def _pay_grid(lines: pd.DataFrame, year: int) -> pd.DataFrame:
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    wide = lines.pivot_table(index=["plan", "component"], columns="period", values="cents",
                             aggfunc="sum", fill_value=0).reindex(columns=months, fill_value=0)
    out = wide.reset_index()[["plan", "component"]]
    unit = scale(str(lines["currency"].iloc[0])) if len(lines) else 100  # one per payee
    for month in months:
        out[month] = wide[month].to_numpy() / unit
    out["total"] = wide.to_numpy().sum(axis=1) / unit
    return out


def _draw_grid(result: Evaluation, payee_id: str) -> pd.DataFrame:
    """The payee's recoverable draws: the balance owed after each month of the year."""
    every = monthly_balances(result)
    mine = every[every["payee_id"] == payee_id]
    wide = mine.pivot_table(index=["plan", "component"], columns="month",
                            values="balance_cents", aggfunc="sum", fill_value=0)
    out = wide.reset_index()[["plan", "component"]]
    units = out["plan"].map(lambda p: scale(result.plans[str(p)].currency)).to_numpy(
        dtype=np.float64)  # a draw's balance is in its plan's currency
    for m in range(1, 13):
        out[f"{result.year}-{m:02d}"] = wide[m].to_numpy() / units if m in wide else 0.0
    return out


def _explained(result: Evaluation, payee_id: str,
               lines: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Payout lines, and how each was computed: one row per line of explanation."""
    paid, told = [], []
    for period in sorted(lines["period"].unique()):
        notes = {(plan, comp): text for plan, comp, text in
                 explain_components(result, payee_id, period, private=True)}
        month = lines[lines["period"] == period]
        for line in month.itertuples(index=False):
            paid.append({"period": period, "plan": line.plan, "component": line.component,
                         "amount": line.amount, "currency": line.currency})
            for text in notes.get((line.plan, line.component), []):
                told.append({"period": period, "plan": line.plan,
                             "component": line.component, "how it was computed": text})
    return (pd.DataFrame(paid, columns=["period", "plan", "component", "amount", "currency"]),
            pd.DataFrame(told, columns=["period", "plan", "component", "how it was computed"]))


def _credits(result: Evaluation, payee_id: str) -> pd.DataFrame:
    c = credits_table(result)
    mine = c[(c["payee_id"] == payee_id).to_numpy()]
    shown = ["date", "period", "plan", "measure", "kind", "deal_id", "amount", "split"]
    shown += [c for c in ("deal_amount", "currency", "fx_rate") if c in mine]  # converted
    out = mine[shown]
    return out.reset_index(drop=True)


def write_statement(result: Evaluation, payee_id: str, path: Path,
                    attainment: pd.DataFrame) -> None:
    """Write one payee's statement workbook."""
    roster = result.inputs.roster.frame
    person = roster[roster["payee_id"] == payee_id]
    name = str(person["name"].iloc[0]) if "name" in person and len(person) else ""
    lines = result.lines[result.lines["payee_id"] == payee_id]
    wb = Workbook(write_only=True)
    ws: Any = wb.create_sheet("Statement")
    set_widths(ws, [18, *[14] * 14])  # before the first row: a write-only sheet needs that
    title(ws, f"Statement {result.year}: {name} ({payee_id})")
    code = str(lines["currency"].iloc[0]) if len(lines) else ""
    total = grouped_cents(exact_sum(lines["cents"].to_numpy()), decimals(code) if code else 2)
    ws.append([f"Total pay {total} {code}; each line is explained on the Explained sheet, "
               "each credit listed on the Credits sheet."])
    blank(ws)
    seats = _seats(result, payee_id)
    _, last = write_table(ws, seats, "seats", Layout(
        {"from": "date", "to": "date", "base_salary": "money", "target_incentive": "money",
         "quota": "money"}), header_at=4, set_widths=False)
    blank(ws)
    grid = _pay_grid(lines, result.year)
    months = [c for c in grid.columns if c[:4].isdigit()]
    _, last = write_table(ws, grid, "pay",
                          Layout({**dict.fromkeys([*months, "total"], "money")}),
                          header_at=last + 2, set_widths=False)
    blank(ws)
    owed = _draw_grid(result, payee_id)
    if len(owed):
        ws.append(["Draw balance owed after each month (top-ups not yet recovered)"])
        _, last = write_table(ws, owed, "draws", Layout(
            dict.fromkeys(owed.columns[2:], "money")), header_at=last + 3, set_widths=False)
        blank(ws)
    rules = pd.DataFrame([row for plan_id in seats["plan"].unique()
                          for row in plan_rows(result.plans[plan_id])])
    write_table(ws, rules, "plan rules", Layout(), header_at=last + 2, set_widths=False)
    mine = attainment[attainment["payee_id"] == payee_id].drop(columns=["payee_id"])
    write_table(wb.create_sheet("Attainment"), mine, "attainment",
                Layout({"quota": "money", "credited": "money", "attainment": "pct"}))
    paid, told = _explained(result, payee_id, lines)
    write_table(wb.create_sheet("Payouts"), paid, "payouts", Layout({"amount": "money"}))
    write_table(wb.create_sheet("Explained"), told, "explained",
                Layout(widths={"how it was computed": 110}))
    write_table(wb.create_sheet("Credits"), _credits(result, payee_id), "credits",
                Layout({"amount": "money", "split": "number", "date": "date"}))
    wb.save(path)


def write_statements(result: Evaluation, out: Path, payees: list[str] | None = None) -> list[Path]:
    """Write one statement per payee (all seated payees by default) into ``out``.

    Written as every run's files are (:func:`compplan.core.atomic.write_atomically`), so a
    failed run leaves the previous statements as they were.
    """
    wanted = payees or sorted(result.seats["payee_id"].unique())
    unknown = sorted(set(wanted) - set(result.seats["payee_id"]))
    if unknown:
        raise InputError([Issue("--payee", f"{', '.join(map(repr, unknown))}: not in the "
                                f"roster, or on no plan in {result.year}")])
    attainment = attainment_table(result)

    def statement(payee: str) -> Writer:
        return lambda path: write_statement(result, payee, path, attainment)

    names = statement_names(sorted(result.seats["payee_id"].unique()))  # stable per roster
    index = pd.DataFrame({"payee_id": wanted, "file": [names[p] for p in wanted]})
    writers = {names[p]: statement(p) for p in wanted}
    writers[INDEX] = lambda path: write_csv(index, path, set())
    return write_atomically(out, writers)
