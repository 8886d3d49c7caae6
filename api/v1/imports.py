"""`POST /imports` (a CSV, TXT or Excel file; `dry_run` to see what it would do) and `GET /imports` (the last
runs): the dashboard's import, all or nothing, with the same checks and the same French messages."""

from __future__ import annotations

from flask_smorest import Blueprint
from werkzeug.datastructures import FileStorage

from api.v1 import schemas
from api.v1.errors import api_error
from api.v1.token_auth import current_actor
from domain.accounts import check_may_add
from domain.import_results import ImportPreview, ImportRunSummary
from services.imports import ImportService

HISTORY_LENGTH = 20


def _report(preview: ImportPreview, message: str, written: bool) -> dict[str, object]:
    return {"fichier": preview.file_name, "ecrit": written, "message": message, "crees": preview.created,
            "mis_a_jour": preview.updated, "deja_presents": preview.duplicates, "rejetes": preview.rejected,
            "sans_montant": preview.without_amount,
            "lignes_rejetees": [{"ligne": row.line, "colonne": row.column, "motif": row.reason}
                                for row in preview.first_rejected]}


def _run(run: ImportRunSummary) -> dict[str, object]:
    return {"id": run.id, "fichier": run.file_name, "le": run.imported_at, "crees": run.created,
            "mis_a_jour": run.updated, "deja_presents": run.duplicates, "rejetes": run.rejected, "par": run.user_name}


def imports_blueprint(imports: ImportService) -> Blueprint:
    blueprint = Blueprint("imports", __name__, url_prefix="/api/v1", description="Les imports de fichiers")

    @blueprint.post("/imports")
    @blueprint.arguments(schemas.ImportForm, location="form", as_kwargs=True)
    @blueprint.arguments(schemas.ImportFile, location="files", as_kwargs=True)
    @blueprint.response(201, schemas.ImportReport)
    @blueprint.alt_response(200, schema=schemas.ImportReport, description="essai (`dry_run`) : rien n'est écrit")
    @blueprint.alt_response(403, schema=schemas.Error)
    @blueprint.alt_response(413, schema=schemas.Error)
    @blueprint.alt_response(422, schema=schemas.Error)
    def import_file(dry_run: bool, fichier: FileStorage) -> object:
        """Importe un fichier (admin et commercial), tout ou rien ; avec `dry_run`, dit ce qu'il ferait."""
        check_may_add(current_actor(), "importer un fichier")
        name = fichier.filename or "fichier"
        content = fichier.read()
        too_big = imports.refused_for_size(name, len(content))
        if too_big is not None:
            return api_error(413, too_big.error)
        if dry_run:
            preview = imports.preview(content, name, actor=current_actor())
            if preview.error:
                return api_error(422, preview.error)
            return _report(preview, preview.summary, written=False), 200
        outcome = imports.run(content, name, actor=current_actor())
        if outcome.error:
            return api_error(422, outcome.error)
        return _report(outcome.preview, outcome.message, written=outcome.run_id is not None), 201

    @blueprint.get("/imports")
    @blueprint.response(200, schemas.ImportRun(many=True))
    def import_history() -> list[dict[str, object]]:
        """Les derniers imports, du plus récent au plus ancien, avec qui les a lancés."""
        return [_run(run) for run in imports.history(HISTORY_LENGTH)]

    return blueprint
