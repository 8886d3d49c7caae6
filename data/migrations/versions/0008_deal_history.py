"""Deal history, optimistic versions, loss reasons and text search: `deal_events`, `deals.version`,
`deals.motif_perte`, `deals.recherche`.

- `motif_perte` (why a deal was lost): free text up to 255 characters; the app checks it, the database
  stores it.
- `version` starts at 1 and moves by exactly 1 on every UPDATE of a deal, whoever writes it (the app
  updates `WHERE id = :id AND version = :v` and knows it lost a race when no row matched). PostgreSQL: one
  more line in the BEFORE UPDATE row trigger that already moves `updated_at`. SQLite has no BEFORE trigger
  that can change the row: its rule triggers fix the row with nested UPDATEs, and every nested UPDATE fired
  0001's `deals_touch_updated_at` again (twice for a stage change), harmless for a timestamp but not for a
  counter. So 0001's two SQLite update triggers become one, `deals_touch_on_update`, which sets the
  stage's probability, `updated_at` and the version in nested UPDATEs that cannot fire it again (SQLite
  triggers are not recursive), and skips the two nested UPDATEs it must not count: the probability fix of
  0001's insert trigger (stage unchanged, probability moved to the stage's own value, which no other
  UPDATE can do, a stored probability always being the stage's) and the upkeep of `recherche` (not in
  its column list).
- `recherche`: `client || ' ' || notes || ' ' || ref_externe`, lower-case and accent-free, kept by the
  database for every writer, so that it equals `domain.text_search.fold` of that text on both databases.
  One fixed map (`FOLDS`, a literal copy of `domain/text_search.py`'s, for a migration is a snapshot),
  then A-Z lowered by `lower` where it folds ASCII only (SQLite's, and PostgreSQL's under the "C"
  collation: the database locale's `lower` folds `É` under `C.UTF-8`, not under `C`, so the column would
  differ between databases and from `fold`). PostgreSQL: a generated column. SQLite: its parser refuses
  more than about 28 nested calls in one expression and a generated column may hold neither a subquery
  nor a WITH clause, so a plain column kept by two triggers (after an insert, and after an update of
  client, notes or reference) that run the replacements in steps chained by a WITH clause; the app never
  writes the column (the model marks it computed), PostgreSQL refuses a direct write, SQLite would keep
  it until the next change of the text. PostgreSQL gets a GIN trigram index (extension `pg_trgm`,
  trusted: the database owner may create it), so `recherche LIKE '%term%'` reads the index instead of a
  million rows. No index on SQLite: a B-tree cannot serve a leading `%`, and an FTS5 trigram table would
  be a second copy of every text kept by more triggers, for the embedded database of one founder where a
  scan of one stored column stays short.
- `deal_events`: one row per change, filled by triggers so psql and scripts are recorded too. INSERT
  gives `created` (or `restored`, when the write context says so), UPDATE one `updated` row per changed
  field among `TRACKED` (IS DISTINCT FROM: NULL to a value and back count, an update that changes
  nothing writes nothing), DELETE `deleted`, and on PostgreSQL TRUNCATE too (a BEFORE TRUNCATE trigger
  reads the deals still there). Values are stored as locale-free text: amounts `12500.50`, dates
  `2026-12-31`. No foreign key: a deleted deal keeps its history. PostgreSQL triggers are statement-level
  with transition tables (set-based: an import writes 50 000 deals per statement); SQLite's are row-level.
- Where a change comes from: PostgreSQL reads transaction-local settings (`crm.source`, `crm.user_name`,
  `crm.action`, set by `data/write_context.py`; empty or missing means `hors application`). SQLite has
  no session variables and a main-schema trigger may not read a TEMP table, so the app fills the one-row
  table `write_context` at the start of its write transaction and empties it before committing (SQLite
  has one writer at a time, so no other connection ever sees it). The table exists on PostgreSQL too, for
  one schema, unused there.

Downgrade drops all of it, the history included (it has no place in the previous schema), and gives back
0007's schema: the three columns are dropped (SQLite ≥ 3.35 drops a column no index or trigger uses),
0001's update triggers come back, and `pg_trgm` is dropped unless something else uses it.
"""

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0008_deal_history"
down_revision = "0007_optional_amount"

