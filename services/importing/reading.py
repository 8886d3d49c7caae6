"""Uploaded bytes -> a header and rows of cells with their line numbers; refuse what is not a table.

Why here: the later steps (mapping, values, validation) see text cells and line numbers only, never bytes,
encodings, delimiters or Excel, so a CSV saved by French Excel, a CRM export and an .xlsx workbook all go
through the same rules. Rows are produced lazily, so a million-row file is never held as rows in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from charset_normalizer import from_bytes
from openpyxl import load_workbook

from domain import formatting
from domain.import_results import DELIMITER_LABELS
from services.importing.synonyms import known_header_count
from services.importing.values import Cell

DELIMITERS = tuple(DELIMITER_LABELS)
SAMPLE_BYTES = 64 * 1024
SAMPLE_ROWS = 50
HEADER_SEARCH_ROWS = 10
# Western encodings only: unrestricted detection calls short French text Central European (cp1250),
# which turns "après" into "apr\u010ds". Ties go to cp1252, what Excel writes in France.
WESTERN_ENCODINGS = ["cp1252", "mac_roman"]
ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (avec BOM)", "utf-16": "UTF-16", "cp1252": "Windows-1252",
                   "mac_roman": "Mac Roman", "latin-1": "ISO-8859-1"}
SIGNATURES = (
    (b"%PDF", "un document PDF"), (b"\x89PNG", "une image PNG"), (b"\xff\xd8\xff", "une image JPEG"),
    (b"GIF8", "une image GIF"), (b"\x1f\x8b", "une archive gzip"), (b"\x7fELF", "un programme"),
    (b"\xd0\xcf\x11\xe0", "un classeur Excel 97-2003 (.xls) ou un document Office ancien"),
)
_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 13))
# Footer lines of report exports. Strict on purpose: a client named "Total Energies" is not a footer.
_FOOTER = re.compile(
    r"grand\s+totals?\b|totaux\b|total\s*(?:g[ée]n[ée]ral|:|\(|$)|sous-total|confidenti|copyright|©|\(c\)\s"
    r"|generated\s+(?:on|by)\b|g[ée]n[ée]r[ée]\s+(?:le|par)\b",
    re.IGNORECASE,
)

log = logging.getLogger(__name__)
csv.field_size_limit(2**31 - 1)  # a long notes cell is data, not an error; the byte limit bounds the file


class UnreadableFileError(Exception):
    """The file cannot be read as a table at all; the message is French and meant for the user."""


@dataclass(frozen=True)
class XlsxLimits:
    """What a workbook may hold, checked before and while it is parsed: an .xlsx is a ZIP, and 400 KB can
    unpack to gigabytes of XML."""

    max_unpacked_bytes: int = 200 * 1024 * 1024
    max_cells: int = 5_000_000


DEFAULT_XLSX_LIMITS = XlsxLimits()


@dataclass(frozen=True)
class Source:
    """A readable file: how it was read, its header, and a way to stream its data rows (again)."""

    kind: str
    encoding: str | None
    delimiter: str | None
    header: tuple[str, ...]
    header_line: int
    notes: tuple[str, ...]
    _raw_rows: Callable[[], Iterator[tuple[int, list[Cell]]]]

    def records(self) -> Records:
        """The data rows after the header, blank lines and trailing footer lines left out."""
        rows = ((line, cells) for line, cells in self._raw_rows() if line > self.header_line)
        return Records(rows, len(self.header))


class Records:
    """Data rows with a trailing footer ("Grand Totals (N records)", confidentiality line...) held back.

    A footer-looking row is only dropped when nothing but footer-looking rows follows it; in the middle of
    the file it is a data row like any other and is validated (and rejected) as such.
    """

    def __init__(self, rows: Iterator[tuple[int, list[Cell]]], width: int) -> None:
        self._rows = rows
        self._width = width
        self.footer_lines = 0

    def _is_footer(self, cells: list[Cell]) -> bool:
        if len(cells) == 1:
            return self._width > 1
        first = cells[0] or next((cell for cell in cells if cell != ""), "")
        if not isinstance(first, str) or not _FOOTER.match(first.lstrip()):
            return False
        # A totals line fills its label and a sum or two; a data row fills most of its cells.
        return sum(1 for cell in cells if cell != "") <= max(2, self._width // 2)

    def __iter__(self) -> Iterator[tuple[int, list[Cell]]]:
        held: list[tuple[int, list[Cell]]] = []
        for line, cells in self._rows:
            if self._is_footer(cells):
                held.append((line, cells))
                continue
            if held:
                yield from held
                held.clear()
            yield line, cells
        self.footer_lines = len(held)


def read_source(content: bytes, file_name: str, xlsx_limits: XlsxLimits = DEFAULT_XLSX_LIMITS) -> Source:
    """Recognise the file (xlsx or text), its encoding, delimiter and header; raise UnreadableFileError if not."""
    if len(content) < SAMPLE_BYTES and not content.strip(b" \t\r\n\xef\xbb\xbf"):
        raise UnreadableFileError(f"Le fichier « {file_name} » est vide.")
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content, file_name, xlsx_limits)
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise UnreadableFileError(f"« {file_name} » porte l'extension .xlsx mais n'est pas un classeur Excel lisible.")
    for signature, kind in SIGNATURES:
        if content.startswith(signature):
            raise UnreadableFileError(_binary_message(file_name, kind))
    codec = _detect_encoding(content, file_name)
    return _read_text(content, codec, file_name)


def _binary_message(file_name: str, kind: str) -> str:
    return (f"« {file_name} » n'est pas un fichier CSV : c'est {kind}. "
            "Exportez vos données en CSV (séparateur point-virgule ou virgule) ou en classeur .xlsx.")


def _decodes(content: bytes, codec: str) -> int | None:
    """None if all of `content` decodes with `codec`, else the offset of the first bad byte."""
    decoder = codecs.getincrementaldecoder(codec)()
    step = 1 << 20
    for start in range(0, len(content), step):
        try:
            decoder.decode(content[start:start + step], final=start + step >= len(content))
        except UnicodeDecodeError as error:
            return start + error.start
    return None


def _detect_encoding(content: bytes, file_name: str) -> str:
    """UTF-16 by its mark; UTF-8 (with or without BOM) by strict decoding; else a Western code page."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = content[:SAMPLE_BYTES]
    if b"\x00" in content or len(head) - len(head.translate(None, _CONTROL_BYTES)) > len(head) // 100:
        raise UnreadableFileError(_binary_message(file_name, "un fichier binaire (image, archive, document…)"))
    codec = "utf-8-sig" if content.startswith(codecs.BOM_UTF8) else "utf-8"
    bad = _decodes(content, codec)
    if bad is None:
        return codec
    sample = head + content[max(bad - SAMPLE_BYTES // 4, len(head)):bad + SAMPLE_BYTES // 4]
    best = from_bytes(sample, cp_isolation=WESTERN_ENCODINGS).best()
    if best is None:
        raise UnreadableFileError(_binary_message(file_name, "un fichier binaire ou dans un encodage inconnu"))
    codec = codecs.lookup(best.encoding).name
    return codec if _decodes(content, codec) is None else "latin-1"


def _text_rows(content: bytes, codec: str, delimiter: str) -> Iterator[tuple[int, list[Cell]]]:
    """Parsed records with the file line each starts on (quoted newlines count); blank lines skipped."""
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=codec, newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    previous = 0
    try:
        for cells in reader:
            line = previous + 1
            previous = reader.line_num
            if cells and (cells[0].strip() or "".join(cells).strip()):
                yield line, cells
    except csv.Error as error:
        raise UnreadableFileError(f"Ligne {previous + 1} illisible : {error}.") from error


def _sample_text(content: bytes, codec: str) -> str:
    """The start of the file as text, cut after its last complete line."""
    text = codecs.getincrementaldecoder(codec)(errors="replace").decode(content[:SAMPLE_BYTES], final=False)
    if len(content) > SAMPLE_BYTES and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    return text


def _header_index(rows: list[list[Cell]]) -> int:
    """The header is the first row, unless a row soon after names clearly more known columns (a title
    line or two above the table, as in many spreadsheet exports)."""
    known = [known_header_count([str(cell) for cell in row]) for row in rows[:HEADER_SEARCH_ROWS]]
    best = max(range(len(known)), key=lambda index: (known[index], -index), default=0)
    return best if known and known[best] >= 2 and known[best] > known[0] else 0


def _score(rows: list[list[str]]) -> tuple[bool, int, float, int]:
    """(several columns, known header names, share of rows as wide as the header, width): higher is better."""
    if not rows:
        return False, 0, 0.0, 0
    index = _header_index(rows)
    header, data = rows[index], rows[index + 1:]
    width = len(header)
    fitting = sum(1 for row in data if len(row) == width or (len(row) > width and not any(row[width:])))
    return width > 1, known_header_count(header), fitting / len(data) if data else 0.0, width


def _read_text(content: bytes, codec: str, file_name: str) -> Source:
    sample = _sample_text(content, codec)
    first_line = sample.lstrip("\ufeff").split("\n", 1)[0].strip()
    notes: list[str] = []
    if re.fullmatch(r"sep=.", first_line, re.IGNORECASE):
        delimiters: tuple[str, ...] = (first_line[4],)
    else:
        delimiters = DELIMITERS
    parsed = {}
    for delimiter in delimiters:
        rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))
        if len(delimiters) == 1:
            rows = rows[1:]
        parsed[delimiter] = [row for row in rows if "".join(row).strip()][:SAMPLE_ROWS]
    delimiter = max(delimiters, key=lambda candidate: _score(parsed[candidate]))
    rows = parsed[delimiter]
    index = _header_index(rows)
    if index:
        notes.append(f"{index} ligne(s) au-dessus de l'en-tête ignorée(s).")

    def raw_rows() -> Iterator[tuple[int, list[Cell]]]:
        return _text_rows(content, codec, delimiter)

    header_line, header = _nth_row(raw_rows(), index + (1 if len(delimiters) == 1 else 0))
    return Source("csv", ENCODING_LABELS.get(codec, codec), delimiter, _unique_names(header), header_line,
                  tuple(notes), raw_rows)


