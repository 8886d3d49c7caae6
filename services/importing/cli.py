"""`python -m data import FILE [--dry-run] [--mapping JSON]`: the dashboard's import, from a terminal.

Why the same pipeline: a file that imports here imports the same way through the upload area, with the
same report; and large files (beyond the upload limit) go through here. `main` takes the arguments that
follow `import` and returns the exit code: 0 when deals were imported or were all already present, 1 when
no row could be imported, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from data.db import make_engine
from data.migrate import upgrade
from services.importing.export import rejected_rows_csv
from services.importing.pipeline import preview_import, run_import
from services.importing.report import text_report
from settings import load_settings

CLI_MAX_BYTES = 512 * 1024 * 1024


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m data import",
        description="Importe des deals depuis un fichier CSV ou Excel (.xlsx), comme l'import du tableau de bord.",
    )
    parser.add_argument("file", type=Path, metavar="FICHIER", help="fichier .csv, .txt ou .xlsx")
    parser.add_argument("--dry-run", action="store_true", help="affiche ce que l'import ferait, sans rien écrire")
    parser.add_argument(
        "--mapping", metavar="JSON",
        help='correspondances, en JSON ou chemin d\'un fichier .json : {"columns": {"En-tête": "champ"}, '
             '"stages": {"Valeur": "Étape"}}',
    )
    parser.add_argument("--rejets", type=Path, metavar="CSV", help="écrit les lignes rejetées (avec leur motif)")
    parser.add_argument("--database-url", help="base cible (par défaut : DATABASE_URL, comme le tableau de bord)")
    parser.add_argument("--max-bytes", type=int, default=CLI_MAX_BYTES, help="taille maximale du fichier")
    return parser


def _load_mapping(value: str | None) -> tuple[dict[str, str | None], dict[str, str]]:
    """The two mappings from JSON text or a JSON file; ValueError with a French message if malformed."""
    if not value:
        return {}, {}
    text = Path(value).read_text(encoding="utf-8") if value.strip().endswith(".json") else value
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"--mapping n'est pas du JSON valide : {error}") from error
    if not isinstance(loaded, dict) or set(loaded) - {"columns", "stages"}:
        raise ValueError('--mapping attend un objet {"columns": {...}, "stages": {...}}')
    columns, stages = loaded.get("columns") or {}, loaded.get("stages") or {}
    if not isinstance(columns, dict) or not isinstance(stages, dict):
        raise ValueError('--mapping : "columns" et "stages" doivent être des objets JSON')
    return columns, stages


def main(argv: list[str] | None = None) -> int:
    """Run one import (or dry run) and print its French report; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        columns, stages = _load_mapping(args.mapping)
        content = args.file.read_bytes()
    except (OSError, ValueError) as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    engine = make_engine(args.database_url or load_settings().database_url)
    options = (content, args.file.name, columns, stages, args.max_bytes)
    try:
        upgrade(engine)
        preview = preview_import(engine, *options) if args.dry_run else run_import(engine, *options).preview
    finally:
        engine.dispose()
    *details, last = text_report(preview, written=not args.dry_run)
    if details:
        print("\n".join(details))
    if args.rejets and preview.rejected_rows:
        args.rejets.write_text(rejected_rows_csv(preview), encoding="utf-8-sig")
        print(f"Lignes rejetées écrites dans {args.rejets}")
    failed = preview.error is not None or preview.created + preview.updated + preview.duplicates == 0
    print(last, file=sys.stderr if failed else sys.stdout)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
