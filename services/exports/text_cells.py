"""Text cells that no spreadsheet runs: formula triggers neutralised, characters XML refuses dropped.

Why: a client named `=HYPERLINK(...)` or `@SUM(A1)` typed in a form or imported from a file would run as a
formula when the founder's partner opens the export. Only text goes through here: an amount is a number
(and never negative), so `-5` in a cell is always the text "-5", never a figure.
"""

from __future__ import annotations

import re

from services.importing.rejected_rows import neutralise

# What XML 1.0 cannot carry (tab, line feed and carriage return stay): openpyxl refuses a workbook holding them.
# The characters themselves, not regular-expression escapes, so that PostgreSQL reads the same class
# (`services.exports.postgres_csv`); NUL, which a PostgreSQL text never holds, is Python's alone.
NOT_IN_XML_RANGES = "\x01-\x08\x0b\x0c\x0e-\x1f"
_NOT_IN_XML = re.compile(f"[\x00{NOT_IN_XML_RANGES}]")


def safe_text(value: str | None) -> str | None:
    """The text as a spreadsheet shows it without running it (`'=1+1`), or None for no value."""
    return None if value is None else neutralise(_NOT_IN_XML.sub("", value))
