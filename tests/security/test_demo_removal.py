"""Removing the demo deals deletes the deals the generator wrote and nothing else, whatever the founder's
references look like (SQLite's LIKE is blind to case: `demo-mine` used to go with the demo deals)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, text

from data.migrate import downgrade, upgrade
from domain.deal_filter import DealFilter
from services.cache import VersionedCache
from services.reads import DealReads
from services.writes import DealWrites
from settings import Settings
from wiring import make_cache_backend

LOOKALIKES = ("demo-mine", "DEMO-mine", "Demo-0001", "DEMO-00012", "DEMO_0003")


def _services(engine: Engine) -> tuple[DealReads, DealWrites]:
    cache = VersionedCache(make_cache_backend(Settings(cache_type="simple")))
    return DealReads(engine, cache), DealWrites(engine, cache)


def _import_lookalikes(writes: DealWrites) -> None:
    lines = "".join(f"{ref};Client {ref};Gagné;1 000\r\n" for ref in LOOKALIKES)
    outcome = writes.import_file(f"Réf.;Client;Statut;Montant\r\n{lines}".encode(), "mes-deals.csv")
    assert outcome.preview.created == len(LOOKALIKES), outcome.message


def _refs(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(text("SELECT ref_externe FROM deals")).scalars())


def test_demo_removal_keeps_every_deal_of_the_founder(engine: Engine) -> None:
    reads, writes = _services(engine)
    _import_lookalikes(writes)
    assert not reads.has_demo_data()
    seeded = writes.seed_demo(date(2026, 11, 21))
    assert reads.has_demo_data()

    assert writes.remove_demo() == seeded
    assert _refs(engine) == set(LOOKALIKES)
    assert not reads.has_demo_data()
    assert reads.kpis(DealFilter()).deal_count == len(LOOKALIKES)


def test_the_migration_marks_only_the_deals_the_generator_wrote(engine: Engine) -> None:
    downgrade(engine, "0005_deal_totals")
    with engine.begin() as connection:
        for ref in (*LOOKALIKES, "DEMO-0001", "DEMO-0240"):
            connection.execute(text("INSERT INTO deals (client, statut, montant_brut, ref_externe) "
                                    "VALUES ('Client', 'Prospect', 100, :ref)"), {"ref": ref})
    upgrade(engine)
    with engine.connect() as connection:
        marked = set(connection.execute(text("SELECT ref_externe FROM deals WHERE est_demo")).scalars())
    assert marked == {"DEMO-0001", "DEMO-0240"}
