"""Command line for the deals database: `python -m data init | seed-demo | reset-demo | remove-demo | import`.

This module is an entry point, like app.py: its `import` command runs the service layer's import pipeline
(the one the upload area uses), which is the only place `data` reaches up into `services`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data.clock import today
from data.db import make_engine
from data.demo import has_demo_deals, remove_demo, seed_demo
from data.migrate import upgrade
from data.sample_file import SAMPLE_PATH, write_sample_csv
from settings import load_settings


def main(argv: list[str] | None = None) -> int:
    """Parse the command and run it against DATABASE_URL; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m data", description="Base de deals du tableau de bord CRM.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("init", help="crée ou met à jour le schéma (migrations Alembic)")
    commands.add_parser("seed-demo", help="ajoute les deals de démonstration s'ils n'y sont pas")
    commands.add_parser("reset-demo", help="remplace les deals de démonstration par des neufs, datés d'aujourd'hui")
    commands.add_parser("remove-demo", help="supprime les deals de démonstration, garde les vôtres")
    importer = commands.add_parser("import", add_help=False,
                                   help="importe un fichier CSV ou Excel (python -m data import --help)")
    importer.add_argument("arguments", nargs=argparse.REMAINDER)
    sample = commands.add_parser("write-sample", help="réécrit le fichier d'exemple CSV")
    sample.add_argument("path", nargs="?", type=Path, default=SAMPLE_PATH)
    args, rest = parser.parse_known_args(argv)
    if args.command == "import":
        from services.importing.cli import main as import_main

        return import_main([*args.arguments, *rest])
    if rest:
        parser.error(f"arguments non reconnus : {' '.join(rest)}")

    engine = make_engine(load_settings().database_url)
    if args.command == "write-sample":
        print(f"{write_sample_csv(args.path, today())} deals écrits dans {args.path}")
        return 0
    upgrade(engine)
    if args.command == "seed-demo":
        with engine.connect() as connection:
            present = has_demo_deals(connection)
        if present:
            print("Les deals de démonstration sont déjà présents.")
        else:
            print(f"{seed_demo(engine, today())} deals de démonstration ajoutés.")
    elif args.command == "reset-demo":
        removed = remove_demo(engine)
        print(f"{removed} deals de démonstration supprimés, {seed_demo(engine, today())} ajoutés.")
    elif args.command == "remove-demo":
        print(f"{remove_demo(engine)} deals de démonstration supprimés.")
    else:
        print("Base de données à jour.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
