"""The data dictionary written beside an export: CSV, Markdown and datapackage.json.

One row per column of every table: ``table``, ``name`` (in the file written),
``odk_name`` (the ODK/KoboToolbox export name), ``label`` (in the export's
language), ``type`` (storage type), ``question_type`` (XLSForm type), ``choices``
(``code=label; …``), ``codes`` (SPSS/Stata: the number each choice code is stored
as, ``1=dfa; 2=drh``, when the codes are not numbers themselves), ``relevant``
(the relevance rule, with the enclosing groups' rules) and ``constraint``.

The Frictionless `Data Package <https://datapackage.org>`_ has one resource per
table with its fields, types, ``constraints.enum`` and ``categories`` (value and
label) for selects and 0/1 columns, the primary key and, for a repeat, the
foreign key ``_parent_id`` → ``responses._id``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sociaparis.survey.io.cells import neutralize_frame
from sociaparis.survey.io.labelled import (
    code_labels,
    flag_labels,
    format_names,
    numeric_codes,
    value_codes,
)
from sociaparis.survey.io.tables import ExportData, ExportTable, Variable

COLUMNS = (
    "table",
    "name",
    "odk_name",
    "label",
    "type",
    "question_type",
    "choices",
    "codes",
    "relevant",
    "constraint",
)
_FRICTIONLESS_TYPES = {
    "string": "string",
    "select_one": "string",
    "select_multiple": "string",
    "integer": "integer",
    "decimal": "number",
    "date": "date",
    "datetime": "datetime",
    "time": "time",
    "flag": "integer",
}
_MEDIA = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
    "parquet": "application/vnd.apache.parquet",
}


def _names(table: ExportTable, fmt: str) -> dict[str, str]:
    if fmt in {"sav", "dta"}:
        return format_names(table, fmt)  # type: ignore[arg-type]
    return {v.name: v.name for v in table.variables}


def _choices(variable: Variable, lang: str, default: str) -> list[tuple[str, str]]:
    if variable.type == "flag":
        return [(str(k), v) for k, v in flag_labels(lang).items()]
    if variable.type in {"select_one", "select_multiple"}:
        labels = variable.choice_labels(lang, default)
        return [
            (c.name, label) for c, label in zip(variable.choices, labels, strict=True)
        ]
    return []


def dictionary_frame(data: ExportData, *, fmt: str, lang: str) -> pd.DataFrame:
    """The dictionary of an export, one row per column (see the module docstring)."""
    rows: list[dict[str, str]] = []
    default = data.default_language
    for table in data.tables:
        names = _names(table, fmt)
        for variable in table.variables:
            codes = ""
            if (
                fmt in {"sav", "dta"}
                and variable.type == "select_one"
                and not numeric_codes(variable)
            ):
                mapping = value_codes(variable, table.frame[variable.name])
                codes = "; ".join(f"{n}={code}" for code, n in mapping.items())
            rows.append(
                {
                    "table": table.name,
                    "name": names[variable.name],
                    "odk_name": variable.name,
                    "label": variable.label(lang, default),
                    "type": variable.type,
                    "question_type": variable.question_type,
                    "choices": "; ".join(
                        f"{code}={label}"
                        for code, label in _choices(variable, lang, default)
                    ),
                    "codes": codes,
                    "relevant": variable.relevant,
                    "constraint": variable.constraint,
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def dictionary_markdown(data: ExportData, frame: pd.DataFrame, *, lang: str) -> str:
    """The dictionary as Markdown: a heading and a table per export table."""
    title = data.text(data.title, lang) or data.form_id
    heading = "Dictionnaire des données" if lang == "fr" else "Data dictionary"
    versions = ", ".join(data.versions)
    about = (
        f"Formulaire `{data.form_id}`, versions : {versions}."
        if lang == "fr"
        else f"Form `{data.form_id}`, versions: {versions}."
    )
    lines = [f"# {heading}: {title}", "", about, ""]
    shown = [c for c in COLUMNS if c != "table"]
    for table in data.tables:
        lines.extend([f"## {table.name}", ""])
        lines.append("| " + " | ".join(shown) + " |")
        lines.append("|" + "---|" * len(shown))
        for _, row in frame[frame["table"] == table.name].iterrows():
            cells = [_cell(str(row[c])) for c in shown]
            cells[0] = f"`{cells[0]}`"
            cells[1] = f"`{cells[1]}`"
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-") or "data"


def _field(
    variable: Variable,
    name: str,
    table: ExportTable,
    *,
    fmt: str,
    lang: str,
    default: str,
) -> dict[str, Any]:
    field: dict[str, Any] = {
        "name": name,
        "title": variable.label(lang, default),
        "type": _FRICTIONLESS_TYPES.get(variable.type, "string"),
    }
    if name != variable.name:
        field["odk_name"] = variable.name
    if variable.relevant:
        field["description"] = f"relevant: {variable.relevant}"
    if variable.type == "flag":
        field["constraints"] = {"enum": [0, 1]}
        field["categories"] = [
            {"value": k, "label": v} for k, v in flag_labels(lang).items()
        ]
    elif variable.type == "select_one":
        if fmt in {"sav", "dta"}:
            mapping = value_codes(variable, table.frame[variable.name])
            labels = code_labels(variable, mapping, lang, default)
            field["type"] = "integer"
            field["constraints"] = {"enum": list(labels)}
            field["categories"] = [{"value": k, "label": v} for k, v in labels.items()]
            field["odk_codes"] = {str(n): code for code, n in mapping.items()}
        else:
            pairs = _choices(variable, lang, default)
            field["constraints"] = {"enum": [code for code, _ in pairs]}
            field["categories"] = [{"value": c, "label": label} for c, label in pairs]
    elif variable.type == "select_multiple":
        pairs = _choices(variable, lang, default)
        field["categories"] = [{"value": c, "label": label} for c, label in pairs]
    return field


def datapackage(
    data: ExportData,
    *,
    fmt: str,
    lang: str,
    paths: Mapping[str, str],
    sheets: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The Frictionless ``datapackage.json`` of an export.

    Parameters
    ----------
    data
        The export.
    fmt, lang
        Format and label language written.
    paths
        Table name to the file (relative to the package) it is written to.
    sheets
        For XLSX: table name to its sheet title.
    """
    default = data.default_language
    resources = []
    for table in data.tables:
        names = _names(table, fmt)
        schema: dict[str, Any] = {
            "fields": [
                _field(v, names[v.name], table, fmt=fmt, lang=lang, default=default)
                for v in table.variables
            ]
        }
        if table.is_repeat:
            schema["primaryKey"] = [names["_parent_id"], names["_index"]]
            schema["foreignKeys"] = [
                {
                    "fields": [names["_parent_id"]],
                    "reference": {
                        "resource": _slug(data.main.name),
                        "fields": [_names(data.main, fmt)["_id"]],
                    },
                }
            ]
            if table.parent_table:
                parent = data.table(table.parent_table)
                parent_names = _names(parent, fmt)
                schema["foreignKeys"].append(
                    {
                        "fields": [names["_parent_id"], names["_parent_index"]],
                        "reference": {
                            "resource": _slug(parent.name),
                            "fields": [
                                parent_names["_parent_id"],
                                parent_names["_index"],
                            ],
                        },
                    }
                )
        else:
            schema["primaryKey"] = [names["_id"]]
        resource: dict[str, Any] = {
            "name": _slug(table.name),
            "path": paths[table.name],
            "format": fmt,
            "mediatype": _MEDIA[fmt],
            "profile": "tabular-data-resource",
            "schema": schema,
        }
        if fmt == "csv":
            resource["encoding"] = "utf-8-sig"
        if sheets:
            resource["dialect"] = {"sheet": sheets[table.name]}
        resources.append(resource)
    return {
        "profile": "tabular-data-package",
        "name": _slug(data.form_id),
        "title": data.text(data.title, lang) or data.form_id,
        "versions": list(data.versions),
        "language": lang,
        "resources": resources,
    }


def write_dictionary(
    data: ExportData, frame: pd.DataFrame, *, folder: Path, stem: str, lang: str
) -> list[Path]:
    """Write ``STEM-dictionary.csv`` and ``STEM-dictionary.md``; return the paths."""
    csv_path = folder / f"{stem}-dictionary.csv"
    md_path = folder / f"{stem}-dictionary.md"
    neutralize_frame(frame).to_csv(
        csv_path, index=False, encoding="utf-8-sig", lineterminator="\r\n"
    )
    md_path.write_text(dictionary_markdown(data, frame, lang=lang), encoding="utf-8")
    return [csv_path, md_path]