def _nth_row(rows: Iterator[tuple[int, list[Cell]]], index: int) -> tuple[int, list[Cell]]:
    for position, row in enumerate(rows):
        if position == index:
            return row
    raise UnreadableFileError("Le fichier ne contient aucune ligne lisible.")


def _check_unpacked_size(content: bytes, file_name: str, limits: XlsxLimits) -> None:
    """Refuse a workbook whose parts unpack beyond the limit, from the ZIP directory alone (nothing inflated)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        unpacked = sum(entry.file_size for entry in archive.infolist())
    if unpacked > limits.max_unpacked_bytes:
        raise UnreadableFileError(
            f"Le classeur « {file_name} » se décompresse en {formatting.file_size(unpacked)} : la limite est de "
            f"{formatting.file_size(limits.max_unpacked_bytes)}. Enregistrez-le en CSV, ou découpez-le.")


def _xlsx_rows(content: bytes, file_name: str, limits: XlsxLimits) -> list[tuple[int, list[Cell]]]:
    """Rows of the active sheet with Excel row numbers, read once; numbers and dates stay typed (no locale
    guessing). Stops at the cell limit, so a sheet of empty-looking millions of cells costs no more."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    rows: list[tuple[int, list[Cell]]] = []
    cells_read = 0
    try:
        sheet = workbook.active or workbook.worksheets[0]
        sheet.reset_dimensions()
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells_read += len(values)
            if cells_read > limits.max_cells:
                raise UnreadableFileError(
                    f"Le classeur « {file_name} » compte plus de {formatting.count(limits.max_cells)} cellules : "
                    "enregistrez-le en CSV, ou découpez-le.")
            cells: list[Cell] = ["" if value is None else value for value in values]
            while cells and cells[-1] == "":
                cells.pop()
            if any(not isinstance(cell, str) or cell.strip() for cell in cells):
                rows.append((line, cells))
    finally:
        workbook.close()
    return rows


