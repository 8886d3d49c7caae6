"""Files of the current view (CSV, Excel, PDF): the deals the filters, the grid's scope and its sort show."""

from services.exports.service import CSV, MEDIA_TYPES, PDF, XLSX, DealExports
from services.exports.view import ExportView
from services.exports.workbook import MAX_DEAL_ROWS, TooManyRowsError

__all__ = ["CSV", "MAX_DEAL_ROWS", "MEDIA_TYPES", "PDF", "XLSX", "DealExports", "ExportView", "TooManyRowsError"]
