"""The forecast's files: CSV tables for finance's own tools, and forecast.xlsx."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from compplan.core.atomic import Writer, csv_writer, write_atomically
from compplan.core.money import amount_columns, format_minor, row_decimals, to_minor
from compplan.forecast.accrual import ACCRUAL_MONEY
from compplan.forecast.deal_estimates import by_deal
from compplan.forecast.run import MONEY_PAYEE, MONEY_PLAN, Forecast

LEFT_OUT_COLUMNS = ["file", "row", "deal_id", "stage", "reason"]


def money_text(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Money columns (numbers in each row's currency) as exact decimal text."""
    places = row_decimals(frame["currency"])
    out = frame.copy()
    for c in columns:
        values = frame[c].to_numpy(dtype=np.float64)
        units = to_minor(np.nan_to_num(values) * 10.0**places, 0)
        out[c] = np.where(np.isnan(values), "", format_minor(units, places))
    return out


def left_out(fc: Forecast) -> pd.DataFrame:
    rows = fc.deals.left_out
    return pd.DataFrame({"file": fc.actual.inputs.deals.file,
                         "row": rows["_row"].to_numpy() if "_row" in rows else np.nan,
                         "deal_id": rows["deal_id"].astype(str).to_numpy(),
                         "stage": rows["stage"].astype(str).to_numpy(),
                         "reason": rows["reason"].to_numpy()}, columns=LEFT_OUT_COLUMNS)


def summary(fc: Forecast) -> dict[str, object]:
    """forecast.json: what the forecast read and assumed, and its year-end figures."""
    d = fc.deals
    return {"as_of": fc.request.as_of, "year": fc.actual.year,
            "draws": fc.request.settings.draws, "seed": fc.request.settings.seed,
            "open_deals": d.count, "open_rows": len(d.rows), "overdue_moved": d.overdue,
            "open_rows_not_in_pipeline": d.stay_open,
            "rows_not_known_on_as_of": len(d.left_out),
            "cancellations_after_as_of": d.cancellations_later,
            "won_stage": fc.request.stages.won, "lost_stages": list(fc.request.stages.lost),
            "slippage": {str(k): v for k, v in sorted(fc.odds.slip.items())},
            "slippage_source": fc.odds.slip_source,
            "paid_to_date": "ledger" if fc.request.paid is not None else "months before the "
                            "as-of month",
            "plans": json.loads(fc.plans.to_json(orient="records"))}


def _json(data: dict[str, object], path: Path) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def writers(fc: Forecast, excel: bool = True) -> dict[str, Writer]:
    """Every file of a forecast, by name."""
    from compplan.forecast.workbook import write_workbook  # noqa: PLC0415 - openpyxl is heavy

    plans = money_text(fc.plans, MONEY_PLAN)
    payees = money_text(fc.payees, MONEY_PAYEE)
    estimates = amount_columns(fc.estimates, ["change", "expected_change"])
    accrual = amount_columns(fc.accrual, ACCRUAL_MONEY)
    deals = amount_columns(by_deal(fc.estimates), ["change", "expected_change"])
    ratio = {"cost_of_sales_p10", "cost_of_sales_p50", "cost_of_sales_p90",
             "share_at_quota_p10", "share_at_quota_p50", "share_at_quota_p90",
             "run_rate_cost_of_sales", "run_rate_share_at_quota", "payees", "draws"}
    out: dict[str, Writer] = {
        "forecast_plans.csv": csv_writer(plans, set(MONEY_PLAN) | ratio),
        "forecast_payees.csv": csv_writer(payees, set(MONEY_PAYEE) | {
            c for c in payees.columns if c.startswith(("attainment", "chance"))}),
        "deal_estimates.csv": csv_writer(estimates, {"win_rate", "change",
                                                     "expected_change"}),
        "forecast_deals.csv": csv_writer(deals, {"win_rate", "payees", "change",
                                                 "expected_change"}),
        "accrual.csv": csv_writer(accrual, set(ACCRUAL_MONEY)),
        "accrual_journal.csv": csv_writer(fc.journal, {"debit", "credit"}),
        "win_rates.csv": csv_writer(fc.odds.rates, {"win_rate", "ended_deals", "won_deals",
                                                    "open_deals"}),
        "forecast_left_out.csv": csv_writer(left_out(fc), {"row"}),
        "forecast.json": lambda p: _json(summary(fc), p),
    }
    if excel:
        out["forecast.xlsx"] = lambda p: write_workbook(fc, p)
    return out


def write_forecast(fc: Forecast, out: Path, excel: bool = True) -> list[Path]:
    """Write every file at once or none (a forecast killed midway leaves no mix)."""
    return write_atomically(out, writers(fc, excel))
