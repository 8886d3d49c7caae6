"""Migrations build the whole schema from nothing and take it back down cleanly, on both databases."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from data.db import make_engine
from data.migrate import HEAD_REVISION, MIGRATIONS_DIR, downgrade, upgrade
from domain.text_search import searched_text

TABLES = {"deals", "import_runs", "deal_rollup", "deal_totals", "users", "api_tokens"}


LOADS_ALEMBIC = ("import sys; from data.db import make_engine; from data.migrate import upgrade; "
                 "upgrade(make_engine(sys.argv[1])); print('alembic' in sys.modules)")


def test_the_head_revision_is_the_scripts_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_heads() == [HEAD_REVISION]


def test_a_database_at_head_is_recognised_without_loading_alembic(empty_database_url: str) -> None:
    """Every command and start-up migrates first: at head (all but the first), Alembic's 0.3 s are not paid."""
    def alembic_loaded() -> str:
        return subprocess.run([sys.executable, "-c", LOADS_ALEMBIC, empty_database_url], check=True,
                              capture_output=True, text=True).stdout.strip()

    assert alembic_loaded() == "True"  # an empty database is migrated, by Alembic
    assert alembic_loaded() == "False"
    with make_engine(empty_database_url).connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == HEAD_REVISION


def test_upgrade_from_empty_then_downgrade_to_empty(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine)
    inspector = inspect(engine)
    assert set(inspector.get_table_names()) >= TABLES
    leading = {index["column_names"][0] for index in inspector.get_indexes("deals")}
    assert {"statut", "secteur", "date_echeance", "assignee"} <= leading

    downgrade(engine)
    inspector = inspect(engine)
    assert set(inspector.get_table_names()) <= {"alembic_version"}
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            leftovers = connection.scalar(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"))
        else:
            leftovers = connection.scalar(text(
                "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = 'public'"))
    assert leftovers == 0

    upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


PREVIOUS_HEAD = "0006_demo_flag"
OPTIONAL_AMOUNT = "0007_optional_amount"
USERS = "0009_users"
STAGE_CHANGE_INDEX = "0013_stage_change_index"
PIPELINE_CHANGES = "0014_pipeline_changes"
DEAL_WINS = "0024_deal_wins"
WEEKLY_MOVES = "0025_weekly_pipeline_changes"
IDS_NEVER_REUSED = "0026_ids_never_reused"
HEAD = "0027_ended_sessions"
DEAL_COLUMNS = ("id, client, statut, montant_brut, probabilite, valeur_ponderee, secteur, date_echeance, assignee, "
                "notes, ref_externe, created_at, updated_at, est_demo")
DEALS_BEFORE = [("Acme", "Gagné", "1200.00", "BTP", "2026-12-01", "Léa", "signé", True),
                ("Bolt", "Prospect", "300.50", None, None, None, None, False),
                ("Cora", "Perdu", "80.00", "BTP", "2026-10-15", "Léa", None, False),
                ("Dali", "Négociation", "4500.00", "Santé", "2027-01-31", "Hugo", "relancer", False)]
SUMMARY_KEYS = (("deal_rollup", 4), ("deal_totals", 3))
SUMMARY_BEFORE = {"deal_rollup": "SELECT statut, secteur, assignee, due_month, n, montant, ponderee FROM deal_rollup",
                  "deal_totals": "SELECT statut, secteur, assignee, n, n_due, montant, ponderee FROM deal_totals"}
REFUSAL = ("Retour au schéma précédent impossible : {missing} deal(s) sans montant et {zero} deal(s) à 0 € ; "
           "ce schéma exigeait un montant supérieur à 0.")


def _insert_deals_before(connection: Connection) -> None:
    for client, statut, amount, sector, due, assignee, notes, demo in DEALS_BEFORE:
        connection.execute(text(
            "INSERT INTO deals (client, statut, montant_brut, secteur, date_echeance, assignee, notes, ref_externe, "
            "est_demo) VALUES (:c, :s, :m, :sec, :d, :a, :n, :c, :demo)"),
            {"c": client, "s": statut, "m": amount, "sec": sector, "d": due, "a": assignee, "n": notes, "demo": demo})


def _deals(connection: Connection) -> list[tuple]:
    return [tuple(row) for row in connection.execute(text(f"SELECT {DEAL_COLUMNS} FROM deals ORDER BY id"))]


def _keyed(connection: Connection, statement: str, key_size: int) -> dict[tuple, tuple[Decimal, ...]]:
    return {tuple(row[:key_size]): tuple(Decimal(str(value)) for value in row[key_size:])
            for row in connection.execute(text(statement))}


def _assert_summaries_exact(engine: Engine) -> None:
    """deal_rollup and deal_totals hold exactly what `deals` gives, at 0006 (no `n_montant`) as at 0007: every deal
    counted, those with an amount counted apart (0007), sums over known amounts only."""
    with_amount = "n_montant" in {column["name"] for column in inspect(engine).get_columns("deal_totals")}
    month = ("date(date_echeance, 'start of month')" if engine.dialect.name == "sqlite"
             else "date_trunc('month', date_echeance)::date")
    counted, kept = ("count(*), count(montant_brut)", "n, n_montant") if with_amount else ("count(*)", "n")
    sums = "coalesce(sum(montant_brut), 0), coalesce(sum(valeur_ponderee), 0)"
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM deal_rollup")) > 0
        assert (_keyed(connection, f"SELECT statut, secteur, assignee, due_month, {kept}, montant, ponderee "
                                   "FROM deal_rollup", 4)
                == _keyed(connection, f"SELECT statut, secteur, assignee, {month}, {counted}, {sums} FROM deals "
                                      f"GROUP BY statut, secteur, assignee, {month}", 4))
        assert (_keyed(connection, f"SELECT statut, secteur, assignee, {kept}, n_due, montant, ponderee "
                                   "FROM deal_totals", 3)
                == _keyed(connection, f"SELECT statut, secteur, assignee, {counted}, count(date_echeance), {sums} "
                                      "FROM deals GROUP BY statut, secteur, assignee", 3))


def _state(engine: Engine) -> tuple:
    """The revision, every deal column and both summary tables, as stored."""
    with engine.connect() as connection:
        return (connection.scalar(text("SELECT version_num FROM alembic_version")), _deals(connection),
                *(sorted(connection.execute(text(f"SELECT * FROM {table}")).all(), key=repr)
                  for table in ("deal_rollup", "deal_totals")))


def _refused(engine: Engine, statement: str) -> bool:
    """Whether the database refuses `statement` (a constraint), leaving nothing written."""
    try:
        with engine.begin() as connection:
            connection.execute(text(statement))
    except IntegrityError:
        return True
    return False


def test_optional_amount_migration_keeps_the_rows_of_the_previous_head(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine, PREVIOUS_HEAD)
    with engine.begin() as connection:
        _insert_deals_before(connection)
        before = _deals(connection)
        summaries_before = [_keyed(connection, SUMMARY_BEFORE[table], size) for table, size in SUMMARY_KEYS]

    upgrade(engine)
    with engine.connect() as connection:
        # Every row and every value, timestamps and the demo flag included, survives (SQLite rebuilds the table).
        assert _deals(connection) == before
        assert [_keyed(connection, SUMMARY_BEFORE[table], size) for table, size in SUMMARY_KEYS] == summaries_before
        assert connection.scalar(text("SELECT count(*) FROM deal_totals WHERE n_montant <> n")) == 0
    _assert_summaries_exact(engine)

    # The new rule holds for every writer, and the rule triggers survived the SQLite rebuild.
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut, secteur, assignee) VALUES "
                                "('Erde', 'Qualifié', NULL, 'BTP', 'Léa'), ('Fjord', 'Perdu', 0, 'BTP', 'Léa')"))
        connection.execute(text("UPDATE deals SET montant_brut = NULL WHERE client = 'Bolt'"))
        rows = {client: (probability, weighted) for client, probability, weighted in connection.execute(text(
            "SELECT client, probabilite, valeur_ponderee FROM deals WHERE client IN ('Erde', 'Fjord', 'Bolt')"))}
    assert Decimal(str(rows["Erde"][0])) == Decimal("0.30") and rows["Erde"][1] is None
    assert rows["Bolt"][1] is None
    assert Decimal(str(rows["Fjord"][1])) == 0
    _assert_summaries_exact(engine)
    with engine.connect() as connection:
        counts = connection.execute(text("SELECT sum(n), sum(n_montant) FROM deal_totals")).one()
    assert tuple(int(value) for value in counts) == (len(DEALS_BEFORE) + 2, len(DEALS_BEFORE))
    before_negative = _state(engine)
    assert _refused(engine, "INSERT INTO deals (client, statut, montant_brut) VALUES ('Neg', 'Prospect', -1)")
    assert _refused(engine, "UPDATE deals SET montant_brut = -0.01 WHERE client = 'Acme'")
    assert _state(engine) == before_negative
    engine.dispose()


