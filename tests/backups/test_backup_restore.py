"""`backup` then `restore` gives back every row of every table, on SQLite and on PostgreSQL; a restore replaces
what was there, brings an older backup up to date, and shows at once on a running dashboard."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from data.migrate import at_head, upgrade
from data.write_context import FORMULAIRE
from domain.deal_filter import DealFilter
from domain.stages import STAGE_NAMES
from services import backups
from tests.backups.conftest import every_row, fill, services_on
from wiring import Services


def test_a_restore_into_an_empty_database_gives_back_every_row(filled: Services, empty_twin: Engine,
                                                               tmp_path: Path) -> None:
    saved = tmp_path / "crm.sauvegarde"
    backups.backup(filled.engine, saved)

    assert backups.restore(empty_twin, saved)

    restored = every_row(empty_twin)
    assert restored == every_row(filled.engine)
    assert {"deals", "deal_events", "import_runs", "users", "api_tokens", "pipeline_changes"} <= set(restored)
    assert all(restored[table] for table in ("deals", "deal_events", "import_runs", "users", "api_tokens"))


def test_a_restored_database_keeps_working(filled: Services, empty_twin: Engine, tmp_path: Path) -> None:
    """Ids go on after the restored ones and the triggers still keep the figures (sequences, functions)."""
    saved = tmp_path / "crm.sauvegarde"
    backups.backup(filled.engine, saved)
    backups.restore(empty_twin, saved)
    restored = services_on(empty_twin.url.render_as_string(hide_password=False))

    new_id = restored.writes.create_deal({"client": "Nouvelle SAS", "statut": STAGE_NAMES[0], "montant_brut": 900},
                                         FORMULAIRE)

    assert new_id > max(row[0] for row in every_row(filled.engine)["deals"])
    assert restored.reads.kpis(DealFilter()) != filled.reads.kpis(DealFilter())
    assert restored.reads.deal_history(new_id)
    restored.engine.dispose()


def test_a_restore_replaces_everything_that_was_there(filled: Services, database_url: str, empty_twin: Engine,
                                                      tmp_path: Path) -> None:
    saved = tmp_path / "crm.sauvegarde"
    backups.backup(filled.engine, saved)
    expected = every_row(filled.engine)
    upgrade(empty_twin)
    other = fill(empty_twin.url.render_as_string(hide_password=False))  # other deals, accounts, history
    other.writes.create_deal({"client": "Pas dans la sauvegarde", "statut": STAGE_NAMES[1]}, FORMULAIRE)
    other.accounts.add("hugo", "Hugo Bernard", "lecture", "un autre mot de passe")

    backups.restore(other.engine, saved)

    assert every_row(other.engine) == expected
    other.engine.dispose()


def test_a_restore_shows_at_once_on_a_running_dashboard(filled: Services, tmp_path: Path) -> None:
    saved = tmp_path / "crm.sauvegarde"
    backups.backup(filled.engine, saved)
    before = filled.reads.kpis(DealFilter())
    filled.writes.remove_demo()
    assert filled.reads.kpis(DealFilter()) != before

    assert filled.writes.restore_backup(saved, lambda: True)

    assert filled.reads.kpis(DealFilter()) == before  # the cached figures of the removal are not served


def test_an_older_backup_is_brought_up_to_the_current_schema(database_url: str, empty_twin: Engine,
                                                             tmp_path: Path) -> None:
    """A backup from before the trend table (migration 0014) restored over today's database: the tables it did
    not know are replaced too, so the migrations run from its revision."""
    upgrade(empty_twin, "0013_stage_change_index")
    with empty_twin.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut) VALUES ('Ancienne SARL', :stage, "
                                "1000)"), {"stage": STAGE_NAMES[0]})
    saved = tmp_path / "ancienne.sauvegarde"
    backups.backup(empty_twin, saved)
    current = fill(database_url)

    backups.restore(current.engine, saved)

    with current.engine.connect() as connection:
        assert at_head(connection)
        assert connection.scalars(text("SELECT client FROM deals")).all() == ["Ancienne SARL"]
        assert connection.scalar(text("SELECT count(*) FROM users")) == 0
    current.engine.dispose()


def test_a_refused_confirmation_changes_nothing(filled: Services, empty_twin: Engine, tmp_path: Path) -> None:
    saved = tmp_path / "crm.sauvegarde"
    backups.backup(filled.engine, saved)
    upgrade(empty_twin)
    before = every_row(empty_twin)

    assert not backups.restore(empty_twin, saved, lambda: False)

    assert every_row(empty_twin) == before
