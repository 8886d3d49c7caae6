"""The open pipeline's moves kept per week, not per day: `pipeline_changes.change_day` becomes the Monday (UTC) of
the week of the change.

Why: the weekly trend reads every move of the last 25 weeks at each filter change of the performance page. Kept
per day they were, at 1 000 000 deals, about 75 000 rows (every day × stage × sector × salesperson that moved):
30 to 45 ms of a filter change's reads, the page's longest after the per-salesperson figures. A week's rows are
about a seventh of its days', and the trend never needed a finer grain (its points are the ends of weeks).

The existing rows are added up into their weeks (exactly: nothing is rebuilt from the history, so the moves of
deals deleted long ago stay), and the triggers' functions (`data.pipeline_change_triggers`) are written again for
the week. The column keeps its name. A downgrade gives back the daily triggers; the rows stay on their Mondays,
which the trend of 0024 reads as well (a move counts after the week that holds it).
"""

from alembic import op

from data.pipeline_change_triggers import (
    DAY,
    KEY,
    TABLE,
    WEEK,
    Grain,
    dropped_sqlite_triggers,
    postgres_functions,
    sqlite_triggers,
)

revision = "0025_weekly_pipeline_changes"
down_revision = "0024_deal_wins"

WEEK_OF_CHANGE = Grain("date_trunc('week', change_day)",
                       "strftime('%Y-%m-%d 00:00:00.000000', change_day, 'weekday 0', '-6 days')")


def _regroup_into_weeks(is_sqlite: bool) -> None:
    week = WEEK_OF_CHANGE.sqlite if is_sqlite else WEEK_OF_CHANGE.postgres
    op.execute(f"CREATE TEMPORARY TABLE pipeline_days AS SELECT * FROM {TABLE}")
    op.execute(f"DELETE FROM {TABLE}")
    op.execute(f"INSERT INTO {TABLE} ({', '.join(KEY)}, n, ponderee) "
               f"SELECT {week}, statut, secteur, assignee, sum(n), sum(ponderee) FROM pipeline_days "
               "GROUP BY 1, statut, secteur, assignee HAVING sum(n) <> 0 OR sum(ponderee) <> 0")
    op.execute("DROP TABLE pipeline_days")


def _write_triggers(is_sqlite: bool, grain: Grain) -> None:
    statements = [*dropped_sqlite_triggers(), *sqlite_triggers(grain)] if is_sqlite else postgres_functions(grain)
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    if is_sqlite:
        op.execute("DELETE FROM deals WHERE 0 = 1")  # DDL inside the run's transaction (see 0009)
    _regroup_into_weeks(is_sqlite)
    _write_triggers(is_sqlite, WEEK)


def downgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    if is_sqlite:
        op.execute("DELETE FROM deals WHERE 0 = 1")
    _write_triggers(is_sqlite, DAY)
