"""A small form and responses shared by the export tests (fixtures in conftest)."""
# ruff: noqa: E501 -- markdown XLSForm tables are as wide as the spreadsheets they stand for

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sociaparis.survey.instrument import Instrument
from sociaparis.survey.io.tables import ExportData, batch_from_records, build_export
from sociaparis.survey.logic import evaluate_form
from sociaparis.survey.xlsform import parse_xlsform

NOW = datetime(2026, 3, 15, 10, 30)

USAGE = """
| survey |
| | type                            | name       | label::Français (fr) | label::English (en) | relevant         | calculation              | constraint | appearance |
| | note                            | hello      | Bonjour              | Hello               |                  |                          |            |            |
| | begin group                     | g          | Groupe               | Group               |                  |                          |            | field-list |
| | select_one yn                   | uses       | Utilisez-vous l'IA ? | Do you use AI?      |                  |                          |            |            |
| | select_multiple tools or_other  | tools      | Outils               | Tools               | ${uses} = 'yes'  |                          |            |            |
| | integer                         | hours      | Heures               | Hours               | ${uses} = 'yes'  |                          | . <= 60    |            |
| | end group                       |            |                      |                     |                  |                          |            |            |
| | date                            | when       | Depuis quand         | Since when          |                  |                          |            |            |
| | decimal                         | share      | Part                 | Share               |                  |                          |            |            |
| | calculate                       | n          |                      |                     |                  | count-selected(${tools}) |            |            |
| | calculate                       | tag        |                      |                     |                  | concat('x', ${uses})     |            |            |
| | begin repeat                    | per        | Par outil            | Per tool            | ${uses} = 'yes'  |                          |            |            |
| | text                            | why        | Pourquoi             | Why                 |                  |                          |            |            |
| | select_one level                | score      | Note                 | Score               |                  |                          |            | likert     |
| | end repeat                      |            |                      |                     |                  |                          |            |            |
| | text                            | comment    | Commentaire          | Comment             |                  |                          |            |            |
| choices |
| | list_name | name    | label::Français (fr) | label::English (en) |
| | yn        | yes     | Oui                  | Yes                 |
| | yn        | no      | Non                  | No                  |
| | tools     | chatgpt | ChatGPT              | ChatGPT             |
| | tools     | copilot | Copilot              | Copilot             |
| | level     | 1       | Faible               | Low                 |
| | level     | 2       | Moyen                | Medium              |
| | level     | 3       | Fort                 | High                |
| settings |
| | form_id | form_title   | default_language | version |
| | usage   | Usage de l'IA | Français (fr)    | v2      |
"""

ANSWERS: list[dict[str, Any]] = [
    {
        "uses": "yes",
        "tools": "chatgpt other",
        "tools_other": "Mistral",
        "hours": "12",
        "when": "2026-03-01",
        "share": "2.5",
        "per": [{"why": "rédiger", "score": "3"}, {"why": "=1+1"}],
        "comment": '=HYPERLINK("http://evil")',
    },
    {"uses": "no", "tools": "copilot", "hours": "5", "per": [{"why": "x"}]},
    {"uses": "yes", "hours": "60", "per": []},
]


def read_form(md: str) -> Instrument:
    """Parse a markdown XLSForm."""
    return parse_xlsform(md.encode("utf-8"), filename="form.md").instrument


def export_of(
    form: Instrument,
    answers: Sequence[Mapping[str, Any]],
    *,
    ids: Sequence[str] | None = None,
    **meta: Any,
) -> ExportData:
    """Build the export of ``answers`` to ``form`` through the engine."""
    records = [evaluate_form(form, a, now=NOW).record() for a in answers]
    ids = ids or [f"r{n}" for n in range(1, len(answers) + 1)]
    meta.setdefault("started_on", [date(2026, 3, 14)] * len(answers))
    meta.setdefault("submitted_on", [date(2026, 3, 15)] * len(answers))
    batch = batch_from_records(form, form.version, ids, records, **meta)
    return build_export([batch])
