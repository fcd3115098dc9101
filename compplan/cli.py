"""The ``compplan`` command: a thin layer over the API. Only here do errors become
exit codes (see :mod:`compplan.errors`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.progress import Progress

from compplan.commands.feedback import Feedback, feedback
from compplan.commands.project import find_project, load_project, project_defaults
from compplan.core.atomic import write_atomically
from compplan.core.currencies import decimals
from compplan.core.money import AmountOverflowError, exact_sum, format_cents, format_minor
from compplan.core.stopwatch import Stopwatch
from compplan.engine.plan_year import year_warning
from compplan.errors import EXIT_INPUT, CompplanError, InputError, Issue, masked
from compplan.inputs.bundle import Inputs
from compplan.inputs.files import InputFiles
from compplan.inputs.mapping import load_mapping
from compplan.outputs.run_files import write_run
from compplan.outputs.stamp import run_info
from compplan.plan.load import load_plans, load_plans_checked
from compplan.reports.conservation import grouped_cents
from compplan.result import Result, evaluate

app = typer.Typer(add_completion=True, no_args_is_help=True,
                  help="Compensation plans as data, evaluated to the cent.")
err = Console(stderr=True, width=200)
out = Console(width=None if sys.stdout.isatty() else 120)

T = TypeVar("T")
STATE = {"quiet": False}
"""This invocation's display settings (set by the root options)."""

PlansOpt = Annotated[Path, typer.Option("--plans", help="plan file or folder of plan files")]
RosterOpt = Annotated[Path, typer.Option(help="roster.csv / .xlsx / .parquet")]
DealsOpt = Annotated[Path, typer.Option(help="deals.csv / .xlsx / .parquet")]
QuotasOpt = Annotated[Path | None, typer.Option(help="explicit quotas by payee/measure/period")]
AccountsOpt = Annotated[Path | None, typer.Option(
    help="account ownership: account_id,kam_id,class")]
AssignOpt = Annotated[Path | None, typer.Option(help="effective-dated plan assignments")]
TableOpt = Annotated[list[str] | None, typer.Option(
    "--table", help="another input table a plan reads, as NAME=PATH (repeatable)")]
MappingOpt = Annotated[str | None, typer.Option(
    help="column mapping file, or a preset: salesforce, hubspot")]
FxOpt = Annotated[Path | None, typer.Option(
    "--fx", help="exchange rates: date (or period),from,to,rate")]
YearOpt = Annotated[int, typer.Option(help="plan year (calendar)", min=1970, max=2100)]
EngineOpt = Annotated[str, typer.Option(
    help="memory (this process) or dask (a Dask cluster: --scheduler, or a local one)")]
SchedulerOpt = Annotated[str | None, typer.Option(
    help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster)")]
WorkersOpt = Annotated[int | None, typer.Option(
    help="workers of the local Dask cluster (default: one per core)")]


def _guard(action: Callable[[], T]) -> T:
    try:
        return action()
    except CompplanError as exc:
        for issue in exc.issues:
            err.print(issue.render(), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None
    except AmountOverflowError as exc:  # input that makes pay run away: bad input, never paid
        err.print(f"compplan: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_INPUT) from None


def _print_version(value: bool) -> None:
    if value:
        from compplan import __version__  # noqa: PLC0415 - only for --version

        out.print(f"compplan {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option(
        "--config", help="project file (default: ./compplan.toml when there is one)")] = None,
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True, help="print the version")
    ] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="no progress display on stderr")] = False,
) -> None:
    """Compensation plans as data, evaluated to the cent."""
    STATE["quiet"] = quiet
    found = _guard(lambda: find_project(config))
    if found is None:
        return
    values = _guard(lambda: load_project(found))
    ctx.default_map = project_defaults(ctx.command, values)


def _warn_year(result: Result) -> None:
    said = year_warning(result)
    if said is not None:
        err.print(f"warning: {said}", markup=False, highlight=False, soft_wrap=True)


def _files(roster: Path, deals: Path, quotas: Path | None, accounts: Path | None,
           assignments: Path | None, table: list[str] | None, mapping: str | None,
           fx: Path | None) -> InputFiles:
    """The shared input options as one value."""
    return InputFiles(roster, deals, quotas, accounts, assignments, tuple(table or ()),
                      mapping, fx)


def _load(files: InputFiles) -> Inputs:
    inputs = files.load()
    for warning in inputs.warnings():
        err.print(f"warning: {warning.render()}", markup=False, highlight=False,
                  soft_wrap=True)
    return inputs


