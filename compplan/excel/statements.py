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
import textwrap
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from compplan.core.atomic import Writer, write_atomically, write_csv
from compplan.core.currencies import decimals, scale
from compplan.core.money import exact_sum
from compplan.engine.result import Evaluation
from compplan.errors import InputError, Issue, OutputError
from compplan.excel.page import Printed, Stamp, new_sheet, set_print
from compplan.excel.pdf import require_office, to_pdf
from compplan.excel.sheet import (
    Layout,
    blank,
    set_widths,
    table_sheet,
    text_cell,
    title,
    total_row,
    write_table,
)
from compplan.reports.attainment import attainment_table
from compplan.reports.conservation import grouped_cents
from compplan.reports.credit_table import credits_table
from compplan.reports.describe import plan_rows
from compplan.reports.draw_balances import monthly_balances
from compplan.reports.explain import explain_components
from compplan.reports.tiers import standings

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


_SECTION = Font(bold=True, size=12, color="1F4E78")
STATEMENT_WIDTHS = [18.0, 18.0, *[11.0] * 12, 13.0]
"""Plan, component, twelve months and the total: the pay grid sets the page's columns."""


def _section(ws: Any, text: str) -> None:
    cell = text_cell(ws, text)
    cell.font = _SECTION
    ws.append([cell])


def _text(ws: Any, text: str) -> None:
    ws.append([text_cell(ws, text)])


def _money(cents: int, code: str) -> str:
    return f"{grouped_cents(cents, decimals(code) if code else 2)} {code}".strip()


def _earned(lines: pd.DataFrame) -> str:
    """``Total pay 98,000.00 USD: salary 60,000.00 USD, variable pay 38,000.00 USD.``"""
    if not len(lines):
        return "No pay in this year."
    code = str(lines["currency"].iloc[0])  # a payee is paid in one currency
    cents = lines["cents"].to_numpy()
    salary = lines["kind"].to_numpy() == "salary"
    return (f"Total pay {_money(exact_sum(cents), code)}: salary "
            f"{_money(exact_sum(cents[salary]), code)}, variable pay "
            f"{_money(exact_sum(cents[~salary]), code)}.")


def _cents_text(value: float) -> str:
    """A computed amount to the cent, rounded half-up in decimal (not float ``round``).

    >>> _cents_text(710000.005), _cents_text(2.675)
    ('710,000.01', '2.68')
    """
    return f"{Decimal(repr(value)).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


