"""Spreadsheet-safe CSV: every CSV the planner writes goes through `write_csv_rows` or `table_csv`, so no cell
a spreadsheet would run as a formula (OWASP CSV injection) leaves the planner as one."""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # imported where used: the commands that need no tables skip loading it
    import pandas as pd

_FORMULA_SIGNS = ("=", "+", "-", "@")
_FORMULA_START = _FORMULA_SIGNS + ("\t", "\r", "\n")


def formula_like(text: str) -> bool:
    """Would a spreadsheet run this text as a formula? Also when the sign hides behind leading blanks or
    invisible characters (space, NBSP, ideographic space, zero-width space, BOM) or is a full-width or small
    form (＝, ＋, －, ＠, ﹦): the first visible character is compared in its NFKC form."""
    if text.startswith(_FORMULA_START):
        return True
    visible = next((c for c in text if not (c.isspace() or unicodedata.category(c) == "Cf")), "")
    return unicodedata.normalize("NFKC", visible).startswith(_FORMULA_SIGNS)


def safe_cell(value):
    """Neutralise a text cell a spreadsheet would run as a formula (OWASP CSV injection): prefix `'`.

    Numbers stay numbers (a negative number is not text), written with up to 12 significant digits;
    formula signs behind invisible characters or in full-width form count (`formula_like`);
    NaN/None become an empty cell; carriage returns inside text become line feeds (which get quoted).
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return f"{float(value) + 0.0:.12g}"  # + 0.0: never "-0"
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")  # a bare CR would end the row
    return "'" + text if formula_like(text) else text


def write_csv_rows(rows, out: io.StringIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])


def frame_rows(frame: pd.DataFrame):
    yield list(frame.columns)
    yield from frame.itertuples(index=False, name=None)


def table_csv(frame: pd.DataFrame) -> str:
    """One table as CSV: a header row, then data; `pandas.read_csv` reads it without options. The cells are
    `safe_cell`'s, made a column at a time (a fleet's 200,000-row tables in a second, not a cell at a time)."""
    out = io.StringIO()
    write_csv_rows([frame.columns], out)
    csv.writer(out, lineterminator="\n").writerows(
        zip(*(_safe_column(frame.iloc[:, i]) for i in range(frame.shape[1])))
    )
    return out.getvalue()


def _safe_column(column: pd.Series) -> list:
    """`safe_cell` of every cell of one column; numpy number columns formatted at once, the same way."""
    import pandas as pd

    values = column.to_numpy()
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iu":
        return values.tolist()
    if isinstance(column.dtype, np.dtype) and column.dtype.kind == "f":
        finite = np.isfinite(values)
        return np.where(finite, np.char.mod("%.12g", np.where(finite, values, 0.0) + 0.0), "").tolist()
    if pd.api.types.is_string_dtype(column) and len(column):
        # Text that opens with an ASCII letter or digit and holds no carriage return is written as it is.
        plain = column.str.fullmatch("[A-Za-z0-9][^\r]*").fillna(False).to_numpy(dtype=bool)
        return [v if ok else safe_cell(v) for v, ok in zip(values, plain)]
    return [safe_cell(v) for v in values]
