"""Typed sources (Parquet, frames): columns of the right type are kept, others parsed as
text, and a bad typed value is reported like a bad CSV cell."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from compplan.errors import InputError
from compplan.inputs.ingest import load_table


def deals(**columns: object) -> pd.DataFrame:
    base: dict[str, object] = {"deal_id": ["D1", "D2"], "owner_id": ["A", "B"],
                               "amount": [100.5, 200.0]}
    base.update(columns)
    return pd.DataFrame(base)


def test_typed_numbers_and_dates_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "deals.parquet"
    deals(close_date=pd.to_datetime(["2026-01-31", None]), split_pct=[0.5, np.nan],
          term_months=np.array([12, 24], dtype=np.int64)).to_parquet(path)
    frame = load_table(path, "deals").frame
    assert frame["amount"].tolist() == [100.5, 200.0]
    assert frame["close_date"].dtype == "datetime64[s]"
    assert str(frame["close_date"].iloc[0].date()) == "2026-01-31"
    assert pd.isna(frame["close_date"].iloc[1]) and pd.isna(frame["split_pct"].iloc[1])
    assert frame["term_months"].tolist() == [12.0, 24.0]


def test_ids_stored_as_integers_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "deals.parquet"
    deals(deal_id=np.array([7, 8], dtype=np.int64), owner_id=[101, 102]).to_parquet(path)
    frame = load_table(path, "deals").frame
    assert frame["deal_id"].tolist() == ["7", "8"] and frame["owner_id"].tolist() == ["101", "102"]


def test_text_dates_in_parquet_are_parsed_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "deals.parquet"
    deals(close_date=["2026-02-01", "31/01/2026"]).to_parquet(path)
    with pytest.raises(InputError) as err:
        load_table(path, "deals")
    assert "row 3, close_date: '31/01/2026' is not a date (YYYY-MM-DD)" in str(err.value)


def test_a_typed_infinity_is_a_bad_number_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "deals.parquet"
    deals(amount=[1.0, np.inf]).to_parquet(path)
    with pytest.raises(InputError) as err:
        load_table(path, "deals")
    assert "row 3, amount: 'inf' is not a finite number" in str(err.value)


def test_timezone_dates_go_through_their_text(tmp_path: Path) -> None:
    path = tmp_path / "deals.parquet"
    deals(close_date=pd.to_datetime(["2026-03-01", "2026-03-02"]).tz_localize("UTC")).to_parquet(
        path)
    frame = load_table(path, "deals").frame
    assert [str(d.date()) for d in frame["close_date"]] == ["2026-03-01", "2026-03-02"]


def test_extra_typed_columns_keep_their_type(tmp_path: Path) -> None:
    path = tmp_path / "deals.parquet"
    deals(discount=[0.1, 0.2], signed=pd.to_datetime(["2026-01-05", "2026-01-06"]),
          product=["A", "B"]).to_parquet(path)
    frame = load_table(path, "deals").frame
    assert frame["discount"].dtype == np.float64 and frame["product"].tolist() == ["A", "B"]
    assert frame["signed"].dtype == "datetime64[s]"


def test_an_amount_beyond_a_trillion_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    deals(amount=["100", "1e308"]).to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        load_table(path, "deals")
    assert "row 3, amount: 1e+308 is outside -1e+12..1e+12" in str(err.value)