def _evaluate(plans: Path, files: InputFiles, year: int, engine: str = "memory",
              scheduler: str | None = None, workers: int | None = None,
              watch: Stopwatch | None = None,
              draw_opening: dict[tuple[str, str], int] | None = None) -> Result:
    _check_engine(engine)
    watch = watch or Stopwatch()
    loaded = load_plans(plans)
    inputs = replace(_load(files), draw_opening=draw_opening or {})
    watch.lap("load")
    if engine == "memory":
        return evaluate(loaded, inputs, year, watch)
    from compplan.dask_engine import connect, evaluate_dask  # noqa: PLC0415 - optional

    with connect(scheduler, workers) as client:
        watch.lap("cluster")
        result = evaluate_dask(loaded, inputs, year, client)
        watch.lap("engine (dask)")
        return result


def _check_engine(engine: str) -> None:
    if engine not in ("memory", "dask"):
        raise InputError([Issue("--engine", f"{engine!r}: expected memory or dask")])


JsonOpt = Annotated[bool, typer.Option(
    "--json", help="print one JSON object on stdout (totals, files, conservation)")]


def _emit(summary: dict[str, object]) -> None:
    """One JSON object on stdout, for scripts and schedulers."""
    sys.stdout.write(json.dumps(summary, default=str) + "\n")


def _shown() -> AbstractContextManager[Feedback]:
    """The progress display of this invocation (nothing with --quiet or off a terminal)."""
    return feedback(err, not STATE["quiet"])


def _paid(lines: pd.DataFrame) -> dict[str, str]:
    """Total pay per currency, exactly."""
    return {str(code): format_minor([exact_sum(mine["cents"].to_numpy())],
                                    decimals(str(code)))[0]
            for code, mine in lines.groupby("currency", sort=True)}


def _list_files(written: list[Path]) -> None:
    for path in written:
        out.print(f"  {path}", highlight=False)


@app.command()
def run(
    plans: PlansOpt, roster: RosterOpt, deals: DealsOpt, year: YearOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="folder for the results")],
    quotas: QuotasOpt = None, accounts: AccountsOpt = None, assignments: AssignOpt = None,
    table: TableOpt = None, mapping: MappingOpt = None, fx: FxOpt = None,
    excel: Annotated[bool, typer.Option(
        "--excel/--no-excel", help="also write results.xlsx")
    ] = True,
    detail_format: Annotated[str, typer.Option(
        "--format", help="credits and exceptions as csv or parquet")] = "csv",
    excel_rows: Annotated[int | None, typer.Option(
        "--excel-rows", min=1, max=1_048_575, show_default=False,
        help="most rows a detail sheet of results.xlsx holds (default 200,000); a longer "
             "one (payouts, credits, exceptions, attainment) points to its CSV/Parquet file")
    ] = None,
    engine: EngineOpt = "memory", scheduler: SchedulerOpt = None, workers: WorkersOpt = None,
    timings: Annotated[bool, typer.Option(help="print the seconds of each stage")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Evaluate the plans; write payouts.csv, credits.csv, exceptions.csv, results.xlsx."""
    def action() -> None:
        if detail_format not in ("csv", "parquet"):
            raise InputError([Issue("--format", f"{detail_format!r}: expected csv or parquet")])
        with _shown() as shown:
            watch = Stopwatch(shown.stage)
            files = _files(roster, deals, quotas, accounts, assignments, table, mapping, fx)
            result = _evaluate(plans, files, year, engine, scheduler, workers, watch)
            written, kept = write_run(result, out_dir, files.files(), excel, detail_format,
                                      excel_rows=excel_rows)
            watch.lap("write")
        payouts = result.payouts
        if as_json:
            _emit({"command": "run", "year": result.year, "payout_lines": len(payouts),
                   "payees": int(payouts["payee_id"].nunique()),
                   "credits": len(result.credit_rows), "exceptions": len(result.exceptions),
                   "paid": _paid(result.lines), "conservation": [b.as_dict() for b in kept],
                   "files": [str(p) for p in written]})
            return
        out.print(f"{len(payouts)} payout lines for {payouts['payee_id'].nunique()} payees, "
                  f"{len(result.credit_rows)} credits, {len(result.exceptions)} exceptions",
                  highlight=False)
        for b in kept:
            out.print(f"conservation {b.render()}", highlight=False, soft_wrap=True)
        _warn_year(result)
        _list_files(written)
        if timings:
            out.print("  ".join(f"{stage} {sec:.2f} s" for stage, sec in watch.seconds.items()),
                      highlight=False)
    _guard(action)


@app.command()
def explain(
    payee: Annotated[str, typer.Option(help="payee_id")],
    period: Annotated[str, typer.Option(help="month, YYYY-MM")],
    plans: PlansOpt, roster: RosterOpt, deals: DealsOpt, year: YearOpt,
    quotas: QuotasOpt = None, accounts: AccountsOpt = None, assignments: AssignOpt = None,
    table: TableOpt = None, mapping: MappingOpt = None, fx: FxOpt = None,
) -> None:
    """Print how each of a payee's lines in a month was computed."""
    def action() -> None:
        result = _evaluate(plans, _files(roster, deals, quotas, accounts, assignments, table,
                                         mapping, fx), year)
        out.print(result.explain(payee, period), markup=False, highlight=False)
    _guard(action)


@app.command()
def statements(
    plans: PlansOpt, roster: RosterOpt, deals: DealsOpt, year: YearOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="folder for the statements")],
    payee: Annotated[list[str] | None, typer.Option(
        help="only these payees (repeatable); all by default")] = None,
    quotas: QuotasOpt = None, accounts: AccountsOpt = None, assignments: AssignOpt = None,
    table: TableOpt = None, mapping: MappingOpt = None, fx: FxOpt = None,
    pdf: Annotated[bool, typer.Option(
        "--pdf", help="also a PDF of each statement (needs LibreOffice)")] = False,
) -> None:
    """Write one statement workbook per payee, holding only that payee's data."""
    from compplan.excel.statements import write_statements  # noqa: PLC0415 - openpyxl is heavy

    def action() -> None:
        result = _evaluate(plans, _files(roster, deals, quotas, accounts, assignments, table,
                                         mapping, fx), year)
        stamp = run_info(result).stamp(result.year)
        written = write_statements(result, out_dir, payee, stamp, pdf=pdf)
        books = sum(1 for p in written if p.suffix == ".xlsx")
        out.print(f"{books} statements{' with their PDFs' if pdf else ''} in {out_dir}",
                  highlight=False)
    _guard(action)


