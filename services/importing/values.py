"""Cell text -> typed value: amounts, dates and stages as people and CRMs really write them.

Why per file: `1,500` is fifteen hundred in an English export and one and a half in a French one, and
`03/04/2026` is March or April depending on who wrote it. Looking at one cell cannot tell; the whole column
can. `scan_conventions` reads the evidence once per file, then every cell is parsed the same way, and a
cell that cannot be read under the file's convention is rejected rather than guessed.

Parsers return `(value, None)` or `(None, reason)`; the reason is French and quotes the cell, ready for the
rejected-rows report. They never raise on bad input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import islice

from domain.stages import STAGE_NAMES
from services.importing.synonyms import STAGE_INDEX, normalise, suggest_stage

Cell = str | int | float | date | datetime | None

DAY_FIRST, MONTH_FIRST = "jour/mois", "mois/jour"
# numeric(12, 2): at most 10 digits before the decimal point.
MAX_AMOUNT = Decimal("9999999999.99")
MIN_YEAR, MAX_YEAR = 1900, 2100
EXCEL_EPOCH = date(1899, 12, 30)
_CACHE_LIMIT = 200_000
Parsed = tuple[str | None, str | None]



def _remembered(cache: dict[str, Parsed], cell: str, parse: Callable[[str], Parsed]) -> Parsed:
    """`parse(cell.strip())`, remembered: a CRM export repeats the same amounts and dates thousands of times.
    The cache is emptied when full, so a million distinct cells cannot grow it without bound."""
    parsed = cache.get(cell)
    if parsed is None:
        parsed = parse(cell.strip())
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[cell] = parsed
    return parsed


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_EURO = re.compile(r"^(?:€|eur|euros?)\s*|\s*(?:€|eur|euros?)$", re.IGNORECASE)
_OTHER_CURRENCY = re.compile(r"[$£¥₹]|\b(?:usd|gbp|chf|cad|jpy|aud)\b", re.IGNORECASE)
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO_DATE = re.compile(rf"(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}")
_SHORT_DATE = re.compile(rf"(\d{{1,2}})([-/.])(\d{{1,2}})\2(\d{{4}}|\d{{2}}){_TIME}")


@dataclass(frozen=True)
class Conventions:
    """How this file writes numbers and dates, with the French notes the preview shows about them."""

    decimal_mark: str = ","
    decimal_notes: tuple[str, ...] = ()
    date_order: str | None = None
    date_notes: tuple[str, ...] = ()

    @property
    def notes(self) -> tuple[str, ...]:
        """Everything the preview should say about how numbers and dates were read."""
        return self.decimal_notes + self.date_notes

    @property
    def group_mark(self) -> str:
        """The thousands separator that goes with the decimal mark."""
        return "." if self.decimal_mark == "," else ","


def _amount_evidence(text: str) -> tuple[str | None, str | None]:
    """(decimal mark this cell proves, mark this cell suggests as a thousands separator when alone)."""
    body = _SPACES.sub("", _EURO.sub("", text.strip()))
    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        return ("," if body.rfind(",") > body.rfind(".") else "."), None
    for mark, other, count in ((",", ".", commas), (".", ",", dots)):
        if count > 1:
            return other, None
        if count == 1:
            decimals = len(body) - body.index(mark) - 1
            return (mark, None) if decimals != 3 else (None, mark)
    return None, None


def _date_order_evidence(first: int, second: int) -> str | None:
    """Which order the two leading numbers of a `dd/mm/yyyy`-like cell prove (a part above 12), if any."""
    if first > 12 >= second:
        return DAY_FIRST
    if second > 12 >= first:
        return MONTH_FIRST
    return None


def scan_conventions(cells: Iterable[tuple[Cell, Cell]], settled_after: int = 50,
                     max_rows: int = 100_000) -> Conventions:
    """Decide the file's decimal mark and day/month order from its (amount, date) cells.

    Stops once both questions have `settled_after` cells of evidence, so a large file is usually decided
    in its first rows; otherwise it reads on, up to `max_rows` rows (the whole of any upload). Without
    evidence the French convention wins and a note says so. Cells that contradict the decision are
    rejected later, not reinterpreted.
    """
    decimal_votes = {",": 0, ".": 0}
    grouping_seen: set[str] = set()
    order_votes = {DAY_FIRST: 0, MONTH_FIRST: 0}
    short_dates_seen = False
    for amount, due in islice(cells, max_rows):
        if isinstance(amount, str) and amount:
            proven, grouping = _amount_evidence(amount)
            if proven:
                decimal_votes[proven] += 1
            elif grouping:
                grouping_seen.add(grouping)
        if isinstance(due, str) and due:
            short = _SHORT_DATE.fullmatch(due.strip())
            if short:
                short_dates_seen = True
                order = _date_order_evidence(int(short.group(1)), int(short.group(3)))
                if order:
                    order_votes[order] += 1
        if max(decimal_votes.values()) >= settled_after and max(order_votes.values()) >= settled_after:
            break
    decimal_mark, decimal_notes = _decimal_decision(decimal_votes, grouping_seen)
    return Conventions(decimal_mark, decimal_notes, *_order_decision(order_votes, short_dates_seen))


def _decimal_decision(votes: dict[str, int], grouping_seen: set[str]) -> tuple[str, tuple[str, ...]]:
    if any(votes.values()):
        return max(votes, key=lambda mark: votes[mark]), ()
    if grouping_seen == {","}:
        return ".", ("Montants comme « 12,500 » lus comme 12 500 € : la virgule y sépare les milliers.",)
    if grouping_seen == {"."}:
        return ",", ("Montants comme « 12.500 » lus comme 12 500 € : le point y sépare les milliers.",)
    return ",", ()


def _order_decision(votes: dict[str, int], short_dates_seen: bool) -> tuple[str | None, tuple[str, ...]]:
    if votes[MONTH_FIRST] > votes[DAY_FIRST]:
        return MONTH_FIRST, ("Dates lues au format mois/jour/année (format américain).",)
    if votes[DAY_FIRST]:
        return DAY_FIRST, ("Dates lues au format jour/mois/année.",)
    if short_dates_seen:
        return DAY_FIRST, ("Dates lues au format jour/mois/année (ordre français) : aucune date du fichier ne "
                           "permettait de distinguer le jour du mois.",)
    return None, ()


def _canonical(amount: Decimal) -> str:
    return f"{amount:.2f}"


class AmountParser:
    """Parses amount cells under one file's decimal mark; remembers repeated cells (they repeat a lot)."""

    def __init__(self, conventions: Conventions) -> None:
        self._decimal = conventions.decimal_mark
        self._group = conventions.group_mark
        grouped = rf"\d{{1,3}}(?:{re.escape(self._group)}\d{{3}})+|\d+"
        self._pattern = re.compile(rf"({grouped})(?:{re.escape(self._decimal)}(\d+))?")
        # The usual cell, `12 500,50` or `12500.5`: digits, optional grouping, up to two decimals.
        group, decimal = re.escape(self._group), re.escape(self._decimal)
        self._simple = re.compile(rf"(\d{{1,3}}(?:[{group} \u00a0\u202f]\d{{3}})+|\d{{1,10}})(?:{decimal}(\d\d?))?")
        self._cache: dict[str, tuple[str | None, str | None]] = {}

    def parse(self, cell: Cell) -> tuple[str | None, str | None]:
        """Canonical `12500.50` text (exact, for the database and for duplicate keys), or a reason; an empty
        cell is no amount yet ("à estimer"): (None, None)."""
        if cell is None:
            return None, None
        if isinstance(cell, str):
            simple = self._simple.fullmatch(cell)
            if simple:
                whole, cents = simple.groups()
                if not whole.isdigit():
                    whole = _SPACES.sub("", whole).replace(self._group, "")
                whole = whole.lstrip("0") or "0"
                if len(whole) <= 10:
                    return f"{whole}.{(cents or '').ljust(2, '0')}", None
            return _remembered(self._cache, cell, self._parse_text) if cell.strip() else (None, None)
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            return self._check(Decimal(repr(cell)), repr(cell))
        return None, f"montant illisible « {cell} »"

    def _parse_text(self, text: str) -> tuple[str | None, str | None]:
        if _OTHER_CURRENCY.search(text):
            return None, f"montant « {text} » dans une autre devise que l'euro"
        body = _EURO.sub("", _SPACES.sub("", text))
        negative = body.startswith(("-", "(", "−")) or body.endswith(("-", ")"))
        body = _EURO.sub("", body.strip("-+()−"))
        match = self._pattern.fullmatch(body)
        if not match:
            return None, f"montant illisible « {text} »"
        whole, decimals = match.group(1).replace(self._group, ""), match.group(2) or ""
        try:
            amount = Decimal(f"{whole}.{decimals or '0'}")
        except InvalidOperation:
            return None, f"montant illisible « {text} »"
        if amount != amount.quantize(Decimal("0.01")):
            return None, f"montant « {text} » avec plus de deux décimales"
        return self._check(-amount if negative else amount, text)

    @staticmethod
    def _check(amount: Decimal, text: str) -> tuple[str | None, str | None]:
        if amount < 0:
            return None, f"montant négatif « {text} » : il doit être positif ou nul (vide si à estimer)"
        if amount > MAX_AMOUNT:
            return None, f"montant « {text} » trop élevé (9 999 999 999,99 € au plus)"
        if amount != amount.quantize(Decimal("0.01")):
            return None, f"montant « {text} » avec plus de deux décimales"
        return _canonical(amount), None


