"""CRM exports as they come: the presets, report footers, thousands separators and
decimal commas, and errors that name the header a preset looks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from compplan.errors import InputError
from compplan.inputs.ingest import load_table
from compplan.inputs.mapping import load_mapping

OPPORTUNITIES = '''"Opportunity ID","Opportunity Owner","Amount","Stage","Created Date","Close Date"
"006A1","Ana Lima","20,062.00","Closed Won","1/5/2026","2/10/2026"
"006A2","Bo Chen","1,500,000.50","Closed Won","1/6/2026","3/1/2026"

"Grand Totals (2 records)"
"Confidential Information - Do Not Distribute"
"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."
'''


def test_a_plain_salesforce_opportunity_report_loads_with_its_footer(tmp_path: Path) -> None:
    path = tmp_path / "opps.csv"
    path.write_text(OPPORTUNITIES)
    table = load_table(path, "deals", load_mapping("salesforce-opportunities"))
    frame = table.frame
    # two deals; the blank line and the three footer lines are not rows
    assert frame["deal_id"].tolist() == ["006A1", "006A2"]
    assert frame["amount"].tolist() == [20062.0, 1500000.5]
    assert frame["owner_id"].tolist() == ["Ana Lima", "Bo Chen"]
    assert str(frame["close_date"].iloc[0])[:10] == "2026-02-10"


def test_the_splits_preset_names_the_headers_it_wants(tmp_path: Path) -> None:
    path = tmp_path / "opps.csv"
    path.write_text(OPPORTUNITIES)
    with pytest.raises(InputError) as err:
        load_table(path, "deals", load_mapping("salesforce"))
    said = str(err.value)
    assert "missing required column(s) owner_id" in said
    assert "the mapping preset:salesforce expects the header(s) 'Split Owner ID' for owner_id" \
        in said


def test_a_generic_csv_still_refuses_a_footer_line(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text("deal_id,owner_id,amount\nD1,A,100\nGrand Totals\n")
    with pytest.raises(InputError, match="the row has 1 cells, the header has 3"):
        load_table(path, "deals")


def test_decimal_commas_and_dotted_thousands(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text('deals:\n  columns: {Betrag: amount}\n  thousands: "."\n'
                       '  decimal: ","\n  date_format: "%d.%m.%Y"\n')
    path = tmp_path / "deals.csv"
    path.write_text('deal_id,owner_id,Betrag,close_date\nD1,A,"20.062,00",10.02.2026\n')
    frame = load_table(path, "deals", load_mapping(str(mapping))).frame
    assert frame["amount"].tolist() == [20062.0]


@pytest.mark.parametrize(("body", "message"), [
    ('  thousands: ","\n  decimal: ","\n', "m.yaml:3: deals.decimal: the thousands separator "
                                           "and the decimal mark must differ"),
    ('  footer: "Total"\n', "m.yaml:2: deals.footer: expected a list of texts"),
    ('  thousand: ","\n', "m.yaml:2: deals.thousand: unknown key"),
])
def test_mapping_mistakes_name_their_line(tmp_path: Path, body: str, message: str) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("deals:\n" + body)
    with pytest.raises(InputError) as err:
        load_mapping(str(mapping))
    assert message in str(err.value)
