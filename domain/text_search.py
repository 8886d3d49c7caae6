"""Text search folding: the lower-case, accent-free form that `deals.recherche` holds and that a search term
is compared in, so `societe` finds « Société Générale » and `ECOLE` finds « école ».

Why a fixed map rather than `unicodedata` or the database's `lower()`: the column is computed by each
database (a generated column) and the term here, and the three must agree on every input. PostgreSQL's
`lower()` follows the database's locale (with `C` it folds ASCII only), SQLite's folds ASCII only, and
Python's folds all of Unicode. So folding is: the letters of `FOLDS` replaced (both cases, French and the
rest of Latin-1, plus Œ, Æ and ß, which become two letters), the combining accents that a decomposed
(NFD) text carries removed, then ASCII A-Z lowered; any other character is kept as it is, by all three.
Migration 0008 keeps its own literal copy of this map (a migration is a snapshot);
`tests/test_text_search_column.py` checks on both databases that the column equals `fold()` of its text.
"""

from __future__ import annotations

# Each folded character and what it becomes (lower-case ASCII, or nothing for a combining accent).
FOLDS: dict[str, str] = {
    **dict.fromkeys("àáâãäåÀÁÂÃÄÅ", "a"),
    **dict.fromkeys("çÇ", "c"),
    **dict.fromkeys("èéêëÈÉÊË", "e"),
    **dict.fromkeys("ìíîïÌÍÎÏ", "i"),
    **dict.fromkeys("ñÑ", "n"),
    **dict.fromkeys("òóôõöøÒÓÔÕÖØ", "o"),
    **dict.fromkeys("ùúûüÙÚÛÜ", "u"),
    **dict.fromkeys("ýÿÝŸ", "y"),
    **dict.fromkeys("œŒ", "oe"),
    **dict.fromkeys("æÆ", "ae"),
    "ß": "ss",
    # Combining grave, acute, circumflex, tilde, diaeresis, ring above and cedilla (text in NFD form).
    **dict.fromkeys("\u0300\u0301\u0302\u0303\u0308\u030a\u0327", ""),
}
ASCII_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_TABLE = str.maketrans({**FOLDS, **{letter: letter.lower() for letter in ASCII_UPPER}})


def fold(text: str) -> str:
    """`text` folded as `deals.recherche` is: `fold("Œuvre Société")` is `"oeuvre societe"`."""
    return text.translate(_TABLE)


# The straight apostrophe and those word processors type instead (’ ‘ ʼ): a term typed with one finds text
# written with another.
APOSTROPHES = "'\u2019\u2018\u02bc"
_APOSTROPHE_SPLIT = str.maketrans(dict.fromkeys(APOSTROPHES, " "))


def search_words(search: str) -> list[str]:
    """The words a search looks for, folded, each once. A word with apostrophes is looked for in its parts, without
    the one-letter elisions: `l'oreal` looks for `oreal`, which finds « L’Oréal » as « L'Oréal »,
    `aujourd’hui` for `aujourd` and `hui`. A word of one letter typed alone stays."""
    words: list[str] = []
    for word in fold(search).split():
        parts = word.translate(_APOSTROPHE_SPLIT).split()
        if parts != [word]:  # it had apostrophes
            parts = [part for part in parts if len(part) > 1] or parts
        words += parts
    return list(dict.fromkeys(words))


def searched_text(client: str, notes: str | None, ref_externe: str | None) -> str:
    """What `deals.recherche` holds for a deal: client, notes and reference, space-separated, folded."""
    return fold(f"{client} {notes or ''} {ref_externe or ''}")
