"""One file row -> a deal row ready for the database, or a rejection with its line, column and French reason.

Why every rule is checked here, before the database: a file is written in one statement, and one bad row
failing a database constraint would throw the whole file away with a driver message. Checking first lets
the good rows through and tells the user exactly which rows to fix. The limits are the `deals` columns'.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from domain.fields import (
    ASSIGNEE,
    CLIENT,
    ECHEANCE,
    FIELD_BY_KEY,
    MONTANT,
    NOTES,
    REF,
    RESULTAT,
    SECTEUR,
    STATUT,
    DealRow,
)
from domain.import_results import RejectedRow
from services.importing.duplicates import InFileDuplicates
from services.importing.mapping import ColumnMapping
from services.importing.values import AmountParser, Cell, DateParser, StageResolver

KEPT_REJECTED_ROWS = 50_000
# Length limits from the field table (they mirror the `deals` columns), read once for the per-row fast path.
_CLIENT_MAX, _SECTEUR_MAX, _ASSIGNEE_MAX, _REF_MAX, _NOTES_MAX = (FIELD_BY_KEY[key].max_length
                                                                  for key in (CLIENT, SECTEUR, ASSIGNEE, REF, NOTES))


def _text(cell: Cell) -> str:
    return cell.strip() if isinstance(cell, str) else str(cell)


def as_text(cell: Cell) -> str:
    """A cell as the user would see it in a spreadsheet (for the rejected-rows file)."""
    return cell if isinstance(cell, str) else str(cell)


class Rejections:
    """Counts every rejected row; keeps the first `KEPT_REJECTED_ROWS` in full for the report and download."""

    def __init__(self) -> None:
        self.count = 0
        self.rows: list[RejectedRow] = []

    def add(self, line: int, problems: list[tuple[str, str]], cells: Iterable[Cell]) -> None:
        """Record one rejected row with all its problems (column, reason)."""
        self.count += 1
        if len(self.rows) < KEPT_REJECTED_ROWS:
            columns = ", ".join(dict.fromkeys(column for column, _reason in problems))
            reasons = " ; ".join(reason for _column, reason in problems)
            self.rows.append(RejectedRow(line, columns, reasons, tuple(as_text(cell) for cell in cells)))


class RowChecker:
    """Checks the rows of one file under its mapping and conventions.

    `check` takes a shortcut for the common row (every value readable, known stage, nothing too long) and
    otherwise runs `_full_check`, which applies every rule and names every problem. The shortcut only
    accepts rows that `_full_check` would accept with the same values; it exists because a million rows
    pass through here.
    """

    def __init__(self, mapping: ColumnMapping, width: int, amounts: AmountParser, dates: DateParser,
                 stages: StageResolver, typed_cells: bool) -> None:
        self._width = width
        self._amounts, self._dates, self._stages = amounts, dates, stages
        # Unmapped fields read the empty cell appended to every row, so no field needs a branch.
        at = {key: mapping.positions.get(key, width) for key in FIELD_BY_KEY}
        self._at = at
        self._client, self._statut, self._montant, self._echeance = at[CLIENT], at[STATUT], at[MONTANT], at[ECHEANCE]
        self._secteur, self._assignee, self._notes, self._ref = at[SECTEUR], at[ASSIGNEE], at[NOTES], at[REF]
        self._has_outcome = RESULTAT in mapping.positions
        self._text = _text if typed_cells else str.strip
        self._names = {key: mapping.header_of(key) if key in mapping.positions else FIELD_BY_KEY[key].label
                       for key in FIELD_BY_KEY}
        self._known_stages: dict[str, str] = {}

    def column_name(self, key: str) -> str:
        """The file's header for a field, or the field's label when no column is mapped to it."""
        return self._names[key]

    def check(self, line: int, cells: list[Cell]) -> tuple[DealRow | None, list[tuple[str, str]]]:
        """(row, []) or (None, [(column, reason), ...])."""
        if len(cells) != self._width:
            return self._full_check(line, cells)
        cells.append("")
        text = self._text
        client, ref = text(cells[self._client]), text(cells[self._ref])
        secteur, assignee = text(cells[self._secteur]), text(cells[self._assignee])
        statut = None if self._has_outcome else self._known_stages.get(text(cells[self._statut]))
        montant, problem = self._amounts.parse(cells[self._montant])
        due = cells[self._echeance]
        echeance = None
        if due != "" and problem is None:
            echeance, problem = self._dates.parse(due)
        if (problem is None and client and statut and len(client) <= _CLIENT_MAX and len(secteur) <= _SECTEUR_MAX
                and len(assignee) <= _ASSIGNEE_MAX and len(ref) <= _REF_MAX):
            notes = text(cells[self._notes])
            if len(notes) <= _NOTES_MAX:
                return DealRow(line, client, statut, montant, secteur or None, echeance, assignee or None,
                               notes or None, ref or None), []
        cells.pop()
        return self._full_check(line, cells)

    def _full_check(self, line: int, cells: list[Cell]) -> tuple[DealRow | None, list[tuple[str, str]]]:
        problems: list[tuple[str, str]] = []
        width = self._width
        if len(cells) > width and any(_text(cell) for cell in cells[width:]):
            return None, [("", f"ligne de {len(cells)} valeurs pour {width} colonnes : un séparateur "
                               "dans une valeur sans guillemets ?")]
        cells = [*cells[:width], *[""] * (width - len(cells)), ""]
        names = self._names
        client = _text(cells[self._client])
        if not client:
            problems.append((names[CLIENT], "client manquant"))
        elif len(client) > _CLIENT_MAX:
            problems.append((names[CLIENT], f"client trop long ({len(client)} caractères, {_CLIENT_MAX} au plus)"))
        statut = self._stage(cells, problems)
        montant, reason = self._amounts.parse(cells[self._montant])
        if reason:
            problems.append((names[MONTANT], reason))
        echeance = None
        if _text(cells[self._echeance]):
            echeance, reason = self._dates.parse(cells[self._echeance])
            if reason:
                problems.append((names[ECHEANCE], reason))
        secteur = self._optional(cells, SECTEUR, problems)
        assignee = self._optional(cells, ASSIGNEE, problems)
        notes = self._optional(cells, NOTES, problems)
        ref = self._optional(cells, REF, problems)
        if problems or statut is None:
            return None, problems
        return DealRow(line, client, statut, montant, secteur, echeance, assignee, notes, ref), problems

    def _stage(self, cells: list[Cell], problems: list[tuple[str, str]]) -> str | None:
        """The stage, a won/lost CRM status taking precedence over the pipeline stage (Pipedrive)."""
        outcome = _text(cells[self._at[RESULTAT]])
        if outcome and (decided := self._stages.outcome(outcome)):
            return decided
        raw = _text(cells[self._statut])
        if not raw:
            problems.append((self._names[STATUT], "statut manquant"))
            return None
        stage = self._stages.resolve(raw)
        if stage is None:
            problems.append((self._names[STATUT], f"statut inconnu « {raw} » : choisissez l'étape correspondante"))
        else:
            self._known_stages[raw] = stage
        return stage

    def _optional(self, cells: list[Cell], key: str, problems: list[tuple[str, str]]) -> str | None:
        value = _text(cells[self._at[key]])
        limit = FIELD_BY_KEY[key].max_length
        if limit is not None and len(value) > limit:
            problems.append((self._names[key], f"{FIELD_BY_KEY[key].label.lower()} trop long "
                                               f"({len(value)} caractères, {limit} au plus)"))
        return value or None


class Accepted:
    """Counts the accepted rows without an amount: the preview says how many deals come in "à estimer"."""

    def __init__(self) -> None:
        self.without_amount = 0


def checked_rows(records: Iterable[tuple[int, list[Cell]]], checker: RowChecker, rejections: Rejections,
                 duplicates: InFileDuplicates, accepted: Accepted) -> Iterator[DealRow]:
    """The valid rows, first occurrence only; rejected rows go to `rejections`, repeats to `duplicates`."""
    for line, cells in records:
        row, problems = checker.check(line, cells)
        if row is None:
            rejections.add(line, problems, cells)
            continue
        is_first, conflict = duplicates.check(row)
        if conflict:
            rejections.add(line, [(checker.column_name(REF), conflict)], cells)
        elif is_first:
            if row.montant_brut is None:
                accepted.without_amount += 1
            yield row
