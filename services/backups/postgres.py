"""PostgreSQL backups through pg_dump's custom archive, restored with psql in one transaction.

Why not `pg_restore --clean` alone: it drops only what the archive holds, so a table added by a later migration
would keep its rows and then stop the migrations of an older backup. Here one transaction drops every table,
view, sequence and function of the app's schema, then runs the archive's script: the data is replaced entirely
or, on any error, left as it was. The archive is first turned into that script, which reads it to the end, so a
truncated file is refused before the database is touched.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from domain.errors import BackupError
from services.backups.files import written_atomically

# Debian and Ubuntu install the server's tools here, not always on PATH; the newest reads every older archive.
INSTALLED_VERSIONS = Path("/usr/lib/postgresql")
# What pg_restore --list shows of an archive of this app: its deals and the migration it is at.
EXPECTED_ENTRIES = (re.compile(r"^\d+; .* TABLE \S+ deals ", re.MULTILINE),
                    re.compile(r"^\d+; .* TABLE \S+ alembic_version ", re.MULTILINE))
DROP_EVERYTHING = """
DO $$
DECLARE statement text;
BEGIN
    FOR statement IN
        SELECT format('DROP TABLE IF EXISTS %I.%I CASCADE', schemaname, tablename)
          FROM pg_tables WHERE schemaname = current_schema()
        UNION ALL SELECT format('DROP VIEW IF EXISTS %I.%I CASCADE', schemaname, viewname)
          FROM pg_views WHERE schemaname = current_schema()
        UNION ALL SELECT format('DROP SEQUENCE IF EXISTS %I.%I CASCADE', schemaname, sequencename)
          FROM pg_sequences WHERE schemaname = current_schema()
        UNION ALL SELECT format('DROP FUNCTION IF EXISTS %s CASCADE', p.oid::regprocedure)
          FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace
           AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE statement;
    END LOOP;
END $$;
"""


def backup(engine: Engine, path: Path) -> None:
    """pg_dump of the whole database into a custom archive at `path`."""
    _reach(engine)
    with written_atomically(path) as partial:
        _run("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}",
             url=engine.url, failure="la sauvegarde a échoué")


def restore(engine: Engine, path: Path, confirmed: Callable[[], bool]) -> bool:
    """Check `path` is a complete archive of this app and ask; then replace the database by it in one
    transaction."""
    listed = _run("pg_restore", "--list", str(path), failure=f"« {path} » n'est pas une sauvegarde PostgreSQL "
                  "du CRM (une archive de pg_dump --format=custom)")
    if not all(entry.search(listed) for entry in EXPECTED_ENTRIES):
        raise BackupError(f"« {path} » est une archive PostgreSQL, mais n'est pas une sauvegarde du CRM")
    with tempfile.TemporaryDirectory(prefix="crm-restauration-") as folder:
        script = Path(folder) / "restauration.sql"
        _run("pg_restore", "--no-owner", "--no-privileges", f"--file={script}", str(path),
             failure=f"« {path} » est abîmé ou incomplet : ce n'est pas une sauvegarde utilisable")
        _reach(engine)
        if not confirmed():
            return False
        _run("psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
             f"--command={DROP_EVERYTHING}", f"--file={script}", url=engine.url,
             failure="la restauration a échoué")
    return True


def _reach(engine: Engine) -> None:
    """Connect once through the engine, so a database out of reach is said as everywhere else in the app (the
    caller translates the driver's error), not in pg_dump's words."""
    with engine.connect():
        pass


def _run(tool: str, *arguments: str, failure: str, url: URL | None = None) -> str:
    """Run a PostgreSQL client tool on the database of `url` (its password in the environment, never in the
    process list); its output, or `BackupError(failure)` with the tool's own last line."""
    environment = {**os.environ, "PGPASSWORD": str(url.password)} if url is not None and url.password else None
    target = [] if url is None else [f"--dbname={url.set(drivername='postgresql', password=None).render_as_string()}"]
    finished = subprocess.run([_binary(tool), *target, *arguments], env=environment, capture_output=True,
                              text=True, check=False)
    if finished.returncode != 0:
        said = (finished.stderr.strip().splitlines() or ["sans message"])[-1]
        raise BackupError(f"{failure} ; {tool} : {re.sub(rf'^{tool}: (error: )?', '', said)}")
    return finished.stdout


def _binary(tool: str) -> str:
    """The tool on PATH, else the newest one Debian installed; `BackupError` when there is none."""
    installed = INSTALLED_VERSIONS.glob(f"*/bin/{tool}")
    newest = max(installed, key=lambda found: [int(part) for part in re.findall(r"\d+", found.parts[-3])],
                 default=None)
    found = shutil.which(tool) or newest
    if found is None:
        raise BackupError(f"{tool} est introuvable : installez les outils de PostgreSQL (paquet postgresql-client)")
    return str(found)
