"""The won deals summed per (month won, sector, salesperson): `deal_wins`, behind the performance page's won
amount per month and its average cycles.

A deal counts while its stage is Gagné. It was won on its last change to Gagné in `deal_events` (the wins'
index, migration 0019), or, when the history has none (created or imported as won), on its creation; only a win
in the history gives it a cycle (the milliseconds from its creation to that win). Each row holds how many won
deals, their known amounts summed, how many have a cycle, and those cycles summed in milliseconds (integers, so
that what the triggers add and take away cancels exactly).

The SQL below serves the triggers of migration 0024 and `rebuild` (for a history dated after the fact, as
`data.stage_stays`). Changing it changes what those triggers do: it needs a migration that writes them again.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, text

from data.models import WIN_CHANGES as WIN_CHANGE_ROWS
from data.models import DealWin
from data.summary_sql import milliseconds_between, month_of, summed
from domain.stages import WON

KEY = ("won_month", "secteur", "assignee")
MEASURES = ("n", "montant", "cycles", "cycle_milliseconds")
WIN_CHANGES = WIN_CHANGE_ROWS.text  # the history rows of a change to Gagné, as SQL text


def recorded_win(deal_id: str) -> str:
    """The time of the last change to Gagné of the deal `deal_id` (an SQL expression) in the history."""
    return f"(SELECT max(at) FROM deal_events WHERE {WIN_CHANGES} AND deal_id = {deal_id})"


def win_rows(dialect: str, deals: str, won_at: str, sign: int) -> str:
    """A SELECT of the won deals among `deals` (a FROM item aliased `d`, with `id`, `created_at`, `statut`,
    `secteur`, `assignee`, `montant_brut`), won at `won_at` (an expression over `d`; NULL: no win in the history),
    one row per deal with `KEY` and its figures × `sign`."""
    cycle = milliseconds_between(dialect, "w.created_at", "w.won_at")
    return (
        f"SELECT {month_of(dialect, 'coalesce(w.won_at, w.created_at)')} AS won_month, w.secteur, w.assignee, "
        f"{sign} AS n, {sign} * coalesce(w.montant_brut, 0) AS montant, "
        f"{sign} * (CASE WHEN w.won_at IS NULL THEN 0 ELSE 1 END) AS cycles, "
        f"{sign} * coalesce({cycle}, 0) AS cycle_milliseconds "
        f"FROM (SELECT d.created_at, d.secteur, d.assignee, d.montant_brut, {won_at} AS won_at "
        f"FROM {deals} AS d WHERE d.statut = '{WON}') AS w"
    )


def rebuild(connection: Connection) -> None:
    """Replace the table's rows with the won deals as the history dates their wins, in the caller's transaction."""
    rows = win_rows(connection.dialect.name, "deals", recorded_win("d.id"), 1)
    connection.execute(delete(DealWin))
    connection.execute(text(f"INSERT INTO deal_wins ({', '.join((*KEY, *MEASURES))}) {summed(rows, KEY, MEASURES)}"))
