"""Pure converters of survey responses: export tables, writers, data dictionary.

Nothing here touches the database; :mod:`sociaparis.survey.exports` loads the
responses and calls these functions. See ``docs/exports.md``.
"""

from __future__ import annotations

from sociaparis.survey.io.tables import (
    ExportData,
    ExportTable,
    RepeatColumns,
    ResponseBatch,
    Variable,
    batch_from_records,
    build_export,
)
from sociaparis.survey.io.writers import FORMATS, ExportResult, write_export

__all__ = [
    "FORMATS",
    "ExportData",
    "ExportResult",
    "ExportTable",
    "RepeatColumns",
    "ResponseBatch",
    "Variable",
    "batch_from_records",
    "build_export",
    "write_export",
]