def _why(result: Evaluation, payee_id: str, attainment: pd.DataFrame,
         plans: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The year's attainment of each quota measure with the tier reached, and what the
    next tier takes, as sentences."""
    year = attainment[(attainment["payee_id"] == payee_id)
                      & (attainment["period_kind"] == "year")]
    rows, next_steps = [], []
    for plan_id in plans:
        plan = result.plans[plan_id]
        for row in year[year["plan"] == plan_id].to_dict("records"):
            quota, credited = float(row["quota"]), float(row["credited"])
            measure = str(row["measure"])
            found = standings(plan, measure, credited, quota)
            rows.append({"plan": plan_id, "measure": measure, "year quota": quota,
                         "credited": credited, "attainment": row["attainment"],
                         "tier reached": "; ".join(f"{s.component}: {s.reached}"
                                                   for s in found) or "no tiers or curve"})
            for s in found:
                if s.to_go is not None and s.to_go > 0:
                    next_steps.append(
                        f"{s.component} ({plan_id}): {_cents_text(s.to_go)} more {measure} "
                        f"credited reaches the {s.step} from {s.next_from}.")
    columns = ["plan", "measure", "year quota", "credited", "attainment", "tier reached"]
    return pd.DataFrame(rows, columns=columns), next_steps


def _plan_in_words(ws: Any, result: Evaluation, plans: list[str]) -> int:
    """Each plan's description and components in words; return the rows written."""
    written = 0
    for plan_id in plans:
        plan = result.plans[plan_id]
        said = [f"{plan_id}{' — ' + plan.name if plan.name else ''} ({plan.currency})"]
        said += ["  " + line for line in textwrap.wrap(" ".join(plan.description.split()), 160)]
        for row in plan_rows(plan):
            paid = f", paid each {row['paid']}" if row["paid"] != "month" else ""
            said += [("  • " if k == 0 else "     ") + line for k, line in enumerate(
                textwrap.wrap(f"{row['component']} ({row['kind']}{paid}): {row['rule']}", 160))]
        for line in said:
            _text(ws, line)
        written += len(said)
    return written


def _pay_block(ws: Any, lines: pd.DataFrame, year: int, header_at: int) -> int:
    """Pay by component and month with a total row; return its last row."""
    grid = _pay_grid(lines, year)
    months = [c for c in grid.columns if c[:4].isdigit()]
    code = str(lines["currency"].iloc[0]) if len(lines) else None  # one per payee
    _, last = write_table(ws, grid, "pay", Layout(dict.fromkeys([*months, "total"], "money"),
                                                  as_is=frozenset(months), currency=code),
                          header_at=header_at, set_widths=False)
    if code is not None:  # the month totals, from the cents (never a sum of rounded floats)
        unit = scale(code)
        cents = lines.groupby("period")["cents"].sum().reindex(months, fill_value=0)
        total_row(ws, ["total", "", *(cents.to_numpy() / unit).tolist(),
                       exact_sum(lines["cents"].to_numpy()) / unit],
                  ["text", "text", *["money"] * 13], code)
        last += 1
    return last


def _front_page(ws: Any, result: Evaluation, payee_id: str, lines: pd.DataFrame,
                attainment: pd.DataFrame, stamp: Stamp) -> None:
    """The Statement sheet, one printed page: what was earned, why, and what is next."""
    roster = result.inputs.roster.frame
    person = roster[roster["payee_id"] == payee_id]
    name = str(person["name"].iloc[0]) if "name" in person and len(person) else ""
    seats = _seats(result, payee_id)
    plans = list(dict.fromkeys(seats["plan"]))
    set_widths(ws, STATEMENT_WIDTHS)  # before the first row: a write-only sheet needs that
    title(ws, f"Statement {result.year}: {name} ({payee_id})")
    _text(ws, f"Plan year {result.year}. {stamp.line()}"
              + (" Questions: quote the run id." if stamp.run_id else ""))
    blank(ws)
    _section(ws, "What you earned")
    _text(ws, _earned(lines))
    row = 6
    last = _pay_block(ws, lines, result.year, row)
    blank(ws)
    row = last + 2
    owed = _draw_grid(result, payee_id)
    if len(owed):
        ws.append(["Draw balance owed after each month (top-ups not yet recovered)"])
        draw_months = list(owed.columns[2:])
        _, last = write_table(ws, owed, "draws", Layout(
            dict.fromkeys(draw_months, "money"), as_is=frozenset(draw_months)),
            header_at=row + 1, set_widths=False)
        blank(ws)
        row = last + 2
    _section(ws, "Why: attainment against quota")
    why, next_steps = _why(result, payee_id, attainment, plans)
    if len(why):
        _, last = write_table(ws, why, "attainment year", Layout(
            {"year quota": "money", "credited": "money", "attainment": "pct"}),
            header_at=row + 1, set_widths=False)
        blank(ws)
        row = last + 2
    else:
        _text(ws, "No quota this year: pay does not depend on attainment.")
        blank(ws)
        row += 3
    _section(ws, "What is next")
    if len(owed):
        next_steps.append("A recoverable draw is repaid from later commission (table above).")
    next_steps.append("Each payout line is explained on the Explained sheet, each credit "
                      "listed on the Credits sheet, attainment by month and quarter on the "
                      "Attainment sheet.")
    for step in next_steps:
        _text(ws, step)
    blank(ws)
    row += len(next_steps) + 2
    _section(ws, "Your plan")
    _, last = write_table(ws, seats, "seats", Layout(
        {"from": "date", "to": "date", "base_salary": "money", "target_incentive": "money",
         "quota": "money"}), header_at=row + 1, set_widths=False)
    blank(ws)
    words = _plan_in_words(ws, result, plans)
    set_print(ws, Printed(last + 1 + words, len(STATEMENT_WIDTHS)), stamp, one_page=True,
              landscape=True)


def write_statement(result: Evaluation, payee_id: str, path: Path,
                    attainment: pd.DataFrame, stamp: Stamp) -> None:
    """Write one payee's statement workbook: the front page, then the detail sheets."""
    lines = result.lines[result.lines["payee_id"] == payee_id]
    wb = Workbook(write_only=True)
    _front_page(new_sheet(wb, "Statement"), result, payee_id, lines, attainment, stamp)
    mine = attainment[attainment["payee_id"] == payee_id].drop(columns=["payee_id"])
    table_sheet(wb, "Attainment", mine, "attainment",
                Layout({"quota": "money", "credited": "money", "attainment": "pct"}), stamp)
    paid, told = _explained(result, payee_id, lines)
    table_sheet(wb, "Payouts", paid, "payouts", Layout({"amount": "money"},
                                                       currency="currency"), stamp)
    table_sheet(wb, "Explained", told, "explained",
                Layout(widths={"how it was computed": 100}), stamp)
    table_sheet(wb, "Credits", _credits(result, payee_id), "credits",
                Layout({"amount": "money", "split": "number", "date": "date"}), stamp)
    wb.save(path)


def write_statements(result: Evaluation, out: Path, payees: list[str] | None = None,
                     stamp: Stamp | None = None, pdf: bool = False) -> list[Path]:
    """Write one statement per payee (all seated payees by default) into ``out``, and
    with ``pdf`` each one's PDF beside it (through LibreOffice, :mod:`compplan.excel.pdf`).
    ``stamp`` traces each statement to its run (the time of writing without one).

    Written as every run's files are (:func:`compplan.core.atomic.write_atomically`), so a
    failed run leaves the previous statements as they were.
    """
    wanted = payees or sorted(result.seats["payee_id"].unique())
    unknown = sorted(set(wanted) - set(result.seats["payee_id"]))
    if unknown:
        raise InputError([Issue("--payee", f"{', '.join(map(repr, unknown))}: not in the "
                                f"roster, or on no plan in {result.year}")])
    if pdf:  # before minutes of writing, not after
        require_office()
    attainment = attainment_table(result)
    run = stamp if stamp is not None else Stamp.now(result.year)

    def statement(payee: str) -> Writer:
        return lambda path: write_statement(result, payee, path, attainment, run)

    names = statement_names(sorted(result.seats["payee_id"].unique()))  # stable per roster
    index = pd.DataFrame({"payee_id": wanted, "file": [names[p] for p in wanted]})
    writers = {names[p]: statement(p) for p in wanted}
    if pdf:
        index["pdf"] = [Path(names[p]).with_suffix(".pdf").name for p in wanted]
        writers.update(_pdf_writers([names[p] for p in wanted]))
    writers[INDEX] = lambda path: write_csv(index, path, set())
    return write_atomically(out, writers)


def _pdf_writers(books: list[str]) -> dict[str, Writer]:
    """A writer per statement PDF; the first converts every staged workbook in one
    LibreOffice run, the others take their file from it."""
    converted: list[Path] = []

    def writer(book: str) -> Writer:
        def write(path: Path) -> None:
            folder = path.parent / ".pdf"
            if not converted:
                converted.extend(to_pdf([path.parent / b for b in books], folder))
            (folder / path.name).replace(path)
        return write

    return {Path(book).with_suffix(".pdf").name: writer(book) for book in books}