@pytest.mark.parametrize(("amount", "missing", "zero"), [("NULL", 1, 0), ("0", 0, 1)])
def test_downgrade_refuses_a_missing_or_zero_amount_and_changes_nothing(
    empty_database_url: str, amount: str, missing: int, zero: int
) -> None:
    """Each forbidden amount alone is refused with its count, before anything changed: still at the head (0008's
    downgrade ran first, in the same transaction, and is undone too), every row and summary as it was, the 0007
    rule and triggers still at work."""
    engine = make_engine(empty_database_url)
    upgrade(engine)
    with engine.begin() as connection:
        _insert_deals_before(connection)
        connection.execute(text(f"INSERT INTO deals (client, statut, montant_brut) VALUES ('Zed', 'Prospect', "
                                f"{amount})"))
    before = _state(engine)
    assert before[0] == HEAD
    with pytest.raises(RuntimeError) as refusal:
        downgrade(engine, PREVIOUS_HEAD)
    assert str(refusal.value).startswith(REFUSAL.format(missing=missing, zero=zero))
    assert "Renseignez ces montants" in str(refusal.value)
    assert _state(engine) == before
    assert not _refused(engine, "INSERT INTO deals (client, statut, montant_brut) VALUES ('Yak', 'Prospect', NULL)")
    _assert_summaries_exact(engine)
    engine.dispose()


