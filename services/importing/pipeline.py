"""The import, end to end: bytes -> preview (never writes) or outcome (writes everything or nothing).

Why one pipeline for both: the preview runs the same reading, checks and SQL classification as the import,
inside a transaction it rolls back; the import then writes exactly the rows that classification sorted
as new or changed. So confirming does what the preview said, and a re-import is judged by the same rules.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import nullcontext
from dataclasses import replace

from sqlalchemy import Connection, Engine, insert
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from data.models import ImportRun
from data.write_context import IMPORT, write_source
from domain import formatting
from domain.errors import DatabaseUnavailableError
from domain.fields import ECHEANCE, MONTANT, DealRow
from domain.formatting import count
from domain.import_results import ImportOutcome, ImportPreview
from domain.stages import STAGE_NAMES
from services.importing.duplicates import InFileDuplicates
from services.importing.mapping import ColumnMapping, resolve_mapping
from services.importing.reading import DEFAULT_XLSX_LIMITS, Source, UnreadableFileError, XlsxLimits, read_source
from services.importing.report import outcome_message
from services.importing.validation import KEPT_REJECTED_ROWS, Accepted, Rejections, RowChecker, checked_rows
from services.importing.values import AmountParser, Cell, DateParser, StageResolver, scan_conventions
from services.importing.writing import Classification, ImportWriter, OthersDealsError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_FAILED = ("L'import a échoué dans la base de données : rien n'a été écrit. Réessayez ; si l'erreur revient, "
                 "le journal du serveur en donne le détail.")
log = logging.getLogger(__name__)


def preview_import(
    engine: Engine,
    content: bytes,
    file_name: str,
    column_mapping: Mapping[str, str | None] | None = None,
    stage_mapping: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    xlsx_limits: XlsxLimits = DEFAULT_XLSX_LIMITS,
    owner: str | None = None,
) -> ImportPreview:
    """What importing `content` would do, against the database as it is now; writes nothing. `owner`: a
    commercial's name, whose file may change only their own deals."""
    preview, _run_id = _import(engine, content, file_name, column_mapping, stage_mapping, max_bytes, xlsx_limits,
                               write=False, owner=owner)
    return preview


def run_import(
    engine: Engine,
    content: bytes,
    file_name: str,
    column_mapping: Mapping[str, str | None] | None = None,
    stage_mapping: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    xlsx_limits: XlsxLimits = DEFAULT_XLSX_LIMITS,
    user_name: str | None = None,
    owner: str | None = None,
) -> ImportOutcome:
    """Import `content` in one transaction and record it in the history, with `user_name` (who imported; None in
    solo mode) on the run and on the deals' history; on any error nothing is written. `owner` as for the preview."""
    preview, run_id = _import(engine, content, file_name, column_mapping, stage_mapping, max_bytes, xlsx_limits,
                             write=True, user_name=user_name, owner=owner)
    return ImportOutcome(preview, outcome_message(preview, written=run_id is not None), run_id)


def size_refusal(file_name: str, size: int, max_bytes: int = DEFAULT_MAX_BYTES) -> ImportPreview | None:
    """The French refusal of a file over the limit, or None; callable on a size alone (before decoding)."""
    if size <= max_bytes:
        return None
    return ImportPreview(file_name, error=(
        f"Le fichier « {file_name} » fait {formatting.file_size(size)} : "
        f"la limite est de {formatting.file_size(max_bytes)}. "
        "Découpez-le, ou importez-le en ligne de commande (crm import)."
    ))


def _convention_cells(source: Source, mapping: ColumnMapping) -> Iterator[tuple[Cell, Cell]]:
    """(amount, due date) cells of every data row, for the per-file number and date conventions."""
    amount_at = mapping.positions.get(MONTANT, -1)
    date_at = mapping.positions.get(ECHEANCE, -1)
    for _line, cells in source.records():
        size = len(cells)
        yield (cells[amount_at] if 0 <= amount_at < size else None,
               cells[date_at] if 0 <= date_at < size else None)


