"""The register's files: CSV and XLSX (formula-safe), JSON, and the standard
transparency records (:mod:`sociaparis.compare.register.standard`).

Every file says that the screening is not legal advice: a column of the CSV, a
sheet of the workbook, a key of the JSON.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pandas as pd

from sociaparis.core.errors import SociaparisError
from sociaparis.core.spreadsheets import neutralize_formula

from .errors import RegisterError
from .service import FIELDS, Register
from .standard import STANDARDS, standard_records

#: export format -> (media type, file suffix)
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "json": ("application/json", "json"),
    **{name: ("application/json", f"{name}.json") for name in STANDARDS},
}


def _fired(system: Any, what: str) -> str:
    return "; ".join(getattr(f.rule, what) for f in system.screening.fired)


def system_rows(register: Register) -> list[list[Any]]:
    """The systems table: a header, then one row per named system (labels in the
    register's language), formula-safe."""
    header = [
        "system",
        "organisation",
        "synthetic",
        *FIELDS,
        "screening_verdict",
        "screening_rules",
        "screening_articles",
        "screening_not_legal_advice",
    ]
    rows: list[list[Any]] = [header]
    rows.extend(
        [
            system.key,
            system.organisation,
            "yes" if system.synthetic else "no",
            *(system.labels.get(f, "") for f in FIELDS),
            register.verdict_labels.get(
                system.screening.verdict, system.screening.verdict
            ),
            _fired(system, "id"),
            _fired(system, "article"),
            register.disclaimer,
        ]
        for system in register.systems
    )
    return [[neutralize_formula(cell) for cell in row] for row in rows]


def _count_rows(register: Register) -> list[list[Any]]:
    rows: list[list[Any]] = [["table", "row", "column", "count"]]
    tables = {
        "city_by_operator_type": register.by_city_type,
        "verdict": register.by_verdict,
        "mode": register.by_mode,
    }
    for name, table in tables.items():
        if table is None:
            continue
        for label, row in table.published.iterrows():
            for column, value in row.items():
                count = None if pd.isna(value) else int(value)
                rows.append([name, str(label), str(column), count])
    return [[neutralize_formula(cell) for cell in row] for row in rows]


def register_csv(register: Register) -> bytes:
    """The systems as CSV (UTF-8 with BOM, for spreadsheet programs)."""
    out = io.StringIO()
    csv.writer(out).writerows(system_rows(register))
    return out.getvalue().encode("utf-8-sig")


def register_xlsx(register: Register) -> bytes:
    """A workbook: ``systems``, ``counts`` (hidden cells empty), ``rules`` and
    ``about`` (the not-legal-advice notice and the small-cell threshold)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "systems"
    for row in system_rows(register):
        sheet.append(row)
    counts = book.create_sheet("counts")
    for row in _count_rows(register):
        counts.append(row)
    rules = book.create_sheet("rules")
    rules.append(["id", "outcome", "article", "condition", "explanation"])
    for rule in register.rules:
        rules.append(
            [
                neutralize_formula(v)
                for v in (
                    rule.id,
                    rule.outcome,
                    rule.article,
                    rule.condition,
                    rule.explain(register.lang),
                )
            ]
        )
    about = book.create_sheet("about")
    about.append(["not_legal_advice", neutralize_formula(register.disclaimer)])
    about.append(["systems_counted", register.total])
    about.append(["systems_not_named", register.unnamed])
    about.append(["min_count", register.min_count])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def register_file(register: Register, fmt: str) -> bytes:
    """The register in ``fmt`` (:data:`FORMATS`; ``REGISTER_021`` if unknown)."""
    if fmt == "csv":
        return register_csv(register)
    if fmt == "xlsx":
        return register_xlsx(register)
    if fmt == "json":
        data = register.to_dict()
    elif fmt in STANDARDS:
        data = standard_records(register, fmt)
    else:
        raise SociaparisError(
            RegisterError.UNKNOWN_FORMAT, format=fmt, allowed=", ".join(FORMATS)
        )
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