def test_downgrade_refuses_while_a_deal_has_no_amount_or_zero(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut) VALUES ('Acme', 'Gagné', 900), "
                                "('Bolt', 'Prospect', NULL), ('Cora', 'Perdu', 0)"))
    with pytest.raises(RuntimeError, match=r"1 deal\(s\) sans montant et 1 deal\(s\) à 0 €"):
        downgrade(engine, PREVIOUS_HEAD)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM deals")) == 3

    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET montant_brut = 150 WHERE montant_brut IS NULL OR montant_brut = 0"))
    downgrade(engine, PREVIOUS_HEAD)
    with engine.begin() as connection:
        assert connection.scalar(text("SELECT sum(montant_brut) FROM deals")) == 1200
        rollup = connection.execute(text("SELECT sum(n), sum(montant) FROM deal_rollup")).one()
        assert (int(rollup[0]), Decimal(str(rollup[1]))) == (3, Decimal("1200"))
        connection.execute(text("DELETE FROM deals WHERE client = 'Acme'"))
        assert int(connection.scalar(text("SELECT sum(n) FROM deal_totals"))) == 2
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut) VALUES ('Dune', 'Prospect', NULL)"))
    upgrade(engine)
    engine.dispose()


def _schema(engine: Engine) -> dict[str, object]:
    """Columns, constraints, indexes of every table, the triggers and the functions: what a migration round trip
    must give back. Columns by name, not position: before version 17 PostgreSQL changes a generated column's
    expression only by adding the column again, at the end (migration 0020), and no statement relies on the order."""
    inspector = inspect(engine)
    schema: dict[str, object] = {
        table: (sorted((c["name"], str(c["type"]), c["nullable"], str(c.get("default")), str(c.get("computed")))
                       for c in inspector.get_columns(table)),
                sorted((c["name"], c["sqltext"]) for c in inspector.get_check_constraints(table)),
                sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes(table)),
                sorted((u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)))
        for table in inspector.get_table_names()}
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            schema["triggers"] = sorted(connection.execute(text(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")).all())
            schema["indexes"] = sorted(connection.execute(text(  # those on expressions, which reflection skips
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")).all())
        else:
            schema["triggers"] = sorted(connection.execute(text(
                "SELECT tgname, tgrelid::regclass::text, pg_get_triggerdef(t.oid), pg_get_functiondef(tgfoid) "
                "FROM pg_trigger t WHERE NOT tgisinternal")).all())
            schema["functions"] = sorted(connection.execute(text(
                "SELECT pg_get_functiondef(oid) FROM pg_proc WHERE pronamespace = 'public'::regnamespace "
                "AND prokind = 'f'")).scalars())
    return schema


def test_downgrade_once_every_amount_is_known_gives_back_the_previous_schema_and_every_row(
    empty_database_url: str,
) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine, PREVIOUS_HEAD)
    previous_schema = _schema(engine)
    upgrade(engine)
    head_schema = _schema(engine)
    with engine.begin() as connection:
        _insert_deals_before(connection)
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut, assignee) VALUES "
                                "('Erde', 'Qualifié', NULL, 'Léa'), ('Fjord', 'Perdu', 0, 'Léa')"))
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET montant_brut = 10 WHERE montant_brut IS NULL OR montant_brut = 0"))
        rows = _deals(connection)

    downgrade(engine, PREVIOUS_HEAD)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == PREVIOUS_HEAD
        assert _deals(connection) == rows
    assert _schema(engine) == previous_schema
    _assert_summaries_exact(engine)
    # The previous rule is back, and the previous triggers keep the summaries.
    assert _refused(engine, "INSERT INTO deals (client, statut, montant_brut) VALUES ('Gel', 'Prospect', 0)")
    assert _refused(engine, "INSERT INTO deals (client, statut, montant_brut) VALUES ('Gel', 'Prospect', NULL)")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut, assignee) VALUES "
                                "('Gel', 'Prospect', 42, 'Léa')"))
        connection.execute(text("DELETE FROM deals WHERE client = 'Acme'"))
    _assert_summaries_exact(engine)

    upgrade(engine)
    assert _schema(engine) == head_schema
    _assert_summaries_exact(engine)
    engine.dispose()


