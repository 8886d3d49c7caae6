"""The rejected rows as a CSV the user can open in Excel, fix and import again.

Why neutralise: the cells come from an uploaded file; a cell such as `=HYPERLINK("http://…")` would run as
a formula when the user opens the download. A leading `=`, `+`, `-`, `@` (or tab / carriage return, which
Excel strips before looking) gets a `'` in front, the usual spreadsheet escape; the value stays readable.
"""

from __future__ import annotations

import csv
import io

from domain.import_results import ImportPreview

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
LINE_COLUMN, REASON_COLUMN = "ligne", "motif"


def neutralise(value: str) -> str:
    """The value, with a leading formula trigger made inert."""
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def rejected_rows_csv(preview: ImportPreview) -> str:
    """`ligne`, the file's own columns, then `motif` (the French reason); semicolons, as French Excel reads.

    The file's own column names come back unchanged, so once corrected the download imports like the
    original (the `ligne` and `motif` columns are ignored by the import).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([LINE_COLUMN, *(neutralise(name) for name in preview.header), REASON_COLUMN])
    for row in preview.rejected_rows:
        writer.writerow([row.line, *(neutralise(value) for value in row.values), neutralise(row.reason)])
    return buffer.getvalue()