class DateParser:
    """Parses date cells under one file's day/month order; impossible dates are rejected, never shifted."""

    def __init__(self, conventions: Conventions, excel_serials: bool) -> None:
        self._day_first = conventions.date_order != MONTH_FIRST
        self._excel_serials = excel_serials
        self._cache: dict[str, tuple[str | None, str | None]] = {}

    def parse(self, cell: Cell) -> tuple[str | None, str | None]:
        """ISO `2026-12-31` text, or a reason."""
        if isinstance(cell, str):
            return _remembered(self._cache, cell, self._parse_text)
        if isinstance(cell, datetime):
            return self._check(cell.date(), str(cell))
        if isinstance(cell, date):
            return self._check(cell, str(cell))
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            return self._serial(cell)
        return None, f"date illisible « {cell} »"

    def _serial(self, serial: float) -> tuple[str | None, str | None]:
        if not self._excel_serials or not 1 <= serial < 2_958_466:
            return None, f"date illisible « {serial} »"
        return self._check(EXCEL_EPOCH + timedelta(days=int(serial)), str(serial))

    def _parse_text(self, text: str) -> tuple[str | None, str | None]:
        iso = _ISO_DATE.fullmatch(text)
        if iso:
            year, month, day = (int(part) for part in iso.groups())
            return self._build(year, month, day, text)
        short = _SHORT_DATE.fullmatch(text)
        if short:
            first, second, year = int(short.group(1)), int(short.group(3)), int(short.group(4))
            if len(short.group(4)) == 2:
                year += 2000 if year < 70 else 1900
            day, month = (first, second) if self._day_first else (second, first)
            return self._build(year, month, day, text)
        return None, f"date illisible « {text} »"

    def _build(self, year: int, month: int, day: int, text: str) -> tuple[str | None, str | None]:
        try:
            value = date(year, month, day)
        except ValueError:
            return None, f"date impossible « {text} »"
        return self._check(value, text)

    @staticmethod
    def _check(value: date, text: str) -> tuple[str | None, str | None]:
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            return None, f"date « {text} » hors limites ({MIN_YEAR}–{MAX_YEAR})"
        return value.isoformat(), None


