"""The stays of the deals in their stages, summed per (stage, entry month, next stage, current stage, sector,
salesperson): `stage_stays`, behind the performance page's stage movement.

A deal's stays come from its stage changes in `deal_events` (`field = 'statut'`, oldest first): the one its
creation began (stage: the first change's old stage, or its stage today when it never changed; from
`created_at`), then one per change (its new stage, from the change). A stay ends at the deal's next change,
whose new stage is the stay's next stage; the last one is still running (no next stage, no duration). Each row
counts stays (`n`) and sums the milliseconds of those that ended (`milliseconds`, integers so that what the
triggers add and take away cancels exactly). The current stage, sector and salesperson are the deal's, so the
filters select rows of this table as they select deals.

The SQL below is written once for both databases and serves the triggers of migration 0023 (a changed deal's
stays are taken out as they were and put back as they are) and `rebuild` (every deal's, for a history dated
after the fact: the tests' scripted histories, the demo, the benchmarks' generated ones). Changing it changes
what those triggers do: it needs a migration that writes them again.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, text

from data.models import STAGE_CHANGES as STAGE_CHANGE_ROWS
from data.models import StageStay
from data.summary_sql import milliseconds_between, month_of, summed

KEY = ("stage", "entry_month", "next_stage", "statut", "secteur", "assignee")
MEASURES = ("n", "milliseconds")
DEAL_COLUMNS = "id, created_at, statut, secteur, assignee"
EVENT_COLUMNS = "deal_id, at, id, old_value, new_value"
STAGE_CHANGES = STAGE_CHANGE_ROWS.text  # the history rows of a stage change, as SQL text


def stay_rows(dialect: str, deals: str, events: str, sign: int) -> str:
    """A SELECT of the stays of `deals` (a FROM item with `DEAL_COLUMNS`) from `events` (their stage changes, with
    `EVENT_COLUMNS`), one row per stay with `KEY`, `n` = `sign` and its milliseconds × `sign` (0 while running)."""
    ordered = "PARTITION BY d.id ORDER BY e.at, e.id"
    changes = (
        "SELECT d.created_at, d.statut, d.secteur, d.assignee, e.at, e.old_value, e.new_value, "
        f"lead(e.at) OVER ({ordered}) AS left_at, lead(e.new_value) OVER ({ordered}) AS next_stage, "
        f"row_number() OVER ({ordered}) AS position "
        f"FROM {deals} AS d LEFT JOIN {events} AS e ON e.deal_id = d.id"
    )
    stays = (
        "SELECT new_value AS stage, at AS began, next_stage, left_at AS ended, statut, secteur, assignee "
        "FROM changes WHERE at IS NOT NULL UNION ALL "
        "SELECT coalesce(old_value, statut), created_at, new_value, at, statut, secteur, assignee "
        "FROM changes WHERE position = 1"
    )
    return (
        f"SELECT stage, {month_of(dialect, 'began')} AS entry_month, next_stage, statut, secteur, assignee, "
        f"{sign} AS n, {sign} * coalesce({milliseconds_between(dialect, 'began', 'ended')}, 0) AS milliseconds "
        f"FROM (WITH changes AS ({changes}) {stays}) AS stays"
    )


def created_rows(dialect: str, deals: str) -> str:
    """`stay_rows` for deals just created (not restored), which have no history: the stay their creation began."""
    return (f"SELECT d.statut AS stage, {month_of(dialect, 'd.created_at')} AS entry_month, "
            "CAST(NULL AS varchar(50)) AS next_stage, d.statut, d.secteur, d.assignee, 1 AS n, 0 AS milliseconds "
            f"FROM {deals} AS d")


def rebuild(connection: Connection) -> None:
    """Replace the table's rows with the stays of every present deal, from its history, in the caller's
    transaction."""
    dialect = connection.dialect.name
    events = f"(SELECT {EVENT_COLUMNS} FROM deal_events WHERE {STAGE_CHANGES})"
    rows = stay_rows(dialect, f"(SELECT {DEAL_COLUMNS} FROM deals)", events, 1)
    connection.execute(delete(StageStay))
    connection.execute(text(f"INSERT INTO stage_stays ({', '.join((*KEY, *MEASURES))}) {summed(rows, KEY, MEASURES)}"))
