"""French display formats, through Babel: `1 234 567 €`, `42,5 %`, `21/11/2026`; `—` when there is no value."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

LOCALE = "fr_FR"
NO_VALUE = "—"
TO_ESTIMATE = "à estimer"  # a deal's amount not valued yet (NULL), never shown as 0 €


def _half_up(format_number: Callable[..., str], *arguments: object, **options: object) -> str:
    """A Babel number format in French, rounded half up as a reader rounds: Babel rounds with the decimal context,
    half to even by default, which showed 1 000,50 € as "1 000 €" and 6,25 % as "6,2 %"."""
    with localcontext(rounding=ROUND_HALF_UP):
        return format_number(*arguments, locale=LOCALE, **options)


def euros(amount: Decimal | float | None, cents: bool = False) -> str:
    """An amount in euros, to the euro on cards (`cents=False`) or to the cent in the table."""
    if amount is None:
        return NO_VALUE
    pattern = "#,##0.00\u00a0¤" if cents else "#,##0\u00a0¤"
    return _half_up(format_currency, amount, "EUR", format=pattern, currency_digits=False)


def deal_amount(amount: Decimal | None, cents: bool = False) -> str:
    """A deal's amount, or "à estimer" when it has none yet (an amount of 0 is `0 €`)."""
    return TO_ESTIMATE if amount is None else euros(amount, cents)


def percent(ratio: Decimal | float | None) -> str:
    """A ratio (0.425) as a French percentage with one decimal (`42,5 %`)."""
    if ratio is None:
        return NO_VALUE
    return _half_up(format_percent, ratio, format="#,##0.0\u00a0%")


def count(value: int | None) -> str:
    """A whole number with French digit grouping (`12 345`)."""
    return NO_VALUE if value is None else _half_up(format_decimal, value, format="#,##0")


def day(value: date | None) -> str:
    """A date as `21/11/2026`."""
    return NO_VALUE if value is None else format_date(value, "dd/MM/yyyy", locale=LOCALE)


def month(value: date) -> str:
    """A month as `nov. 2026` (the forecast's buckets)."""
    return format_date(value, "MMM yyyy", locale=LOCALE)


def days(value: Decimal | float | None) -> str:
    """A duration in days with one decimal, `12,5 jours` (`1,0 jour`)."""
    if value is None:
        return NO_VALUE
    shown = _half_up(format_decimal, value, format="#,##0.0")
    return f"{shown}\u00a0jour" if Decimal(str(value)).quantize(Decimal("0.1")) <= 1 else f"{shown}\u00a0jours"


def moment(value: datetime | None) -> str:
    """A database timestamp (naive, UTC) as Paris time, `21/11/2026 14:05`."""
    if value is None:
        return NO_VALUE
    paris = value.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Paris"))
    return format_datetime(paris, "dd/MM/yyyy HH:mm", locale=LOCALE)


def file_size(size: int) -> str:
    """`10 Mo`, `12,4 Mo`, `900 Ko`: how a French user reads a file size (1 Mo = 1 024 Ko)."""
    if size < 1024 * 1024:
        return f"{_half_up(format_decimal, size / 1024, format='#,##0')} Ko"
    return f"{_half_up(format_decimal, size / (1024 * 1024), format='#,##0.#')} Mo"


def stored_value(field: str | None, text: str | None) -> str:
    """A history value (stored as locale-free text) in French: `12500.50` → `12 500,50 €`, `2026-12-31` →
    `31/12/2026`; the deal form's timeline and the e-mail digest write them alike."""
    if text is None:
        return TO_ESTIMATE if field == "montant_brut" else NO_VALUE
    try:
        if field == "montant_brut":
            return euros(Decimal(text), cents=True)
        if field == "date_echeance":
            return day(date.fromisoformat(text[:10]))
    except (InvalidOperation, ValueError):
        return text
    return text