HISTORY_TABLES = {"deal_events", "write_context"}


def _history(connection: Connection) -> list[tuple]:
    return [tuple(row) for row in connection.execute(text(
        "SELECT deal_id, action, field, old_value, new_value, source FROM deal_events ORDER BY id"))]


def test_deal_history_migration_keeps_every_row_of_0007(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine, OPTIONAL_AMOUNT)
    with engine.begin() as connection:
        _insert_deals_before(connection)
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut, notes) VALUES "
                                "('Œuvre d''Émile', 'Qualifié', NULL, 'ÇA VA ? Très bien')"))
        before = _deals(connection)

    upgrade(engine)
    with engine.connect() as connection:
        # Every value survives, timestamps included (filling `recherche` is not an update of the deal).
        assert _deals(connection) == before
        added = connection.execute(text(
            "SELECT client, notes, ref_externe, motif_perte, version, recherche FROM deals ORDER BY id")).all()
        assert _history(connection) == []
    assert [(motif, version) for *_, motif, version, _ in added] == [(None, 1)] * len(before)
    assert [row.recherche for row in added] == [searched_text(row.client, row.notes, row.ref_externe)
                                                for row in added]
    assert added[-1].recherche == "oeuvre d'emile ca va ? tres bien "
    _assert_summaries_exact(engine)

    # The rules of 0007 and those of 0008 hold together for rows that were there before.
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET statut = 'Perdu', motif_perte = 'Prix' WHERE client = 'Dali'"))
        dali = connection.execute(text(
            "SELECT id, probabilite, version, updated_at > created_at FROM deals WHERE client = 'Dali'")).one()
        history = _history(connection)
    assert (Decimal(str(dali.probabilite)), dali.version) == (Decimal("0.00"), 2)
    assert history == [(dali.id, "updated", "statut", "Négociation", "Perdu", "hors application"),
                       (dali.id, "updated", "motif_perte", None, "Prix", "hors application")]
    _assert_summaries_exact(engine)
    engine.dispose()


