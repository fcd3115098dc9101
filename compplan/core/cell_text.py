"""Text a spreadsheet would run as a formula, made inert: one rule for every writer.

A CRM field that starts with ``=``, ``+``, ``-`` or ``@`` is data; Excel, LibreOffice
and Google Sheets would run it (``=HYPERLINK(...)``, DDE payloads). Every file compplan
writes, CSV, Parquet-to-CSV or workbook, prefixes such text with ``'``.
"""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(text: pd.Series) -> pd.Series:
    """Prefix text that a spreadsheet would run as a formula.

    >>> neutralize(pd.Series(["=1+1", "ok", "-2", ""])).tolist()
    ["'=1+1", 'ok', "'-2", '']
    """
    s = text.astype(str)
    risky = s.str.startswith(FORMULA_START)
    return s.where(~risky, "'" + s)


def safe_header(name: object) -> str:
    """A column name as a CSV header: a CRM's column named ``=HYPERLINK(...)`` is data
    like any cell, so it is neutralized like one.

    >>> safe_header("=HYPERLINK(1)"), safe_header("amount")
    ("'=HYPERLINK(1)", 'amount')
    """
    text = str(name)
    return "'" + text if text.startswith(FORMULA_START) else text


_FORMULA_RE = "^[" + "".join(re.escape(c) for c in FORMULA_START) + "]"


def neutralize_arrow(arr: pa.Array) -> pa.Array:
    """The same rule over an Arrow array (dictionary labels too), for CSV written by
    Arrow."""
    if pa.types.is_dictionary(arr.type):
        return pa.DictionaryArray.from_arrays(arr.indices, neutralize_arrow(arr.dictionary))
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        risky = pc.fill_null(pc.match_substring_regex(arr, _FORMULA_RE), False)
        quote, empty = pa.scalar("'", type=arr.type), pa.scalar("", type=arr.type)
        return pc.if_else(risky, pc.binary_join_element_wise(quote, arr, empty), arr)
    return arr
