"""Repeats inside one file: the same reference twice, or the same deal twice without a reference.

Why in Python and not in the staging table: a repeat that contradicts its first occurrence is rejected
with both line numbers and its cells, which the rejected-rows download needs and the database no longer
has. Keys are compact (the reference itself, or a 16-byte digest), so a million rows stay well within the
memory budget.
"""

from __future__ import annotations

from hashlib import blake2b

from domain.fields import DealRow

_LINE_SHIFT = 64
_IDENTITY_MASK = (1 << 64) - 1


class InFileDuplicates:
    """Remembers each reference (with its row's identity) and each reference-less deal key seen so far.

    Without a reference, a deal is the same deal when client, amount, due date and stage are equal: the rule
    used against the database too, so a file and its re-import give the same answer.
    """

    def __init__(self) -> None:
        self._refs: dict[str, int] = {}
        self._keys: set[bytes] = set()
        self.count = 0

    def check(self, row: DealRow) -> tuple[bool, str | None]:
        """(True, None) for a first occurrence, (False, None) for a repeat (counted as a duplicate), or
        (False, reason) for a reference repeated with other values (to reject)."""
        ref = row.ref_externe
        if ref is None:
            identity_cells = (row.client, row.statut, row.montant_brut or "", row.date_echeance or "")
            key = blake2b("\x1f".join(identity_cells).encode(), digest_size=16).digest()
            if key in self._keys:
                self.count += 1
                return False, None
            self._keys.add(key)
            return True, None
        identity = hash(row[1:-1]) & _IDENTITY_MASK  # every value but the line and the reference
        first = self._refs.get(ref)
        if first is None:
            self._refs[ref] = row.line << _LINE_SHIFT | identity
            return True, None
        if first & _IDENTITY_MASK == identity:
            self.count += 1
            return False, None
        return False, (f"référence « {ref} » déjà présente ligne {first >> _LINE_SHIFT} du fichier "
                       "avec d'autres valeurs")