def test_deal_history_downgrade_gives_back_0007_schema_and_every_row(empty_database_url: str) -> None:
    """Down to 0007: the schema exactly as 0007 made it (columns, constraints, indexes, triggers and their
    functions), every deal as it is, the history dropped; 0007's triggers work again; back up to the head."""
    engine = make_engine(empty_database_url)
    upgrade(engine, OPTIONAL_AMOUNT)
    optional_amount_schema = _schema(engine)
    upgrade(engine)
    head_schema = _schema(engine)
    assert set(head_schema) >= HISTORY_TABLES
    with engine.begin() as connection:
        _insert_deals_before(connection)
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut) VALUES ('Erde', 'Qualifié', NULL)"))
        connection.execute(text("UPDATE deals SET statut = 'Gagné', montant_brut = 99.90 WHERE client = 'Bolt'"))
        connection.execute(text("DELETE FROM deals WHERE client = 'Cora'"))
        rows = _deals(connection)
        assert len(_history(connection)) == 5 + 2 + 1

    downgrade(engine, OPTIONAL_AMOUNT)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == OPTIONAL_AMOUNT
        assert _deals(connection) == rows
        if engine.dialect.name == "postgresql":
            assert connection.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")) == 0
    assert _schema(engine) == optional_amount_schema
    assert not HISTORY_TABLES & set(inspect(engine).get_table_names())
    _assert_summaries_exact(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET statut = 'Négociation' WHERE client = 'Acme'"))
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut) VALUES ('Gel', 'Perdu', 0)"))
        acme = connection.execute(text("SELECT probabilite, created_at, updated_at FROM deals "
                                       "WHERE client = 'Acme'")).one()
    assert Decimal(str(acme.probabilite)) == Decimal("0.70") and acme.updated_at > acme.created_at
    _assert_summaries_exact(engine)

    upgrade(engine)
    assert _schema(engine) == head_schema
    with engine.connect() as connection:
        assert connection.execute(text("SELECT DISTINCT version FROM deals")).scalars().all() == [1]
        assert _history(connection) == []
    _assert_summaries_exact(engine)
    engine.dispose()


def test_api_tokens_migration_keeps_the_import_runs_and_accounts_and_goes_back_to_0009(
    empty_database_url: str,
) -> None:
    """Up from 0009: the earlier import runs get no user, the accounts stay; a token is bound to an account and
    its hash is unique. Down to 0009: the schema exactly as 0009 made it, every run and account as it was."""
    engine = make_engine(empty_database_url)
    upgrade(engine, USERS)
    users_schema = _schema(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO import_runs (file_name, created, updated, duplicates, rejected) "
                                "VALUES ('export.csv', 3, 1, 0, 2)"))
        connection.execute(text("INSERT INTO users (login, display_name, role, password_hash) "
                                "VALUES ('lea', 'Léa Dubois', 'admin', 'h')"))
    runs_and_users = "SELECT r.file_name, r.created, r.rejected, u.login, u.active FROM import_runs r, users u"
    with engine.connect() as connection:
        before = connection.execute(text(runs_and_users)).all()

    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text(runs_and_users)).all() == before
        assert connection.execute(text("SELECT user_name FROM import_runs")).scalars().all() == [None]
    token = "INSERT INTO api_tokens (user_id, label, token_hash) VALUES ({user}, 'Zapier', '{hash}')"
    assert not _refused(engine, token.format(user="(SELECT id FROM users)", hash="a" * 64))
    assert _refused(engine, token.format(user="(SELECT id FROM users)", hash="a" * 64))
    assert _refused(engine, token.format(user="NULL", hash="b" * 64))
    with engine.connect() as connection:
        created = connection.execute(text("SELECT created_at, last_used_at, revoked_at FROM api_tokens")).one()
    assert created[0] is not None and created[1:] == (None, None)

    downgrade(engine, USERS)
    assert _schema(engine) == users_schema
    with engine.connect() as connection:
        assert connection.execute(text(runs_and_users)).all() == before
    upgrade(engine)
    engine.dispose()


def test_pipeline_changes_migration_places_the_history_on_its_weeks(empty_database_url: str) -> None:
    """A deal created before the history existed, and one created then moved on known days: the upgrade writes
    the open pipeline's moves on those days' weeks (their Mondays), and from then on the triggers add each write's
    move."""
    engine = make_engine(empty_database_url)
    upgrade(engine, STAGE_CHANGE_INDEX)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut, secteur, created_at) VALUES "
                                "('Ancien', 'Négociation', 1000, 'BTP', '2026-09-01 10:00:00'), "
                                "('Suivi', 'Prospect', 2000, NULL, '2026-10-05 09:00:00')"))
        connection.execute(text("UPDATE deals SET statut = 'Qualifié' WHERE client = 'Suivi'"))
        connection.execute(text("DELETE FROM deal_events WHERE deal_id = (SELECT id FROM deals WHERE client = "
                                "'Ancien')"))  # as if written before 0008
        connection.execute(text("UPDATE deal_events SET at = :created WHERE action = 'created'"),
                           {"created": datetime(2026, 10, 5, 9)})
        connection.execute(text("UPDATE deal_events SET at = :moved WHERE action = 'updated'"),
                           {"moved": datetime(2026, 10, 20, 16, 30)})

    upgrade(engine)
    moves = ("SELECT change_day, statut, secteur, n, ponderee FROM pipeline_changes "
             "ORDER BY change_day, statut, n")
    with engine.connect() as connection:
        placed = [(str(day)[:10], stage, sector, n, Decimal(str(weighted)))
                  for day, stage, sector, n, weighted in connection.execute(text(moves))]
    assert placed == [("2026-08-31", "Négociation", "BTP", 1, Decimal("700.00")),
                      ("2026-10-05", "Prospect", None, 1, Decimal("200.00")),
                      ("2026-10-19", "Prospect", None, -1, Decimal("-200.00")),
                      ("2026-10-19", "Qualifié", None, 1, Decimal("600.00"))]
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET statut = 'Perdu' WHERE client = 'Ancien'"))
        today = connection.execute(text(
            "SELECT statut, n, ponderee FROM pipeline_changes WHERE change_day > '2026-11-01'")).all()
    assert [(stage, n, Decimal(str(weighted))) for stage, n, weighted in today] == [
        ("Négociation", -1, Decimal("-700.00"))]
    engine.dispose()


