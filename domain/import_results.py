"""What an import tells its caller: the preview before writing, the outcome after, the history.

Frozen dataclasses of plain values, so a preview pickles into any cache or Dash store and compares in
tests. All text meant for the user is French.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.fields import FIELDS, Field
from domain.formatting import count

SHOWN_REJECTED_ROWS = 20
# The delimiters a text file may use, in the order they are tried, with their French names.
DELIMITER_LABELS = {";": "point-virgule", ",": "virgule", "\t": "tabulation", "|": "barre verticale"}


@dataclass(frozen=True)
class RejectedRow:
    """A row left out, with its 1-based line in the file (Excel row for .xlsx) and the cells as read."""

    line: int
    column: str
    reason: str
    values: tuple[str, ...]


def plural(number: int, singular: str, plural_form: str) -> str:
    """`1 deal créé`, `12 345 deals créés`: French grouping, and the right noun form."""
    return f"{count(number)} {singular if number <= 1 else plural_form}"


@dataclass(frozen=True)
class ImportPreview:
    """What importing the file would do, computed against the database without writing to it.

    `error` is set when the file cannot be imported at all (empty, unreadable, a required column missing);
    the columns are still filled when known, so the user can fix the mapping.
    """

    file_name: str
    encoding: str | None = None
    delimiter: str | None = None
    date_order: str | None = None
    notes: tuple[str, ...] = ()
    columns: dict[str, str | None] = field(default_factory=dict)
    fields: tuple[Field, ...] = FIELDS
    unknown_stages: dict[str, str | None] = field(default_factory=dict)
    # The user's stage choices this preview was computed with: what a confirm must apply to do what it showed.
    stage_mapping: dict[str, str] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejected_rows: tuple[RejectedRow, ...] = ()
    without_amount: int = 0
    header: tuple[str, ...] = ()
    error: str | None = None

    @property
    def first_rejected(self) -> tuple[RejectedRow, ...]:
        """The rejected rows the preview lists; all of them are in `rejected_rows_csv`."""
        return self.rejected_rows[:SHOWN_REJECTED_ROWS]

    @property
    def total_rows(self) -> int:
        """Data rows read from the file (blank and footer lines excluded)."""
        return self.created + self.updated + self.duplicates + self.rejected

    @property
    def importable(self) -> bool:
        """Whether confirming would create or change at least one deal."""
        return self.error is None and self.created + self.updated > 0

    @property
    def file_format(self) -> str:
        """`Windows-1252, séparateur point-virgule` or `Excel (.xlsx)`, for the preview header."""
        if self.delimiter is None:
            return "Excel (.xlsx)" if self.encoding is None and self.header else "—"
        return f"{self.encoding}, séparateur {DELIMITER_LABELS[self.delimiter]}"

    @property
    def summary(self) -> str:
        """One French line with the four counts, and how many accepted rows have no amount yet."""
        estimate = f" · sans montant (à estimer) : {count(self.without_amount)}" if self.without_amount else ""
        return (f"À créer : {count(self.created)} · à mettre à jour : {count(self.updated)} · "
                f"déjà présents : {count(self.duplicates)} · rejetés : {count(self.rejected)}{estimate}")


@dataclass(frozen=True)
class ImportOutcome:
    """What `run_import` did: the counts as written (in `preview`), a French message, the history row id.

    When `preview.error` is set nothing was written, and the counts are zero.
    """

    preview: ImportPreview
    message: str
    run_id: int | None = None

    @property
    def error(self) -> str | None:
        """Why nothing at all could be imported, or None."""
        return self.preview.error


@dataclass(frozen=True)
class ImportRunSummary:
    """One line of the import history; `user_name` is who imported (None in solo mode and for older runs)."""

    id: int
    file_name: str
    imported_at: datetime
    created: int
    updated: int
    duplicates: int
    rejected: int
    user_name: str | None = None
