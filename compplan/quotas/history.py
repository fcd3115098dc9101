"""Deal history for quota planning: won amounts by territory and close date."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from compplan.errors import InputError, Issue, raise_if
from compplan.inputs.ingest import parse_table, read_text_table
from compplan.inputs.tables import TableSpec
from compplan.quotas.territories import Territories

HISTORY = TableSpec(
    "history",
    required={"amount": "number", "close_date": "date"},
    optional={"territory_id": "str", "owner_id": "str", "stage": "str"},
    blank_when_missing=True,  # documented defaults; no plan reads it
)


def load_history(path: Path, terr: Territories) -> pd.DataFrame:
    """Read a deals-format history; rows name a territory, or an owner who holds one."""
    raw = read_text_table(path, "history")
    frame, issues = parse_table(raw, HISTORY, str(path))
    raise_if(issues, InputError)
    if (frame["territory_id"] == "").all() and (frame["owner_id"] == "").all():
        raise InputError([Issue(str(path), "history rows need a territory_id or an owner_id",
                                1)])
    owners = terr.frame.drop_duplicates("payee_id").set_index("payee_id")["territory_id"]
    from_owner = owners.reindex(frame["owner_id"].to_numpy()).fillna("").to_numpy()
    territory = np.where(frame["territory_id"] != "", frame["territory_id"], from_owner)
    kept: pd.DataFrame = frame.assign(territory_id=territory)[territory != ""]
    return kept
