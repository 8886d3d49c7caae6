"""The seal of a preview opens only for the same bytes, name and server secret."""

from __future__ import annotations

from callbacks.import_seal import PreviewSeal, digest
from domain.import_results import ImportPreview

FILE = (b"Client;Statut;Montant\r\nAcme;Gagne;1\r\n", "deals.csv")
IMPORTABLE = ImportPreview("deals.csv", columns={"Client": "client"}, stage_mapping={"Gagne": "Gagné"}, created=1)


def test_a_sealed_file_opens_with_the_mappings_it_was_previewed_with() -> None:
    seal = PreviewSeal("secret")
    opened = seal.opened(seal.seal([FILE], [IMPORTABLE]))
    assert opened == {(digest(FILE[0]), "deals.csv"): ({"Client": "client"}, {"Gagne": "Gagné"})}


def test_what_was_not_importable_or_not_signed_here_opens_to_nothing() -> None:
    seal = PreviewSeal("secret")
    assert seal.opened(seal.seal([FILE], [ImportPreview("deals.csv", error="illisible")])) == {}
    assert seal.opened(PreviewSeal("another secret").seal([FILE], [IMPORTABLE])) == {}
    token = seal.seal([FILE], [IMPORTABLE])
    assert seal.opened(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) == {}
    assert seal.opened(None) == {} and seal.opened(["liste"]) == {}  # type: ignore[arg-type]
