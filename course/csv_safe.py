"""CSV files a spreadsheet opens as data, never as formulas (OWASP, CSV injection).

Every cell is quoted, and a text cell that starts with = + - @ tab or CR gets a leading
single quote, so Excel, LibreOffice and Google Sheets show it as text. A plain number
(`-0.5`, `12`) is left as it is: it cannot be a formula, and a grade must stay a number.
"""
from __future__ import annotations

import csv
import io
import math
from typing import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text)) and text.strip() == text and "_" not in text
    except ValueError:
        return False


def safe_cell(value: object) -> str:
    """One cell's text, defused for a spreadsheet."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """The whole file: every cell quoted and defused, one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow([safe_cell(v) for v in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def frame_csv(frame) -> str:
    """A pandas DataFrame as `csv_text` (missing values as empty cells, as pandas writes them)."""
    import pandas as pd

    def cell(value):
        if value is None or (not isinstance(value, (list, dict, tuple, str)) and pd.isna(value)):
            return ""
        return value

    return csv_text(list(frame.columns), ([cell(v) for v in row] for row in frame.itertuples(index=False, name=None)))
