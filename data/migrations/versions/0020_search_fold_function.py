"""`deals.recherche` on PostgreSQL computed by one function, `deals_search_fold`, that stops replacing as soon as the
text is plain ASCII.

Why: 0008's expression calls `replace` once per character of the map (70 calls) for every text holding any accent,
which in French is nearly every deal: about 4.5 s of CPU per million deals, paid by each import and by every update
of a deal (PostgreSQL computes a stored generated column again whenever its row changes). Most French text only
carries the common lower-case accents (é, è, à, ç...), so the function replaces those first and returns when nothing
beyond ASCII is left; the rest of the map (capitals, other Latin-1 letters, ligatures, combining accents) runs only
for the texts that still need it. 1.4 s instead of 4.5 s over the benchmark's million deals, same result: every
character of the map becomes ASCII (or nothing), so the order of the replacements changes nothing. The map is 0008's
(a migration is a snapshot; its own copy is checked against `domain.text_search` by
`tests/test_text_search_column.py`). PL/pgSQL rather than SQL: an SQL function would be inlined into the same single
expression, with nowhere to stop early.

PostgreSQL cannot change a generated column's expression before version 17: the column and its trigram index are
dropped and made again, which rewrites the table once (about as long as an import of the same deals). Timestamps
and versions do not move (a rewrite fires no trigger). SQLite keeps 0008's triggers: nothing to do there.
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0020_search_fold_function"
down_revision = "0019_win_index"

FUNCTION = "deals_search_fold"
# What French text mostly carries: replaced first, and often all a text needs.
COMMON = "éèêëàâçôîïûùœ"
TRIGRAM_INDEX = "CREATE INDEX ix_deals_recherche_trgm ON deals USING gin (recherche gin_trgm_ops)"


def _deal_history_migration():
    """0008, for its map and its column expression (the downgrade puts that one back)."""
    path = Path(__file__).with_name("0008_deal_history.py")
    spec = importlib.util.spec_from_file_location("crm_migration_0008", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _replaced(variable: str, pairs: list[tuple[str, str]]) -> str:
    for character, folded in pairs:
        variable = f"replace({variable}, '{character}', '{folded}')"
    return variable


def function_definition() -> str:
    """The function: ASCII lowered as it is; else the common accents replaced, then the rest only if needed."""
    pairs = _deal_history_migration()._pairs()
    common = [pair for pair in pairs if pair[0] in COMMON]
    rest = [pair for pair in pairs if pair[0] not in COMMON]
    plain = 'IF octet_length(searched) = length(searched) THEN RETURN lower(searched COLLATE "C"); END IF;'
    return (f"CREATE FUNCTION {FUNCTION}(searched text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE "
            f"AS $$ BEGIN {plain} searched := {_replaced('searched', common)}; {plain} "
            f"RETURN lower({_replaced('searched', rest)} COLLATE \"C\"); END $$")


def postgres_search_expression() -> str:
    """The generated column's expression from this revision on."""
    return f"{FUNCTION}({_deal_history_migration().SEARCHED})"


def _recreate_column(expression: str) -> None:
    op.execute("DROP INDEX ix_deals_recherche_trgm")
    op.execute("ALTER TABLE deals DROP COLUMN recherche")
    op.execute(f"ALTER TABLE deals ADD COLUMN recherche text GENERATED ALWAYS AS ({expression}) STORED")
    op.execute(TRIGRAM_INDEX)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(function_definition())
    _recreate_column(postgres_search_expression())


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _recreate_column(_deal_history_migration().postgres_search_expression())
    op.execute(f"DROP FUNCTION {FUNCTION}(text)")
