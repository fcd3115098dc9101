"""Hostile text and names (issue 16): statement file names that collide or are not
portable, control characters, formula text in a header, scenarios that rename or
reach outside their folder, and output folders that would mix two runs."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
from typer.testing import CliRunner

from compplan.cli import app
from tests.conftest import PLANS, Case, deal, person

runner = CliRunner()


def two_like_named(case: Case) -> dict[str, Path | None]:
    case.roster = [person(p, "partner-2026", name=f"Name {n}") for n, p in
                   enumerate(["AE_01", "AE~01", "x\\y", "CON", "ae_01"])]
    case.deals = [deal(f"D{n}", p, 1000 * (n + 1), "2026-02-01") for n, p in
                  enumerate(["AE_01", "AE~01", "x\\y", "CON", "ae_01"])]
    return case.paths()


def args(command: str, p: dict[str, Path | None], out: Path) -> list[str]:
    return [command, "--plans", str(PLANS), "--roster", str(p["roster"]), "--deals",
            str(p["deals"]), "--year", "2026", "--out", str(out)]


def test_statements_of_like_named_payees_never_share_a_file(case: Case, tmp_path: Path) -> None:
    p = two_like_named(case)
    out = tmp_path / "st"
    res = runner.invoke(app, args("statements", p, out))
    assert res.exit_code == 0, res.output
    index = pd.read_csv(out / "index.csv", dtype=str, keep_default_na=False)
    assert sorted(index["payee_id"]) == sorted(["AE_01", "AE~01", "x\\y", "CON", "ae_01"])
    files = index["file"].tolist()
    assert len({f.lower() for f in files}) == 5  # unique on a case-blind file system too
    for name in files:
        stem = name.removesuffix(".xlsx")
        assert stem.split(".")[0].split("-")[0].upper() not in ("CON", "NUL", "COM1")
        assert "\\" not in name and "/" not in name and len(name) <= 80
    for payee, name in zip(index["payee_id"], index["file"], strict=True):
        wb = openpyxl.load_workbook(out / name)
        heading = str(wb["Statement"]["A1"].value)
        assert heading.endswith(f"({payee})"), (payee, heading)  # its own pay, no other's
    assert sorted(x.name for x in out.iterdir()) == sorted([*files, "index.csv"])


def test_control_characters_are_kept_in_csv_and_replaced_in_workbooks(
        case: Case, tmp_path: Path) -> None:
    case.roster = [person("A", "partner-2026", name="Ann\x1b[31m")]
    case.deals = [deal("D\x0b1", "A", 1000, "2026-02-01")]
    p = case.paths()
    res = runner.invoke(app, args("run", p, tmp_path / "out"))
    assert res.exit_code == 0, res.output
    assert res.output.count("text holds control characters") == 2  # said once per file
    assert "D\x0b1" in (tmp_path / "out" / "credits.csv").read_text()
    wb = openpyxl.load_workbook(tmp_path / "out" / "results.xlsx")
    cells = [str(c.value) for row in wb["Credits"].iter_rows() for c in row]
    assert "D\ufffd1" in cells
    st = runner.invoke(app, args("statements", p, tmp_path / "st"))
    assert st.exit_code == 0, st.output
    heading = openpyxl.load_workbook(tmp_path / "st" / "A.xlsx")["Statement"]["A1"].value
    assert heading == "Statement 2026: Ann\ufffd[31m (A)"


def test_a_header_payload_is_neutralized_in_every_output(case: Case, tmp_path: Path) -> None:
    payload = '=HYPERLINK("http://example.invalid","x")'
    case.roster = [person("A", "partner-2026")]
    case.deals = [deal("D1", "A", 1000, "2026-02-01")]
    p = case.paths()
    deals = pd.read_csv(p["deals"], dtype=str, keep_default_na=False)  # type: ignore[arg-type]
    deals[payload] = "=1+1"
    deals.to_csv(p["deals"], index=False)  # type: ignore[arg-type]
    res = runner.invoke(app, args("run", p, tmp_path / "out"))
    assert res.exit_code == 0, res.output
    for name in ("credits.csv", "exceptions.csv", "payouts.csv"):
        header = (tmp_path / "out" / name).read_text().splitlines()[0]
        assert not any(c.strip('"').startswith("=") for c in header.split(",")), (name, header)
    assert f"'{payload}".replace('"', '""') in (tmp_path / "out" / "credits.csv").read_text()


def test_a_run_never_leaves_another_runs_files_beside_its_own(case: Case,
                                                              tmp_path: Path) -> None:
    case.roster = [person("A", "partner-2026")]
    case.deals = [deal("D1", "A", 1000, "2026-02-01")]
    p = case.paths()
    out = tmp_path / "out"
    (out).mkdir()
    (out / "mine.txt").write_text("a user's own file")
    assert runner.invoke(app, [*args("run", p, out), "--format", "parquet"]).exit_code == 0
    assert {x.name for x in out.iterdir()} == {"payouts.csv", "credits.parquet",
                                               "exceptions.parquet", "results.xlsx",
                                               "run.json", "mine.txt"}
    assert runner.invoke(app, [*args("run", p, out), "--no-excel"]).exit_code == 0
    assert {x.name for x in out.iterdir()} == {"payouts.csv", "credits.csv", "exceptions.csv",
                                               "run.json", "mine.txt"}


def test_a_scenario_cannot_rename_a_plan_a_component_or_a_measure(case: Case,
                                                                  tmp_path: Path) -> None:
    case.roster = [person("A", "ae-2026", base_salary=1, target_incentive=1, quota=1)]
    case.deals = [deal("D1", "A", 1000, "2026-02-01")]
    p = case.paths()
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for setting, said in (("plan: mgr-2026", "the plan id is not settable"),
                          ("components.commission.id: pay", "component ids are not settable")):
        (folder / "s.yaml").write_text(f"scenario: s\nplans:\n  - plan: ae-2026\n"
                                       f"    set: {{{setting}}}\n")
        res = runner.invoke(app, [*args("simulate", p, tmp_path / "out"), "--scenarios",
                                  str(folder)])
        assert res.exit_code == 2 and said in res.output, res.output


def test_replace_table_never_follows_a_link_out_of_the_folder(case: Case, tmp_path: Path) -> None:
    case.roster = [person("A", "partner-2026")]
    case.deals = [deal("D1", "A", 1000, "2026-02-01")]
    p = case.paths()
    secret = tmp_path / "secret.csv"
    secret.write_text("TOP-SECRET-LINE,x\n1,2\n")
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "quotas.csv").symlink_to(secret)
    (folder / "s.yaml").write_text("scenario: s\ndata:\n"
                                   "  - replace_table: {table: quotas, file: quotas.csv}\n")
    res = runner.invoke(app, [*args("simulate", p, tmp_path / "out"), "--scenarios",
                              str(folder)])
    assert res.exit_code == 2, res.output
    assert "leads outside the scenario's folder" in res.output
    assert "TOP-SECRET" not in res.output