def _import(
    engine: Engine,
    content: bytes,
    file_name: str,
    column_mapping: Mapping[str, str | None] | None,
    stage_mapping: Mapping[str, str] | None,
    max_bytes: int,
    xlsx_limits: XlsxLimits,
    write: bool,
    user_name: str | None = None,
    owner: str | None = None,
) -> tuple[ImportPreview, int | None]:
    refused = size_refusal(file_name, len(content), max_bytes)
    if refused:
        return refused, None
    try:
        source = read_source(content, file_name, xlsx_limits)
    except UnreadableFileError as error:
        return ImportPreview(file_name, error=str(error)), None
    mapping = resolve_mapping(source.header, column_mapping)
    preview = ImportPreview(file_name, source.encoding, source.delimiter, notes=source.notes,
                            columns=mapping.columns, stage_mapping=dict(stage_mapping or {}), header=source.header,
                            error=mapping.error)
    invalid = StageResolver.invalid_choices(stage_mapping)
    if invalid:
        return replace(preview, error=f"Étape inconnue dans la correspondance des statuts : {', '.join(invalid)} "
                                      f"(étapes possibles : {', '.join(STAGE_NAMES)})."), None
    if preview.error:
        return preview, None
    run = _FileRun(source, mapping, stage_mapping)
    unreachable = f"{DatabaseUnavailableError.message} Rien n'a été importé."
    try:
        connection = engine.connect()
    except DBAPIError:
        log.exception("import of %s: database unreachable", file_name)
        return replace(preview, error=unreachable), None
    try:
        with connection:
            return _stage_and_write(connection, run, preview, write, user_name, owner)
    except (UnreadableFileError, OthersDealsError) as error:  # found while streaming the rows: nothing was written
        return replace(preview, error=str(error)), None
    except SQLAlchemyError as error:
        log.exception("import of %s failed in the database", file_name)
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return replace(preview, error=unreachable), None
        # The driver's words (table names, SQL, values) stay in the log: the founder gets a sentence he can act on.
        return replace(preview, error=IMPORT_FAILED), None


class _FileRun:
    """One pass over one file: the checked rows, and what the pass learnt (rejections, repeats, stages)."""

    def __init__(self, source: Source, mapping: ColumnMapping, stage_mapping: Mapping[str, str] | None) -> None:
        self.conventions = scan_conventions(_convention_cells(source, mapping))
        self.stages = StageResolver(stage_mapping)
        typed = source.kind == "xlsx"
        self.checker = RowChecker(mapping, len(source.header), AmountParser(self.conventions),
                                  DateParser(self.conventions, excel_serials=typed), self.stages, typed_cells=typed)
        self.mapped_fields = tuple(mapping.positions)
        self.rejections, self.duplicates, self.accepted = Rejections(), InFileDuplicates(), Accepted()
        self.amount_mapped = MONTANT in mapping.positions
        self.records = source.records()

    def rows(self) -> Iterator[DealRow]:
        """The valid, first-occurrence rows (lazily: the pass happens as the database consumes them)."""
        return checked_rows(self.records, self.checker, self.rejections, self.duplicates, self.accepted)

    @property
    def unstaged(self) -> int:
        """Rows read but not staged: rejected, or repeated within the file."""
        return self.rejections.count + self.duplicates.count

    def completed(self, preview: ImportPreview, classification: Classification) -> ImportPreview:
        """The preview with everything the pass and the database classification found."""
        notes = [*preview.notes, *self.conventions.notes]
        if not self.amount_mapped:
            notes.append("Aucune colonne de montant reconnue : les deals arrivent « à estimer ». Si le fichier "
                         "a un montant, choisissez sa colonne ci-dessous.")
        if self.records.footer_lines:
            notes.append(f"{self.records.footer_lines} ligne(s) de pied de page ignorée(s) (totaux, mentions).")
        if self.rejections.count > KEPT_REJECTED_ROWS:
            notes.append(f"Seules les {count(KEPT_REJECTED_ROWS)} premières lignes rejetées sont détaillées.")
        return replace(
            preview,
            date_order=self.conventions.date_order,
            notes=tuple(notes),
            unknown_stages=self.stages.suggestions(),
            created=classification.to_create,
            updated=classification.changed,
            duplicates=self.duplicates.count + classification.matched - classification.changed,
            rejected=self.rejections.count,
            rejected_rows=tuple(self.rejections.rows),
            without_amount=self.accepted.without_amount,
        )


def _stage_and_write(connection: Connection, run: _FileRun, preview: ImportPreview, write: bool,
                     user_name: str | None, owner: str | None) -> tuple[ImportPreview, int | None]:
    """Classify (and, for an import, write) in one transaction; a preview rolls it back."""
    writer = ImportWriter(connection, run.mapped_fields, write, owner)
    try:
        with connection.begin() as transaction:
            # Only a real import marks its source: on SQLite that is a write, which a preview must not make.
            with write_source(connection, IMPORT, user_name) if write else nullcontext():
                classification = writer.run(run.rows())
            if classification.staged + run.unstaged == 0:
                transaction.rollback()
                return replace(preview, error=(f"Le fichier « {preview.file_name} » ne contient que son "
                                               "en-tête : aucune ligne de deal à importer.")), None
            preview = run.completed(preview, classification)
            if not write:
                transaction.rollback()
                return preview, None
            run_id = connection.execute(insert(ImportRun).values(
                file_name=preview.file_name[:255], created=preview.created, updated=preview.updated,
                duplicates=preview.duplicates, rejected=preview.rejected, user_name=user_name,
            ).returning(ImportRun.id)).scalar_one()
    finally:
        writer.drop_tables()
    return preview, run_id
