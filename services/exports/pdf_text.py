"""Text as the PDF report draws it: one embedded font, characters it can draw, lengths that fit a column.

Why an embedded TrueType font (Bitstream Vera, shipped inside ReportLab): the 14 standard PDF fonts only
know Latin-1 and a few signs, and a client name may hold any character; an embedded font also looks the
same in every viewer. Vera lacks U+202F, the narrow no-break space Babel puts between French digit groups,
so it becomes the ordinary no-break space: `1 234 567 €` keeps its look and never breaks across a line.
"""

from __future__ import annotations

import re
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT, BOLD = "CrmVera", "CrmVera-Bold"
_FONT_FILES = {FONT: "Vera.ttf", BOLD: "VeraBd.ttf"}
# Control characters (tab, carriage return, line feed...) would break a line in a table cell or show as a box.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
ELLIPSIS = "…"


def register_fonts() -> None:
    """Register the report's fonts with ReportLab once per process (registering again is a no-op)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file_name in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file_name)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def printable(text: str | None) -> str:
    """`text` as the font can draw it on one line; empty for no value."""
    if text is None:
        return ""
    return _CONTROL.sub(" ", text).replace("\u202f", "\u00a0")


def fitted(text: str | None, width: float, font: str = FONT, size: float = 8) -> str:
    """`text` cut with an ellipsis so that it takes at most `width` points (a long client name in a column)."""
    shown = printable(text)
    if pdfmetrics.stringWidth(shown, font, size) <= width:
        return shown
    while shown and pdfmetrics.stringWidth(shown + ELLIPSIS, font, size) > width:
        shown = shown[:-1]
    return shown.rstrip() + ELLIPSIS