class StageResolver:
    """File stage value -> one of our five stages, through the user's choices, then the synonym table.

    Values it cannot place are counted in `unknown` (value -> rows), so the preview can ask the user.
    """

    def __init__(self, stage_mapping: Mapping[str, str] | None) -> None:
        self._chosen = {normalise(value): stage for value, stage in (stage_mapping or {}).items()}
        self._cache: dict[str, str | None] = {}
        self._outcomes: dict[str, str | None] = {}
        self.unknown: dict[str, int] = {}

    @staticmethod
    def invalid_choices(stage_mapping: Mapping[str, str] | None) -> list[str]:
        """Targets in a user's stage mapping that are not one of our stages."""
        return [stage for stage in (stage_mapping or {}).values() if stage not in STAGE_NAMES]

    def resolve(self, text: str) -> str | None:
        """Our stage for `text` (already stripped, not empty), or None (and `text` counted as unknown)."""
        if text in self._cache:
            stage = self._cache[text]
        else:
            key = normalise(text)
            stage = self._chosen.get(key) or STAGE_INDEX.get(key)
            self._cache[text] = stage
        if stage is None:
            self.unknown[text] = self.unknown.get(text, 0) + 1
        return stage

    def outcome(self, text: str) -> str | None:
        """Gagné or Perdu for a CRM deal status (won / lost), None for open or anything else."""
        if text not in self._outcomes:
            key = normalise(text)
            stage = self._chosen.get(key) or STAGE_INDEX.get(key)
            self._outcomes[text] = stage if stage in ("Gagné", "Perdu") else None
        return self._outcomes[text]

    def suggestions(self) -> dict[str, str | None]:
        """Unknown values, most frequent first, each with a suggested stage or None."""
        ordered = sorted(self.unknown, key=lambda value: (-self.unknown[value], value))
        return {value: suggest_stage(value) for value in ordered}