LedgerOpt = Annotated[str, typer.Option(
    envvar="COMPPLAN_LEDGER", show_envvar=True,
    help="ledger: a SQLite file path, or a postgresql:// URL (from the environment keeps "
         "a password out of the shell history)")]


@app.command()
def payroll(
    period: Annotated[str, typer.Option(help="the month to pay, YYYY-MM")],
    ledger: LedgerOpt,
    plans: PlansOpt, roster: RosterOpt, deals: DealsOpt, year: YearOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="folder for the payroll files")],
    quotas: QuotasOpt = None, accounts: AccountsOpt = None, assignments: AssignOpt = None,
    table: TableOpt = None, mapping: MappingOpt = None, fx: FxOpt = None,
    pay_date: Annotated[str | None, typer.Option(help="pay date (default: period end)")] = None,
    company_code: Annotated[str, typer.Option(help="ADP company code")] = "CMP",
    as_json: JsonOpt = False,
) -> None:
    """Pay a month: record it in the ledger and write payroll files (adjustments included)."""
    from compplan.ledger.draws import unmatched  # noqa: PLC0415
    from compplan.ledger.run import opening_draws  # noqa: PLC0415
    from compplan.ledger.run import payroll as run_payroll  # noqa: PLC0415

    def action() -> None:
        files = _files(roster, deals, quotas, accounts, assignments, table, mapping, fx)
        result = _evaluate(plans, files, year, draw_opening=opening_draws(ledger, year))
        for payee, draw, cents in unmatched(result):
            err.print(f"warning: {payee} owes {format_cents([cents])[0]} on draw {draw!r} from "
                      f"before {year}, and no plan of {year} gives them a recoverable draw "
                      f"{draw!r}: recover it by hand", markup=False, highlight=False)
        run, written = run_payroll(result, ledger, period, files.files(), out_dir, pay_date,
                                   company_code)
        assert run.owed is not None  # set once the run is recorded
        owed = run.owed.astype(str)
        if as_json:
            _emit({"command": "payroll", "period": period, "run_id": run.run_id,
                   "lines": len(run.lines), "paid": _paid(run.lines),
                   "leavers_owing": owed[owed["active"] == "False"].to_dict("records"),
                   "ledger": masked(ledger), "files": [str(p) for p in written]})
            return
        total = "; ".join(
            f"{grouped_cents(exact_sum(mine['cents'].to_numpy()), decimals(str(code)))} {code}"
            for code, mine in run.lines.groupby("currency", sort=True))
        out.print(f"run {run.run_id}: {len(run.lines)} lines, {total or 0} for {period}; "
                  f"recorded in {masked(ledger)}", highlight=False)
        for row in owed[owed["active"] == "False"].to_dict("records"):
            out.print(f"  leaver {row['payee_id']} leaves {row['balance_owed']} unrecovered"
                      f" (draw balance {row['draw_balance']})", highlight=False)
        _list_files(written)
    _guard(action)


@app.command()
def close(period: Annotated[str, typer.Option(help="the month to lock, YYYY-MM")],
          ledger: LedgerOpt) -> None:
    """Lock a paid month: its lines can never change; corrections go to open months."""
    from compplan.ledger.run import close_period  # noqa: PLC0415

    run_id = _guard(lambda: close_period(ledger, period))
    out.print(f"{period} closed (run {run_id})", highlight=False)