# Daily moves as 0024's triggers kept them: one key whose three days of a week cancel out, one over two weeks.
DAILY_MOVES = [(datetime(2026, 10, 5), "Prospect", "BTP", "Léa", 1, "100.00"),
               (datetime(2026, 10, 7), "Prospect", "BTP", "Léa", 2, "50.00"),
               (datetime(2026, 10, 11), "Prospect", "BTP", "Léa", -3, "-150.00"),
               (datetime(2026, 10, 8), "Qualifié", None, None, 1, "30.00"),
               (datetime(2026, 10, 13), "Qualifié", None, None, 1, "20.00"),
               (datetime(2026, 10, 14), "Qualifié", None, None, 1, "5.50")]
MOVES = "SELECT change_day, statut, secteur, assignee, n, ponderee FROM pipeline_changes ORDER BY change_day, statut"


def _moves(connection: Connection) -> list[tuple]:
    return [(str(day)[:10], stage, sector, assignee, n, Decimal(str(weighted)))
            for day, stage, sector, assignee, n, weighted in connection.execute(text(MOVES))]


def test_the_weekly_moves_migration_adds_each_week_s_days_up_and_writes_the_week_from_then_on(
        empty_database_url: str) -> None:
    """0025 adds the days of each week up on its Monday (a key whose days cancel out leaves no row), a write then
    counts on this week's Monday, and a downgrade gives the day back to the next writes."""
    engine = make_engine(empty_database_url)
    upgrade(engine, DEAL_WINS)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO pipeline_changes (change_day, statut, secteur, assignee, n, ponderee) "
                                "VALUES (:day, :stage, :sector, :assignee, :n, :weighted)"),
                           [dict(zip(("day", "stage", "sector", "assignee", "n", "weighted"), move, strict=True))
                            for move in DAILY_MOVES])

    upgrade(engine)
    with engine.begin() as connection:
        regrouped = _moves(connection)
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut) VALUES ('Neuf', 'Prospect', 1000)"))
        written = _moves(connection)
    utc_today = datetime.now(UTC).date()
    monday = utc_today - timedelta(days=utc_today.weekday())

    assert regrouped == [("2026-10-05", "Qualifié", None, None, 1, Decimal("30.00")),
                         ("2026-10-12", "Qualifié", None, None, 2, Decimal("25.50"))]
    assert written == [*regrouped, (str(monday), "Prospect", None, None, 1, Decimal("100.00"))]
    downgrade(engine, DEAL_WINS)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut) VALUES ('Veille', 'Prospect', 10)"))
        daily = _moves(connection)
    added = [move for move in daily if move not in written]  # a Monday's row is this week's too: updated in place
    assert [move[:4] for move in added] == [(str(utc_today), "Prospect", None, None)]
    assert sum(move[4] for move in daily) == sum(move[4] for move in written) + 1
    engine.dispose()


def _history_of(connection: Connection, deal_id: int) -> list[tuple]:
    return connection.execute(text("SELECT action, field, new_value FROM deal_events WHERE deal_id = :id ORDER BY id"),
                              {"id": deal_id}).all()


