"""Credits are written in batches of rows; the files are the whole table all the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import compplan.reports.credit_table as credit_table
from compplan.api import inputs_from_frames
from compplan.core.atomic import write_atomically
from compplan.inputs.bundle import Inputs
from compplan.inputs.synth import Size, make
from compplan.outputs.run_files import run_writers
from compplan.result import evaluate


@pytest.fixture(scope="module")
def inputs() -> Inputs:
    company = make(Size(80, 4000, seed=11))
    return inputs_from_frames(company.roster, company.deals, company.quotas, company.accounts)


@pytest.mark.parametrize("detail", ["csv", "parquet"])
def test_batched_files_hold_the_whole_table(inputs: Inputs, plans: dict[str, Any],
                                            tmp_path: Path, detail: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    result = evaluate(plans, inputs, 2026)
    whole = result.credits
    monkeypatch.setattr(credit_table, "BATCH_ROWS", 97)  # dozens of batches, some without KAMs
    assert len(list(credit_table.credit_batches(result))) == -(-len(whole) // 97)
    write_atomically(tmp_path, run_writers(result, excel=False, detail=detail))
    if detail == "parquet":
        written = pd.read_parquet(tmp_path / "credits.parquet")
        assert list(written.columns) == list(whole.columns)
        assert written["amount"].tolist() == whole["amount"].tolist()
        assert written["deal_id"].astype(str).tolist() == whole["deal_id"].astype(str).tolist()
        assert written["class"].isna().sum() == whole["class"].isna().sum()
    else:
        written = pd.read_csv(tmp_path / "credits.csv", dtype=str, keep_default_na=False)
        assert len(written) == len(whole) and list(written.columns) == list(whole.columns)
        assert written["payee_id"].tolist() == whole["payee_id"].astype(str).tolist()
        assert written["date"].tolist() == whole["date"].dt.strftime("%Y-%m-%d").tolist()
        assert written["amount"].astype(float).round(6).tolist() == \
            whole["amount"].round(6).tolist()
