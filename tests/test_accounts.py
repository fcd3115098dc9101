"""Account segmentation, hand-computed: ABC by share of revenue, XYZ by variability."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from compplan.accounts.segment import segment
from compplan.cli import app
from compplan.inputs.ingest import table_from_frame
from tests.conftest import deal


def deals() -> pd.DataFrame:
    rows = [
        deal("A1", "O", 25, "2026-01-05", account_id="X1"),
        deal("A2", "O", 25, "2026-02-05", account_id="X1"),
        deal("A3", "O", 25, "2026-03-05", account_id="X1"),  # 75, steady: CV 0 -> X
        deal("B1", "O", 30, "2026-01-05", account_id="X2"),  # 30 in one month: CV 1.41 -> Z
        deal("C1", "O", 6, "2026-02-05", account_id="X3", split_pct=0.5),
        deal("C1", "P", 6, "2026-02-05", account_id="X3", split_pct=0.5),  # once: 6
        deal("D1", "O", 2, "2026-01-05", account_id="X4"),
        deal("D2", "O", 2, "2026-03-05", account_id="X4"),  # 2, 0, 2: CV 0.707 -> Y
        deal("E1", "O", 500, "2026-01-05", account_id="X5", stage="Closed Lost"),
        deal("F1", "O", -5, "2026-01-05", account_id="X6"),  # a credit memo only
    ]
    return table_from_frame(pd.DataFrame(rows), "deals").frame


def test_abc_and_xyz_classes() -> None:
    table = segment(deals()).set_index("account_id")
    # revenue 75, 30, 6, 4 (of 115): cumulative before each 0, 65.2 %, 91.3 %, 96.5 %
    assert table["revenue"].to_dict() == {"X1": 75.0, "X2": 30.0, "X3": 6.0, "X4": 4.0,
                                          "X6": -5.0}
    assert table["class"].to_dict() == {"X1": "A", "X2": "A", "X3": "B", "X4": "C", "X6": "C"}
    assert table["xyz"].to_dict() == {"X1": "X", "X2": "Z", "X3": "Z", "X4": "Y", "X6": "Z"}
    assert table.loc["X4", "cv"] == round(2**0.5 / 2, 4)


def test_accounts_command_keeps_ownership(tmp_path: Path) -> None:
    source = tmp_path / "deals.csv"
    deals().assign(close_date=lambda f: f["close_date"].dt.strftime("%Y-%m-%d")).drop(
        columns=["_row"]).to_csv(source, index=False)
    owners = tmp_path / "owners.csv"
    owners.write_text("account_id,kam_id,class\nX1,K9,C\n")
    res = CliRunner().invoke(app, ["accounts", "--deals", str(source), "--accounts", str(owners),
                                   "--out", str(tmp_path / "acc")])
    assert res.exit_code == 0, res.output
    out = pd.read_csv(tmp_path / "acc" / "accounts.csv", dtype=str, keep_default_na=False)
    assert out.set_index("account_id").loc["X1", ["kam_id", "class"]].tolist() == ["K9", "A"]
    import openpyxl

    sheet = openpyxl.load_workbook(tmp_path / "acc" / "accounts.xlsx").worksheets[0]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert any("X1" in row and "K9" in row for row in rows)