SOURCES = ("formulaire", "grille", "import", "api", "démo", "hors application")
ACTIONS = ("created", "updated", "deleted", "restored")
# The fields whose changes are recorded, in the order an update's events are written (notes are not: long).
TRACKED = ("statut", "montant_brut", "date_echeance", "assignee", "client", "secteur", "ref_externe", "motif_perte")
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
POSTGRES_NOW_UTC = "(now() AT TIME ZONE 'UTC')"
SEARCHED = "client || ' ' || coalesce(notes, '') || ' ' || coalesce(ref_externe, '')"
# Copy of domain/text_search.py FOLDS at this revision: characters -> what each becomes.
FOLDS = (
    ("àáâãäåÀÁÂÃÄÅ", "a"), ("çÇ", "c"), ("èéêëÈÉÊË", "e"), ("ìíîïÌÍÎÏ", "i"), ("ñÑ", "n"),
    ("òóôõöøÒÓÔÕÖØ", "o"), ("ùúûüÙÚÛÜ", "u"), ("ýÿÝŸ", "y"), ("œŒ", "oe"), ("æÆ", "ae"), ("ß", "ss"),
    ("\u0300\u0301\u0302\u0303\u0308\u030a\u0327", ""),
)
SQLITE_STEP = 18  # replacements per step of the SQLite folding (its parser nests about 28 calls at most)


