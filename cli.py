"""`crm init | seed-demo | reset-demo | remove-demo | write-sample | import FILE` (or `python cli.py ...`).

An entry point like app.py: it builds the same services on the same settings (database and cache backend),
so a write made here goes through the one write path and bumps the data version that a running dashboard
sharing the cache backend reads. `import` runs the upload area's pipeline with the same report; large
files (beyond the upload limit) go through here. Exit codes: 0 done, 1 nothing could be imported, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from data.clock import today
from data.migrate import upgrade
from data.sample_file import SAMPLE_PATH, write_sample_csv
from services import importing
from services.importing.report import text_report
from settings import load_settings
from wiring import Services, build_services

CLI_MAX_BYTES = 512 * 1024 * 1024
PROG = "crm"


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database-url", help="base cible (par défaut : DATABASE_URL, comme le tableau de bord)")
    parser = argparse.ArgumentParser(prog=PROG, description="Base de deals du tableau de bord CRM.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("init", parents=[common], help="crée ou met à jour le schéma (migrations Alembic)")
    commands.add_parser("seed-demo", parents=[common], help="ajoute les deals de démonstration s'ils n'y sont pas")
    commands.add_parser("reset-demo", parents=[common],
                        help="remplace les deals de démonstration par des neufs, datés d'aujourd'hui")
    commands.add_parser("remove-demo", parents=[common], help="supprime les deals de démonstration, garde les vôtres")
    sample = commands.add_parser("write-sample", help="réécrit le fichier d'exemple CSV")
    sample.add_argument("path", nargs="?", type=Path, default=SAMPLE_PATH)
    importer = commands.add_parser(
        "import", parents=[common], help="importe un fichier CSV ou Excel (.xlsx), comme l'import du tableau de bord",
        description="Importe des deals depuis un fichier CSV ou Excel (.xlsx), comme l'import du tableau de bord.",
    )
    importer.add_argument("file", type=Path, metavar="FICHIER", help="fichier .csv, .txt ou .xlsx")
    importer.add_argument("--dry-run", action="store_true", help="affiche ce que l'import ferait, sans rien écrire")
    importer.add_argument(
        "--mapping", metavar="JSON",
        help='correspondances, en JSON ou chemin d\'un fichier .json : {"columns": {"En-tête": "champ"}, '
             '"stages": {"Valeur": "Étape"}}',
    )
    importer.add_argument("--rejets", type=Path, metavar="CSV", help="écrit les lignes rejetées (avec leur motif)")
    importer.add_argument("--max-bytes", type=int, default=CLI_MAX_BYTES, help="taille maximale du fichier")
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


def _import(services: Services, args: argparse.Namespace, content: bytes,
            mapping: tuple[dict[str, str | None], dict[str, str]]) -> int:
    """One import (or dry run) with its French report; 1 when no row could be imported."""
    options = (content, args.file.name, *mapping, args.max_bytes)
    if args.dry_run:
        preview = importing.preview_import(services.engine, *options)
    else:
        preview = services.writes.import_file(*options).preview
    *details, last = text_report(preview, written=not args.dry_run)
    if details:
        print("\n".join(details))
    if args.rejets and preview.rejected_rows:
        args.rejets.write_text(importing.rejected_rows_csv(preview), encoding="utf-8-sig")
        print(f"Lignes rejetées écrites dans {args.rejets}")
    failed = preview.error is not None or preview.created + preview.updated + preview.duplicates == 0
    print(last, file=sys.stderr if failed else sys.stdout)
    return 1 if failed else 0


def _demo(services: Services, command: str) -> str:
    """Seed, reset or remove the demo deals; the French line to print."""
    if command == "seed-demo":
        if services.reads.has_demo_data():
            return "Les deals de démonstration sont déjà présents."
        return f"{services.writes.seed_demo(today())} deals de démonstration ajoutés."
    removed = services.writes.remove_demo()
    if command == "reset-demo":
        return f"{removed} deals de démonstration supprimés, {services.writes.seed_demo(today())} ajoutés."
    return f"{removed} deals de démonstration supprimés."


def main(argv: list[str] | None = None) -> int:
    """Parse the command and run it against DATABASE_URL (or --database-url); returns the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "write-sample":
        print(f"{write_sample_csv(args.path, today())} deals écrits dans {args.path}")
        return 0
    mapping: tuple[dict[str, str | None], dict[str, str]] = ({}, {})
    content = b""
    if args.command == "import":
        try:
            mapping = _load_mapping(args.mapping)
            content = args.file.read_bytes()
        except (OSError, ValueError) as error:
            print(f"Erreur : {error}", file=sys.stderr)
            return 2
    settings = load_settings()
    if args.database_url:
        settings = replace(settings, database_url=args.database_url)
    services = build_services(settings)
    try:
        upgrade(services.engine)
        if args.command == "import":
            return _import(services, args, content, mapping)
        print(_demo(services, args.command) if args.command != "init" else "Base de données à jour.")
        return 0
    finally:
        services.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
