"""Each account's e-mail address: `users.email` (nullable), where the daily digest goes by default.

`crm digest` without --to nor DIGEST_TO sends to the addresses of the active accounts (issue 16). Many teams
sign in with their e-mail address, so the upgrade copies the login into `email` where the login is one: exactly
one `@`, something before it (every login starts with a letter or a digit) and a dot in the part after it, with a
character on each side of that dot (`lea@exemple.fr`, not `lea`, `lea@localhost` nor `a@b@c.fr`). A login is
already trimmed, lower case and free of spaces, commas and angle brackets (0009's rule), so a copied one follows
the address rule too. The other accounts get no address (`crm users set-email` gives one). The downgrade drops
the column, and with it the addresses.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_account_email"
down_revision = "0014_pipeline_changes"

EMAIL_MAX_LENGTH = 254  # copy of domain/accounts.py EMAIL_MAX_LENGTH at this revision
BACKFILL = ("UPDATE users SET email = login WHERE length(login) - length(replace(login, '@', '')) = 1 "
            "AND login LIKE '%@_%._%'")


def _in_transaction_on_sqlite() -> None:
    """DDL inside the run's transaction (see 0009)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM deals WHERE 0 = 1")


def upgrade() -> None:
    _in_transaction_on_sqlite()
    op.add_column("users", sa.Column("email", sa.String(EMAIL_MAX_LENGTH)))
    op.execute(BACKFILL)


def downgrade() -> None:
    _in_transaction_on_sqlite()
    op.drop_column("users", "email")