def _earlier(file_name: str) -> ModuleType:
    """An earlier migration's module, for its trigger text and builders (loaded from its file, as Alembic does)."""
    spec = importlib.util.spec_from_file_location(f"crm_migration_{file_name[:4]}", Path(__file__).with_name(file_name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pairs() -> list[tuple[str, str]]:
    return [(character, folded) for characters, folded in FOLDS for character in characters]


def postgres_search_expression() -> str:
    """Immutable on PostgreSQL and the same whatever the database's locale: one `replace` per character of the
    map, then `lower` under the "C" collation, which folds A-Z only. (One `translate` would do, but it compares
    each character of the text with each one of its list: about three times the cost of these replacements
    over a million deals.) A text with no character beyond ASCII (as many bytes as characters) skips them."""
    replaced = SEARCHED
    for character, folded in _pairs():
        replaced = f"replace({replaced}, '{character}', '{folded}')"
    return (f"lower((CASE WHEN octet_length({SEARCHED}) = length({SEARCHED}) THEN {SEARCHED} ELSE {replaced} END) "
            'COLLATE "C")')


def sqlite_search_expression(row: str) -> str:
    """The folded text of `row` (`NEW`, or `deals` in an UPDATE of the table) on SQLite: `lower` (which folds
    ASCII only), then nested `replace` over the map, skipped for a text with no character beyond ASCII.
    SQLite's parser refuses more than about 28 nested calls in one expression, so the replacements run in
    steps of `SQLITE_STEP`, chained by a WITH clause whose parts are parsed one after the other."""
    pairs = _pairs()
    searched = SEARCHED.replace("client", f"{row}.client").replace("notes", f"{row}.notes").replace(
        "ref_externe", f"{row}.ref_externe")
    steps = [f"s0 AS (SELECT lower({searched}) AS t, length(CAST({searched} AS BLOB)) = length({searched}) AS ascii)"]
    for start in range(0, len(pairs), SQLITE_STEP):
        expression = "t"
        for character, folded in pairs[start:start + SQLITE_STEP]:
            expression = f"replace({expression}, '{character}', '{folded}')"
        steps.append(f"s{len(steps)} AS (SELECT CASE WHEN ascii THEN t ELSE {expression} END AS t, ascii "
                     f"FROM s{len(steps) - 1})")
    return f"(WITH {', '.join(steps)} SELECT t FROM s{len(steps) - 1})"


# PostgreSQL -----------------------------------------------------------------------------------------------

POSTGRES_TOUCH = """CREATE OR REPLACE FUNCTION deals_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.updated_at := LOCALTIMESTAMP;
        NEW.created_at := OLD.created_at;
        NEW.version := OLD.version + 1;
        RETURN NEW;
    END $$"""
POSTGRES_CONTEXT = (
    "_source text := coalesce(nullif(current_setting('crm.source', true), ''), 'hors application'); "
    "_user text := nullif(current_setting('crm.user_name', true), ''); "
)
POSTGRES_VALUE = {
    "montant_brut": "{row}.montant_brut::text",
    "date_echeance": "to_char({row}.date_echeance, 'YYYY-MM-DD')",
}
INSERT_EVENT = "INSERT INTO deal_events (deal_id, action, source, user_name)"


def _postgres_value(field: str, row: str) -> str:
    return POSTGRES_VALUE.get(field, "{row}.{field}::text").format(row=row, field=field)


def _postgres_statements() -> list[str]:
    changes = ", ".join(f"('{field}', {_postgres_value(field, 'o')}, {_postgres_value(field, 'n')})"
                        for field in TRACKED)
    before = ", ".join(f"o.{field}" for field in TRACKED)
    after = ", ".join(f"n.{field}" for field in TRACKED)
    bodies = {
        "insert": ("AFTER INSERT", "REFERENCING NEW TABLE AS new_rows",
                   "_action text := CASE WHEN current_setting('crm.action', true) = 'restored' THEN 'restored' "
                   "ELSE 'created' END; ",
                   f"{INSERT_EVENT} SELECT id, _action, _source, _user FROM new_rows;"),
        "update": ("AFTER UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", "",
                   "INSERT INTO deal_events (deal_id, action, field, old_value, new_value, source, user_name) "
                   "SELECT n.id, 'updated', c.field, c.old_value, c.new_value, _source, _user "
                   f"FROM old_rows o JOIN new_rows n ON n.id = o.id AND ({before}) IS DISTINCT FROM ({after}) "
                   f"CROSS JOIN LATERAL (VALUES {changes}) AS c (field, old_value, new_value) "
                   "WHERE c.old_value IS DISTINCT FROM c.new_value;"),
        "delete": ("AFTER DELETE", "REFERENCING OLD TABLE AS old_rows", "",
                   f"{INSERT_EVENT} SELECT id, 'deleted', _source, _user FROM old_rows;"),
        "truncate": ("BEFORE TRUNCATE", "", "",
                     f"{INSERT_EVENT} SELECT id, 'deleted', _source, _user FROM deals;"),
    }
    statements = []
    for event, (timing, referencing, declared, body) in bodies.items():
        name = f"deal_events_{timing.split()[0].lower()}_{event}"
        statements += [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE {POSTGRES_CONTEXT}{declared}"
            f"BEGIN {body} RETURN NULL; END $$",
            f"CREATE TRIGGER {name} {timing} ON deals {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return statements


POSTGRES_HISTORY_TRIGGERS = ("deal_events_after_insert", "deal_events_after_update", "deal_events_after_delete",
                             "deal_events_before_truncate")


# SQLite ---------------------------------------------------------------------------------------------------

SQLITE_SOURCE = "coalesce((SELECT source FROM write_context LIMIT 1), 'hors application')"
SQLITE_USER = "(SELECT user_name FROM write_context LIMIT 1)"
SQLITE_VALUE = {"montant_brut": "CASE WHEN {row}.montant_brut IS NULL THEN NULL "
                                "ELSE printf('%.2f', {row}.montant_brut) END"}


def _sqlite_value(field: str, row: str) -> str:
    return SQLITE_VALUE.get(field, "{row}.{field}").format(row=row, field=field)


# Every column an UPDATE may set, but `recherche`: its own nested UPDATE must not count as a change.
SQLITE_TOUCHED = ("id, client, statut, montant_brut, probabilite, secteur, date_echeance, assignee, notes, "
                  "ref_externe, created_at, updated_at, est_demo, motif_perte, version")


def _sqlite_statements(probability: str) -> list[str]:
    """The merged update rule trigger, the two that keep `recherche`, then the history triggers.
    `probability` is 0001's CASE over `{col}`."""
    stage_probability = probability.format(col="NEW.statut")
    searched = sqlite_search_expression("NEW")
    changes = " UNION ALL ".join(
        f"SELECT '{field}' AS field, {_sqlite_value(field, 'OLD')} AS old_value, {_sqlite_value(field, 'NEW')} "
        f"AS new_value WHERE OLD.{field} IS NOT NEW.{field}" for field in TRACKED)
    return [
        f"""CREATE TRIGGER deals_touch_on_update AFTER UPDATE OF {SQLITE_TOUCHED} ON deals
    WHEN NOT (NEW.statut IS OLD.statut AND NEW.probabilite IS NOT OLD.probabilite
              AND NEW.probabilite IS {stage_probability})
    BEGIN
        UPDATE deals SET updated_at = {SQLITE_NOW}, created_at = OLD.created_at, version = OLD.version + 1
        WHERE id = NEW.id;
        UPDATE deals SET probabilite = {stage_probability}
        WHERE id = NEW.id AND probabilite IS NOT {stage_probability};
    END""",
        f"CREATE TRIGGER deals_recherche_insert AFTER INSERT ON deals "
        f"BEGIN UPDATE deals SET recherche = {searched} WHERE id = NEW.id; END",
        f"CREATE TRIGGER deals_recherche_update AFTER UPDATE OF client, notes, ref_externe ON deals "
        f"BEGIN UPDATE deals SET recherche = {searched} WHERE id = NEW.id; END",
        f"CREATE TRIGGER deal_events_after_insert AFTER INSERT ON deals BEGIN {INSERT_EVENT} VALUES (NEW.id, "
        f"CASE WHEN (SELECT action FROM write_context LIMIT 1) = 'restored' THEN 'restored' ELSE 'created' END, "
        f"{SQLITE_SOURCE}, {SQLITE_USER}); END",
        f"CREATE TRIGGER deal_events_after_update AFTER UPDATE OF {', '.join(TRACKED)} ON deals BEGIN "
        "INSERT INTO deal_events (deal_id, action, field, old_value, new_value, source, user_name) "
        f"SELECT NEW.id, 'updated', field, old_value, new_value, {SQLITE_SOURCE}, {SQLITE_USER} "
        f"FROM ({changes}); END",
        f"CREATE TRIGGER deal_events_after_delete AFTER DELETE ON deals BEGIN {INSERT_EVENT} VALUES (OLD.id, "
        f"'deleted', {SQLITE_SOURCE}, {SQLITE_USER}); END",
    ]


SQLITE_TRIGGERS = ("deals_touch_on_update", "deals_recherche_insert", "deals_recherche_update",
                   "deal_events_after_insert", "deal_events_after_update", "deal_events_after_delete")
# 0001's update triggers, replaced by `deals_touch_on_update` (its insert trigger stays).
SQLITE_REPLACED = ("deals_set_probabilite_update", "deals_touch_updated_at")


def _summary_statements(optional_amount: ModuleType) -> list[str]:
    """0007's SQLite triggers of `deal_rollup` and `deal_totals`."""
    return [statement for summary in optional_amount._summaries(True) for statement in summary.sqlite_statements()]


def _named(statements: list[str], name: str) -> str:
    """The statement of `statements` creating trigger `name`."""
    return next(statement for statement in statements if f"CREATE TRIGGER {name} " in statement)


# Both -----------------------------------------------------------------------------------------------------

def _create_tables(is_sqlite: bool) -> None:
    now = sa.text(f"({SQLITE_NOW})" if is_sqlite else POSTGRES_NOW_UTC)
    known_sources = f"source IN ({', '.join(repr(source) for source in SOURCES)})"
    op.create_table(
        "deal_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("deal_id", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False, server_default=now),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("field", sa.String(30)),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("user_name", sa.String(100)),
        sa.CheckConstraint(f"action IN ({', '.join(repr(action) for action in ACTIONS)})",
                           name="ck_deal_events_action_known"),
        sa.CheckConstraint(known_sources, name="ck_deal_events_source_known"),
    )
    op.create_index("ix_deal_events_deal_at", "deal_events", ["deal_id", "at"])
    op.create_table(
        "write_context",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False, server_default="1"),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("user_name", sa.String(100)),
        sa.Column("action", sa.String(10)),
        sa.CheckConstraint("id = 1", name="ck_write_context_one_row"),
        sa.CheckConstraint(known_sources, name="ck_write_context_source_known"),
        sa.CheckConstraint("action IS NULL OR action = 'restored'", name="ck_write_context_action_known"),
    )


def _open_sqlite_transaction() -> None:
    """pysqlite sends BEGIN only before a DML statement, and SQLite commits at once a DDL statement run outside
    a transaction: a DML statement that changes nothing, first, makes this migration and those after it in
    the same run one transaction, so an error or a refusal (0007's downgrade) leaves the database as it was."""
    op.execute("DELETE FROM deals WHERE 0 = 1")


def upgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    if is_sqlite:
        _open_sqlite_transaction()
    _create_tables(is_sqlite)
    op.add_column("deals", sa.Column("motif_perte", sa.String(255)))
    op.add_column("deals", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    if is_sqlite:
        optional_amount = _earlier("0007_optional_amount.py")
        for name in SQLITE_REPLACED:  # first: the filling UPDATE below must not move `updated_at`
            op.execute(f"DROP TRIGGER {name}")
        optional_amount._drop_summary_triggers(True)
        op.add_column("deals", sa.Column("recherche", sa.Text))
        op.execute(f"UPDATE deals SET recherche = {sqlite_search_expression('deals')}")
        # SQLite fires the newest trigger first: the summary triggers must come after the rule trigger, so
        # that they count a stage change before its nested probability fix (as since 0007).
        statements = [*_sqlite_statements(_earlier("0001_deals.py").PROBABILITY_CASE),
                      *_summary_statements(optional_amount)]
    else:
        op.execute(f"ALTER TABLE deals ADD COLUMN recherche text GENERATED ALWAYS AS "
                   f"({postgres_search_expression()}) STORED")
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_deals_recherche_trgm ON deals USING gin (recherche gin_trgm_ops)")
        statements = [POSTGRES_TOUCH, *_postgres_statements()]
    for statement in statements:
        op.execute(statement)


def _drop_pg_trgm_unless_used() -> None:
    """Drop `pg_trgm` if nothing else depends on it (it may have been there before 0008, for something else)."""
    try:
        with op.get_bind().begin_nested():
            op.execute("DROP EXTENSION IF EXISTS pg_trgm")
    except DBAPIError:
        pass


def downgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    if is_sqlite:
        _open_sqlite_transaction()
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
        optional_amount = _earlier("0007_optional_amount.py")
        optional_amount._drop_summary_triggers(True)
        for name in SQLITE_REPLACED:
            op.execute(_named(_earlier("0001_deals.py").SQLITE_TRIGGERS, name))
        for statement in _summary_statements(optional_amount):  # newer than the rule triggers, as at 0007
            op.execute(statement)
    else:
        for name in POSTGRES_HISTORY_TRIGGERS:
            op.execute(f"DROP TRIGGER {name} ON deals")
            op.execute(f"DROP FUNCTION {name}()")
        touch = next(statement for statement in _earlier("0001_deals.py").POSTGRES_TRIGGERS
                     if statement.startswith("CREATE FUNCTION deals_touch_updated_at()"))
        op.execute(touch.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    for column in ("recherche", "version", "motif_perte"):
        op.execute(f"ALTER TABLE deals DROP COLUMN {column}")
    if not is_sqlite:
        _drop_pg_trgm_unless_used()
    op.drop_table("write_context")
    op.drop_index("ix_deal_events_deal_at", "deal_events")
    op.drop_table("deal_events")