def test_the_ids_migration_never_gives_a_deleted_deal_s_id_to_a_new_one(empty_database_url: str) -> None:
    """At 0025 SQLite gave the id of a deleted deal (the newest) to the next new deal, which took over its history.
    Up to 0026: every deal as it was, every index and trigger as it was, and the next deal gets an id no deal ever
    had, with only its own history; down again: the schema as 0025 made it, the deals kept."""
    engine = make_engine(empty_database_url)
    upgrade(engine, WEEKLY_MOVES)
    previous_schema = _schema(engine)
    with engine.begin() as connection:
        _insert_deals_before(connection)
        newest = connection.execute(text("SELECT max(id) FROM deals")).scalar()
        connection.execute(text("DELETE FROM deals WHERE id = :id"), {"id": newest})
        kept = _deals(connection)

    upgrade(engine, IDS_NEVER_REUSED)
    with engine.begin() as connection:
        assert _deals(connection) == kept
        new_id = connection.execute(text(
            "INSERT INTO deals (client, statut) VALUES ('Nouveau', 'Prospect') RETURNING id")).scalar()
        assert new_id == newest + 1
        assert _history_of(connection, new_id) == [("created", None, None)]
        assert _history_of(connection, newest) == [("created", None, None), ("deleted", None, None)]
    if engine.dialect.name == "sqlite":
        assert _schema(engine) == previous_schema  # the key's declaration aside, which reflection does not show

    downgrade(engine, WEEKLY_MOVES)
    assert _schema(engine) == previous_schema
    with engine.connect() as connection:
        assert [row[1] for row in _deals(connection)] == [*(deal[0] for deal in DEALS_BEFORE[:-1]), "Nouveau"]
    engine.dispose()


def test_a_deal_written_from_a_session_in_paris_time_is_dated_in_utc_like_its_history(database_url: str,
                                                                                     engine: Engine) -> None:
    """`psql` on a server set to Paris time: the deal's creation and update times are UTC, as its history's are
    (at 0025 they were Paris time, an hour after the history in winter: negative stays and cycles)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no session time zone: its times are UTC")
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL TIME ZONE 'Europe/Paris'"))
        deal_id = connection.execute(text(
            "INSERT INTO deals (client, statut) VALUES ('Paris', 'Prospect') RETURNING id")).scalar()
        connection.execute(text("UPDATE deals SET statut = 'Qualifié' WHERE id = :id"), {"id": deal_id})
        created, updated = connection.execute(text("SELECT created_at, updated_at FROM deals WHERE id = :id"),
                                              {"id": deal_id}).one()
        history = connection.execute(text("SELECT min(at), max(at) FROM deal_events WHERE deal_id = :id"),
                                     {"id": deal_id}).one()
    assert abs((created - history[0]).total_seconds()) < 60
    assert abs((updated - history[1]).total_seconds()) < 60


# Logins of 0014 and the address 0015 gives each: an e-mail login is copied, any other login gets none.
LOGINS_AND_ADDRESSES = {"camille@exemple.fr": "camille@exemple.fr",
                        "lea.dubois+crm@mail.exemple.fr": "lea.dubois+crm@mail.exemple.fr", "leo": None,
                        "hugo@localhost": None, "deux@at@exemple.fr": None, "nina@.fr": None, "max@exemple.": None}


def test_account_email_migration_copies_e_mail_logins_and_goes_back_to_0014(empty_database_url: str) -> None:
    """Up from 0014: every account stays, those whose login is an e-mail address get it as their address. Down to
    0014: the schema exactly as 0014 made it, every account as it was; up again gives the addresses back."""
    engine = make_engine(empty_database_url)
    upgrade(engine, PIPELINE_CHANGES)
    previous_schema = _schema(engine)
    with engine.begin() as connection:
        for login in LOGINS_AND_ADDRESSES:
            connection.execute(text("INSERT INTO users (login, display_name, role, password_hash, active) "
                                    "VALUES (:login, 'Quelqu''un', 'lecture', 'h', :active)"),
                               {"login": login, "active": login != "leo"})
    accounts = "SELECT login, display_name, role, password_hash, active, created_at FROM users ORDER BY login"
    with engine.connect() as connection:
        before = connection.execute(text(accounts)).all()

    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text(accounts)).all() == before
        assert dict(connection.execute(text("SELECT login, email FROM users")).all()) == LOGINS_AND_ADDRESSES

    downgrade(engine, PIPELINE_CHANGES)
    assert _schema(engine) == previous_schema
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == PIPELINE_CHANGES
        assert connection.execute(text(accounts)).all() == before
    upgrade(engine)
    with engine.connect() as connection:
        assert dict(connection.execute(text("SELECT login, email FROM users")).all()) == LOGINS_AND_ADDRESSES
    engine.dispose()
