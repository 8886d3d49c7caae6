"""PostgreSQL's `deals_set_probabilite` trigger runs only for a row whose probability is not its stage's.

Why: the trigger called its PL/pgSQL function for every inserted or updated row, about 0.8 s of a 1 000 000-deal
import, even when the row already carried the right probability. With the stage's probability in the trigger's
`WHEN`, PostgreSQL checks it in the executor and calls the function only to correct a wrong or missing value, the
rule SQLite's triggers already follow (0001): a row written with the right probability (an import now sends it)
costs nothing, and a forged or forgotten one is still set from its stage. The probabilities are written out here:
a migration is a snapshot.
"""

from alembic import op

revision = "0021_probability_trigger_when"
down_revision = "0020_search_fold_function"

STAGE_PROBABILITY = ("CASE NEW.statut WHEN 'Prospect' THEN 0.10 WHEN 'Qualifié' THEN 0.30 "
                     "WHEN 'Négociation' THEN 0.70 WHEN 'Gagné' THEN 1.00 WHEN 'Perdu' THEN 0.00 END")


def _recreate_trigger(condition: str) -> None:
    op.execute("DROP TRIGGER deals_set_probabilite ON deals")
    op.execute(f"CREATE TRIGGER deals_set_probabilite BEFORE INSERT OR UPDATE ON deals FOR EACH ROW {condition}"
               "EXECUTE FUNCTION deals_set_probabilite()")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _recreate_trigger(f"WHEN (NEW.probabilite IS DISTINCT FROM {STAGE_PROBABILITY}) ")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _recreate_trigger("")
