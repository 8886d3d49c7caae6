"""Every text field has a length limit from the one field-rules table, notes included: a file of huge cells
is rejected row by row with the reason, never stored."""

from __future__ import annotations

from sqlalchemy import Engine

from domain.fields import FIELD_BY_KEY, NOTES
from services.importing import run_import
from tests.security.conftest import deals_checksum


def test_notes_longer_than_the_limit_are_rejected_with_their_reason(engine: Engine) -> None:
    limit = FIELD_BY_KEY[NOTES].max_length
    assert limit is not None
    content = (f"Client;Statut;Montant;Notes\r\nGardé;Gagné;100;{'n' * limit}\r\n"
               f"Trop long;Gagné;100;{'n' * (limit + 1)}\r\n").encode()
    before = deals_checksum(engine)
    outcome = run_import(engine, content, "notes.csv")
    assert (outcome.preview.created, outcome.preview.rejected) == (1, 1)
    rejected = outcome.preview.rejected_rows[0]
    assert (rejected.line, rejected.column) == (3, "Notes")
    assert f"({limit + 1} caractères, {limit} au plus)" in rejected.reason
    assert deals_checksum(engine) != before