def _read_xlsx(content: bytes, file_name: str, limits: XlsxLimits) -> Source:
    unreadable = f"« {file_name} » est une archive ZIP mais pas un classeur Excel (.xlsx) lisible."
    try:
        _check_unpacked_size(content, file_name, limits)
        rows = _xlsx_rows(content, file_name, limits)
    except UnreadableFileError:
        raise
    except Exception as error:
        # openpyxl on a hostile or damaged file can raise nearly anything (XML parse errors are SyntaxError,
        # a broken part KeyError, TypeError or ValueError): every one of them is "not a readable workbook".
        log.info("unreadable workbook %s: %r", file_name, error)
        raise UnreadableFileError(unreadable) from error
    if not rows:
        raise UnreadableFileError(f"Le classeur « {file_name} » est vide.")
    first_rows = rows[:SAMPLE_ROWS]
    index = _header_index([cells for _line, cells in first_rows])
    notes = (f"{index} ligne(s) au-dessus de l'en-tête ignorée(s).",) if index else ()
    header_line, header = first_rows[index]
    return Source("xlsx", None, None, _unique_names(header), header_line, notes, lambda: iter(rows))


def _unique_names(header: list[Cell]) -> tuple[str, ...]:
    """Header names as the user sees them, made unique (`Montant (2)`) and never empty (`Colonne 3`)."""
    names: list[str] = []
    for position, cell in enumerate(header, start=1):
        name = str(cell).strip().lstrip("\ufeff") or f"Colonne {position}"
        candidate, copy = name, 2
        while candidate in names:
            candidate, copy = f"{name} ({copy})", copy + 1
        names.append(candidate)
    return tuple(names)