ledger_app = typer.Typer(help="Read the payroll ledger.", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")


@ledger_app.command("show")
def ledger_show(payee: Annotated[str, typer.Option(help="payee_id")], ledger: LedgerOpt) -> None:
    """A payee's history: earned, adjusted, carried, recovered, paid and owed by period."""
    from compplan.ledger.run import show  # noqa: PLC0415

    out.print(_guard(lambda: show(ledger, payee)), markup=False, highlight=False)


@app.command()
def simulate(
    plans: PlansOpt, roster: RosterOpt, deals: DealsOpt, year: YearOpt,
    scenarios: Annotated[Path, typer.Option(help="scenario file or folder of scenario files")],
    out_dir: Annotated[Path, typer.Option("--out", help="folder for scenarios.csv/.xlsx")],
    quotas: QuotasOpt = None, accounts: AccountsOpt = None, assignments: AssignOpt = None,
    table: TableOpt = None, mapping: MappingOpt = None, fx: FxOpt = None,
    draws: Annotated[int, typer.Option(help="Monte Carlo plan years per scenario (0: none)")
                     ] = 0,
    seed: Annotated[int, typer.Option(help="random seed: same seed, same numbers")] = 1,
    method: Annotated[str, typer.Option(help="lognormal (per plan) or bootstrap (per payee)")
                      ] = "lognormal",
    engine: Annotated[str, typer.Option(
        help="where Monte Carlo draws are paid: memory, or dask (spread over a cluster)")
    ] = "memory",
    scheduler: SchedulerOpt = None, workers: WorkersOpt = None, as_json: JsonOpt = False,
) -> None:
    """Evaluate the baseline and every scenario; compare cost, pay and attainment."""
    from compplan.scenarios.report import write_comparison  # noqa: PLC0415
    from compplan.scenarios.run import compare, with_monte_carlo  # noqa: PLC0415

    def action() -> None:
        if draws < 0 or method not in ("lognormal", "bootstrap"):
            raise InputError([Issue("command line", "expected --draws >= 0 and --method "
                                    "lognormal or bootstrap")])
        _check_engine(engine)
        bars = None if STATE["quiet"] else err  # Monte Carlo bars on stderr
        loaded = load_plans(plans)
        inputs = _load(_files(roster, deals, quotas, accounts, assignments, table, mapping, fx))
        comparison = compare(loaded, inputs, year, scenarios)
        if draws and engine == "dask":
            from compplan.dask_engine import connect, map_draws  # noqa: PLC0415 - optional

            with connect(scheduler, workers) as client:
                comparison = with_monte_carlo(comparison, draws, seed, method, bars,
                                              map_draws(client))
        elif draws:
            comparison = with_monte_carlo(comparison, draws, seed, method, bars)
        written = write_comparison(comparison, out_dir)
        if as_json:
            _emit({"command": "simulate", "draws": draws, "seed": seed,
                   "scenarios": comparison.metrics.to_dict("records"),
                   "files": [str(p) for p in written]})
            return
        totals = comparison.metrics[comparison.metrics["plan"] == "total"]
        for row in totals.to_dict("records"):
            out.print(f"{row['scenario']:<28} total pay {row['total_pay']:>16,.2f}  "
                      f"variable {row['variable_pay']:>14,.2f}  cost of sales "
                      f"{row['cost_of_sales']:.2%}", highlight=False)
        _list_files(written)
    _guard(action)


@app.command()
def quotas(
    territories: Annotated[Path, typer.Option(help="territory_id, payee_id, potential, "
                                              "last_year [, capacity, start_date, ...]")],
    out_dir: Annotated[Path, typer.Option("--out", help="folder for the quota plan")],
    plan_file: Annotated[Path | None, typer.Option(
        "--plan-file", help="YAML quota-plan parameters; flags override it")] = None,
    history: Annotated[Path | None, typer.Option(help="deal history (deals format)")] = None,
    overrides: Annotated[Path | None, typer.Option(
        help="manager overrides: territory_id, quota, reason")] = None,
    target: Annotated[float | None, typer.Option(help="company target T")] = None,
    over_assignment: Annotated[float | None, typer.Option(help="o: sum = T (1 + o)")] = None,
    alpha: Annotated[float | None, typer.Option(help="weight of potential vs history")] = None,
    growth_min: Annotated[float | None, typer.Option(help="floor growth vs last year")] = None,
    growth_max: Annotated[float | None, typer.Option(help="ceiling growth")] = None,
    max_penetration: Annotated[float | None, typer.Option(help="ceiling share of potential")
                               ] = None,
    round_to: Annotated[float | None, typer.Option(help="round annual quotas to this")] = None,
    year: Annotated[int | None, typer.Option(help="plan year")] = None,
    measure: Annotated[str | None, typer.Option(help="measure name in quotas.csv")] = None,
    currency: Annotated[str | None, typer.Option(
        help="currency of the target and quotas (the plans'; default USD)")] = None,
    seasonality: Annotated[str | None, typer.Option(
        help="auto, flat, or 12 comma-separated shares")] = None,
    ramp: Annotated[str | None, typer.Option(help="ramp fractions, e.g. 0.25,0.5,0.75")] = None,
    time_limit: Annotated[float | None, typer.Option(help="solver time limit, s")] = None,
    solver: Annotated[str | None, typer.Option(help="highs (default) or cbc")] = None,
    plans: Annotated[Path | None, typer.Option(
        "--plans", help="with --roster: check the measure is in each payee's plan")] = None,
    roster: Annotated[Path | None, typer.Option(help="roster, for the check above")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Distribute a company target over territories (LP), by month, with SMART checks."""
    from compplan.quotas.run import run_quotas  # noqa: PLC0415 - pulp is heavy

    def action() -> None:
        flags = {"target": target, "over_assignment": over_assignment, "alpha": alpha,
                 "growth_min": growth_min, "growth_max": growth_max,
                 "max_penetration": max_penetration, "round_to": round_to, "year": year,
                 "measure": measure, "currency": currency, "time_limit": time_limit,
                 "solver": solver,
                 "seasonality": _listed(seasonality, keep=("auto", "flat")),
                 "ramp": _listed(ramp)}
        said = run_quotas(territories, out_dir, plan_file, history, overrides, flags,
                          None if as_json else out, plans, roster)
        if as_json:
            _emit(said)
    _guard(action)


def _listed(text: str | None, keep: tuple[str, ...] = ()) -> object:
    if text is None or text in keep:
        return text
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InputError([Issue("command line", f"{text!r}: expected numbers separated by "
                                "commas")]) from None


@app.command()
def estimate(
    plans: PlansOpt, roster: RosterOpt, deals: DealsOpt, year: YearOpt,
    payee: Annotated[str, typer.Option(help="payee_id whose deal it would be")],
    amount: Annotated[float, typer.Option(help="the deal's amount")],
    date: Annotated[str, typer.Option(help="the deal's close date, YYYY-MM-DD")],
    like: Annotated[str | None, typer.Option(
        help="deal_id to copy the other columns from (default: the payee's latest deal)")
    ] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="column=value for the deal (repeatable): stage, deal_type, split...")
    ] = None,
    quotas: QuotasOpt = None, accounts: AccountsOpt = None, assignments: AssignOpt = None,
    table: TableOpt = None, mapping: MappingOpt = None, fx: FxOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What each payee would earn if one more deal closed: the run again with the deal."""
    from compplan.scenarios.estimate import estimate as estimated  # noqa: PLC0415

    def action() -> None:
        values = {}
        for item in set_ or []:
            column, sep, value = item.partition("=")
            if not sep or not column:
                raise InputError([Issue("--set", f"{item!r}: expected column=value")])
            values[column] = value
        files = _files(roster, deals, quotas, accounts, assignments, table, mapping, fx)
        base = _evaluate(plans, files, year)
        found = estimated(base.plans, base.inputs, base.year, payee, amount, date, like,
                          values, base)
        lines = found.lines
        totals = lines.groupby(["payee_id", "currency"], sort=True)["change"].sum(
        ).reset_index().to_dict("records")
        if as_json:
            _emit({"command": "estimate", "payee": payee, "amount": amount, "date": date,
                   "lines": [{**r, "change": str(r["change"])} for r in
                             lines.astype({"before": str, "after": str}).to_dict("records")],
                   "totals": [{"payee_id": str(t["payee_id"]), "currency": str(t["currency"]),
                               "change": grouped_cents(int(t["change"]),
                                                       decimals(str(t["currency"])))}
                              for t in totals]})
            return
        if lines.empty:
            out.print(f"a deal of {amount:,} for {payee} on {date} changes no pay in "
                      f"{year} (no plan credits it, or it falls outside the payee's seats)",
                      highlight=False)
            return
        for row in lines.to_dict("records"):
            places = decimals(str(row["currency"]))
            out.print(f"{row['payee_id']:<12} {row['plan']:<16} {row['component']:<20} "
                      f"{row['period']}  {grouped_cents(int(row['change']), places):>14} "
                      f"{row['currency']}", highlight=False)
        for t in totals:
            code = str(t["currency"])
            out.print(f"{t['payee_id']}: {grouped_cents(int(t['change']), decimals(code))} "
                      f"{code} in {year} if the deal closes", highlight=False)
    _guard(action)


@app.command()
def forecast(
    plans: PlansOpt, roster: RosterOpt, deals: DealsOpt, year: YearOpt,
    as_of: Annotated[str, typer.Option(help="the date the forecast stands on, YYYY-MM-DD: "
                                            "the export as known then")],
    out_dir: Annotated[Path, typer.Option("--out", help="folder for the forecast files")],
    pipeline: Annotated[Path | None, typer.Option(
        help="open deals with the deals table's columns, close_date the expected one "
             "(default: the deals table's open rows)")] = None,
    win_rates: Annotated[Path | None, typer.Option(
        help="win rate by stage: stage, win_rate (0-1)")] = None,
    stage_history: Annotated[Path | None, typer.Option(
        help="deal_id, stage, date[, close_date]: win rates and slippage estimated from "
             "the deals that ended")] = None,
    slip_months: Annotated[str | None, typer.Option(
        help="probabilities of closing 0, 1, 2... months after the expected month "
             "(0.6,0.3,0.1); default: from the stage history, else none")] = None,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws", min=1, max=1_000_000)
                     ] = 1000,
    seed: Annotated[int, typer.Option(help="random seed: same seed, same numbers")] = 1,
    won_stage: Annotated[str, typer.Option(help="the stage of a won deal")] = "Closed Won",
    lost_stage: Annotated[list[str] | None, typer.Option(
        help="a stage of a lost deal (repeatable; default Closed Lost, Disqualified)")
    ] = None,
    ledger: Annotated[str | None, typer.Option(
        help="payroll ledger: what its closed months paid is paid to date (default: the "
             "months before the as-of month)")] = None,
    policy: Annotated[Path | None, typer.Option(
        help="accounting.yaml: its GL accounts, and which components are capitalized")
    ] = None,
    excel: Annotated[bool, typer.Option(help="write forecast.xlsx")] = True,
    quotas: QuotasOpt = None, accounts: AccountsOpt = None, assignments: AssignOpt = None,
    table: TableOpt = None, mapping: MappingOpt = None, fx: FxOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Forecast the year from the open pipeline (P10/P50/P90 of attainment, pay and cost
    by payee and plan, beside the run rate), the as-of month's accrual and journal, and
    what each open deal would pay if it closed."""
    from compplan.forecast.files import summary, write_forecast  # noqa: PLC0415
    from compplan.forecast.odds import STAGE_HISTORY, WIN_RATES  # noqa: PLC0415
    from compplan.forecast.open_deals import Stages  # noqa: PLC0415
    from compplan.forecast.run import Request  # noqa: PLC0415
    from compplan.forecast.run import forecast as forecasted  # noqa: PLC0415
    from compplan.forecast.simulate import Settings  # noqa: PLC0415
    from compplan.inputs.ingest import load_table  # noqa: PLC0415
    from compplan.inputs.mapping import load_mapping  # noqa: PLC0415

    def action() -> None:
        loaded = load_plans(plans)
        chosen = None
        if policy is not None:
            from compplan.accounting.policy import load_policy  # noqa: PLC0415

            chosen = load_policy(policy, loaded)
        files = _files(roster, deals, quotas, accounts, assignments, table, mapping, fx)
        inputs = _load(files)
        mapped = load_mapping(mapping) if mapping else None
        stages = Stages(won_stage, tuple(lost_stage) if lost_stage else Stages().lost)
        paid = None
        if ledger is not None:
            from compplan.ledger.run import paid_to_date  # noqa: PLC0415

            paid = paid_to_date(ledger, as_of[:7])
        request = Request(
            as_of, Settings(draws, seed), stages,
            load_table(pipeline, "deals", mapped) if pipeline else None,
            load_table(win_rates, WIN_RATES.name) if win_rates else None,
            load_table(stage_history, STAGE_HISTORY.name) if stage_history else None,
            slip_months, paid, chosen)
        bars = None if STATE["quiet"] or as_json else err
        with Progress(console=bars, disable=bars is None or not bars.is_terminal,
                      transient=True) as progress:
            task = progress.add_task("draws", total=draws)
            found = forecasted(loaded, inputs, year, request,
                               lambda n: progress.advance(task, n))
        written = write_forecast(found, out_dir, excel)
        if as_json:
            _emit({"command": "forecast", **summary(found), "files": [str(p) for p in written]})
            return
        d = found.deals
        out.print(f"as of {as_of}: {d.count:,} open deals, {draws:,} draws (seed {seed}); "
                  f"slippage from {found.odds.slip_source}", highlight=False)
        for row in found.plans.to_dict("records"):
            out.print(f"{row['plan']:<16} {row['currency']}  variable pay P10 "
                      f"{row['variable_p10']:>14,.2f}  P50 {row['variable_p50']:>14,.2f}  "
                      f"P90 {row['variable_p90']:>14,.2f}  run rate "
                      f"{row['run_rate_variable']:>14,.2f}", highlight=False)
        accrued = found.accrual.groupby("currency", sort=True)["accrued"].sum()
        for code, cents in accrued.items():
            out.print(f"accrue at {as_of}: {grouped_cents(int(cents), decimals(str(code)))} "
                      f"{code} (earned to date, not yet paid)", highlight=False)
        if d.left_out.shape[0]:
            out.print(f"{len(d.left_out):,} deal rows not known on {as_of} left out of the "
                      "actuals (forecast_left_out.csv)", highlight=False)
        _list_files(written)
    _guard(action)


@app.command()
def amortize(
    plans: PlansOpt, roster: RosterOpt, deals: DealsOpt, year: YearOpt,
    policy: Annotated[Path, typer.Option(help="accounting.yaml: what is capitalized, over "
                                              "what benefit period, to which accounts")],
    out_dir: Annotated[Path, typer.Option("--out", help="folder for the accounting files")],
    opening: Annotated[Path | None, typer.Option(
        help="last year's assets.csv: its assets continue their schedules")] = None,
    quotas: QuotasOpt = None, accounts: AccountsOpt = None, assignments: AssignOpt = None,
    table: TableOpt = None, mapping: MappingOpt = None, fx: FxOpt = None,
) -> None:
    """Capitalize and amortize commissions (ASC 340-40 / IFRS 15): assets, amortization,
    journal, roll-forward and accounting.xlsx."""
    from compplan.accounting.books import books_of, read_opening  # noqa: PLC0415
    from compplan.accounting.files import write_books  # noqa: PLC0415
    from compplan.accounting.policy import load_policy  # noqa: PLC0415

    def action() -> None:
        chosen = load_policy(policy, load_plans(plans))  # before minutes of evaluation
        files = _files(roster, deals, quotas, accounts, assignments, table, mapping, fx)
        result = _evaluate(plans, files, year)
        books = books_of(result, chosen, read_opening(opening) if opening else None)
        written = write_books(books, out_dir)
        roll = books.rollforward
        actual = roll[roll["basis"] == "actual"]
        for code, mine in actual.groupby("currency", sort=True):
            said = {name: grouped_cents(int(value), decimals(str(code))) for name, value in (
                ("closing", mine["closing"].iloc[-1]), ("added", mine["additions"].sum()),
                ("amortized", mine["amortization"].sum()),
                ("off", mine["write_offs"].sum()), ("spent", mine["expensed"].sum()))}
            out.print(f"{code}: deferred commissions {said['closing']} at "
                      f"{mine['month'].iloc[-1]}; capitalized {said['added']}, amortized "
                      f"{said['amortized']}, written off {said['off']}, expensed when "
                      f"incurred {said['spent']}", highlight=False)
        _list_files(written)
    _guard(action)


@app.command()
def accounts(
    deals: DealsOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="folder for accounts.csv/.xlsx")],
    owners: Annotated[Path | None, typer.Option(
        "--accounts", help="an accounts file whose kam_id ownership to keep")] = None,
    a: Annotated[float, typer.Option(help="A: accounts making the first share")] = 0.8,
    b: Annotated[float, typer.Option(help="B: up to this cumulative share")] = 0.95,
    x: Annotated[float, typer.Option(help="X: monthly revenue CV up to this")] = 0.5,
    y: Annotated[float, typer.Option(help="Y: CV up to this; Z above")] = 1.0,
    mapping: MappingOpt = None,
) -> None:
    """ABC (share of revenue) and XYZ (variability) classes of accounts from won deals."""
    from compplan.accounts.report import write_segments  # noqa: PLC0415
    from compplan.accounts.segment import segment  # noqa: PLC0415
    from compplan.inputs.ingest import load_table  # noqa: PLC0415

    def action() -> None:
        if not 0 < a < b <= 1 or not 0 <= x <= y:
            raise InputError([Issue("command line", "expected 0 < a < b <= 1 and 0 <= x <= y")])
        mapped = load_mapping(mapping) if mapping else None
        table = segment(load_table(deals, "deals", mapped).frame,
                        load_table(owners, "accounts").frame if owners else None, a, b, x, y)
        written = write_segments(table, out_dir)
        counts = table["class"].value_counts().reindex(["A", "B", "C"], fill_value=0)
        out.print(f"{len(table)} accounts: A {counts['A']}, B {counts['B']}, C {counts['C']}",
                  highlight=False)
        _list_files(written)
    _guard(action)


@app.command()
def validate(
    plans: Annotated[Path, typer.Argument(help="plan file or folder")] = Path("plans"),
) -> None:
    """Check plan files without data; report every problem with file:line: field."""
    loaded, warnings = _guard(lambda: load_plans_checked(plans))
    for warning in warnings:
        err.print(f"{warning.severity}: {warning.render()}", markup=False, highlight=False)
    for plan_id, plan in sorted(loaded.items()):
        out.print(f"ok  {plan_id}: {len(plan.measures)} measures, "
                  f"{len(plan.components)} components", highlight=False)


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("--out", help="write to this file")] = None,
) -> None:
    """Write the JSON Schema of the plan language (for editors and CI)."""
    from compplan.plan.jsonschema import plan_schema  # noqa: PLC0415 - only this command needs it

    text = json.dumps(plan_schema(), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        def write(path: Path) -> None:
            path.write_text(text, encoding="utf-8")

        _guard(lambda: write_atomically(output.parent, {output.name: write}))
        out.print(f"wrote {output}")


@app.command()
def synth(
    payees: Annotated[int, typer.Option(help="how many payees")],
    deals: Annotated[int, typer.Option(help="about how many deal rows")],
    out_dir: Annotated[Path, typer.Option("--out", help="folder for the tables")],
    year: YearOpt = 2026,
    seed: Annotated[int, typer.Option(help="same seed, same company")] = 1,
    file_format: Annotated[str, typer.Option("--format", help="csv, parquet or both")] = "both",
) -> None:
    """Write a synthetic company of any size (roster, deals, quotas, accounts, territories)."""
    from compplan.inputs.synth import Size, make, write  # noqa: PLC0415

    def action() -> None:
        if payees < 10 or deals < 1 or file_format not in ("csv", "parquet", "both"):
            raise InputError([Issue("command line", "expected --payees >= 10, --deals >= 1, "
                                    "--format csv|parquet|both")])
        formats = ("csv", "parquet") if file_format == "both" else (file_format,)
        written = write(make(Size(payees, deals, year, seed)), out_dir, formats)
        out.print(f"{len(written)} files in {out_dir}", highlight=False)
    _guard(action)


HostOpt = Annotated[str, typer.Option(help="address to listen on (127.0.0.1: this "
                                           "machine only)")]
PortOpt = Annotated[int, typer.Option(help="port to listen on", min=1, max=65535)]
ConfigOpt = Annotated[Path, typer.Option(help="compplan.toml: the app's inputs, ledger and "
                                              "outputs")]
users_app = typer.Typer(help="The web app's users.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@app.command("serve")
def serve_cmd(config: ConfigOpt = Path("compplan.toml"), host: HostOpt = "127.0.0.1",
              port: PortOpt = 8000) -> None:
    """Start the web app for reps, managers, finance and payroll."""
    from compplan.web.config import load_config  # noqa: PLC0415
    from compplan.web.serve import serve  # noqa: PLC0415

    def action() -> None:
        loaded = load_config(config)
        out.print(f"serving {loaded.file} on http://{host}:{port} (Ctrl-C stops)",
                  highlight=False)
        serve(loaded, host, port)
    _guard(action)


@users_app.command("add")
def users_add(
    email: Annotated[str, typer.Option(help="the user's e-mail: their login")],
    role: Annotated[str, typer.Option(help="rep, manager, finance, payroll or admin")],
    payee: Annotated[str | None, typer.Option(help="the rep's or manager's payee_id")] = None,
    config: ConfigOpt = Path("compplan.toml"),
) -> None:
    """Add a user; prints their one-time password (shown once, stored hashed)."""
    from compplan.web.serve import users_add as added  # noqa: PLC0415

    def action() -> None:
        password = added(config, email, role, payee)
        out.print(f"{email.strip().lower()} ({role}): one-time password {password}",
                  highlight=False)
    _guard(action)


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="folder for sample data and results")] =
    Path("demo-out"),
    seed: Annotated[int, typer.Option(help="random seed of the sample company")] = 7,
    year: YearOpt = 2026,
    serve_app: Annotated[bool, typer.Option("--serve", help="then start the web app on it")
                         ] = False,
    host: HostOpt = "127.0.0.1", port: PortOpt = 8000,
) -> None:
    """Generate a sample company, run its plans, and print a summary (``--serve``: then
    start the web app on it with one user of each role)."""
    from compplan.commands.demo import default_plans, run_demo  # noqa: PLC0415

    _guard(lambda: run_demo(out_dir, seed, year, out))
    if serve_app:
        from compplan.web.config import load_config  # noqa: PLC0415
        from compplan.web.serve import add_demo_users, demo_config, serve  # noqa: PLC0415

        def start() -> None:
            config = load_config(demo_config(out_dir, year, default_plans()))
            for email, role_, password in add_demo_users(config):
                out.print(f"user {email:<24} {role_:<8} one-time password {password}",
                          highlight=False)
            out.print(f"serving on http://{host}:{port} (Ctrl-C stops)", highlight=False)
            serve(config, host, port)
        _guard(start)


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="the new working folder")],
    template: Annotated[str | None, typer.Option(
        help="one sample plan (ae, sdr, mgr, kam, partner, am, inside); all by default")
    ] = None,
    year: YearOpt = 2026,
) -> None:
    """Scaffold a working folder: compplan.toml, plans, scenarios, sample data."""
    from compplan.commands.init import init_project  # noqa: PLC0415 - keeps start-up light

    written = _guard(lambda: init_project(folder, template, year))
    out.print(f"{len(written)} files in {folder}; next: cd {folder} && compplan run",
              highlight=False)


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
