"""``instrument simulate``: run the engine on a file of answers, report as JSON.

Input (``--answers``): a JSON object from question name to answer, as ODK stores
it (a string; a ``select_multiple`` as space-separated choice names; numbers are
accepted and written as XPath strings; ``null`` means "not answered"), and for a
repeat a list of such objects, one per instance.

Output::

    {"pages": [{"name": ..., "questions": [relevant questions on the page]}],
     "values": {name: value, ..., repeat: [{name: value, ...}, ...]},
     "errors": [{"question": name, "kind": "constraint" | "required",
                 "message": ...}]}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.survey.checks import value_problem
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.instrument import SELECT_TYPES, Group, Instrument, Question
from sociaparis.survey.logic import evaluate_form
from sociaparis.survey.xpath import to_string


def load_answers(path: str | Path) -> Any:
    """Read a JSON answers file (``SURVEY_020`` when it is not JSON)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SociaparisError(
            SurveyError.ANSWERS_NOT_JSON, path=str(path), reason=exc.strerror or exc
        ) from exc
    except UnicodeDecodeError as exc:
        raise SociaparisError(
            SurveyError.ANSWERS_NOT_JSON,
            path=str(path),
            reason=Reason(en="it is not UTF-8 text", fr="ce n'est pas du texte UTF-8"),
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SociaparisError(
            SurveyError.ANSWERS_NOT_JSON,
            path=str(path),
            reason=Reason(
                en=f"{exc.msg} at line {exc.lineno}, column {exc.colno}",
                fr=f"{exc.msg} à la ligne {exc.lineno}, colonne {exc.colno}",
            ),
        ) from exc


def _scalar(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise SociaparisError(
            SurveyError.ANSWERS_SHAPE,
            reason=Reason(
                en=f"the answer to '{name}' is true/false; write the answer as a string",
                fr=f"la réponse à « {name} » est true ou false ; écrivez-la comme une "
                "chaîne de caractères",
            ),
        )
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return to_string(float(value))
    raise SociaparisError(
        SurveyError.ANSWERS_SHAPE,
        reason=Reason(
            en=f"the answer to '{name}' is a {type(value).__name__}, not a string",
            fr=f"la réponse à « {name} » est de type {type(value).__name__}, pas une "
            "chaîne de caractères",
        ),
    )


def check_answers(instrument: Instrument, answers: Any) -> dict[str, Any]:
    """Check an answers document against the form and return it normalised.

    Raises
    ------
    SociaparisError
        ``SURVEY_021`` (layout), ``SURVEY_022`` (unknown name), ``SURVEY_023`` (value
        not in the choice list), ``SURVEY_024`` (a note or computed value given),
        ``SURVEY_025`` (value not of the question's type).
    """
    if not isinstance(answers, Mapping):
        raise SociaparisError(
            SurveyError.ANSWERS_SHAPE,
            reason=Reason(
                en=f"the document is a {type(answers).__name__}, not an object",
                fr=f"le document est de type {type(answers).__name__}, pas un objet",
            ),
        )
    return _check_level(instrument, answers, repeat=None)


def _check_level(
    instrument: Instrument, answers: Mapping[str, Any], repeat: str | None
) -> dict[str, Any]:
    known = [
        item.name
        for item in instrument.items
        if item.repeat == repeat
        and (
            (isinstance(item, Question) and item.answerable)
            or (isinstance(item, Group) and item.kind == "repeat")
        )
    ]
    result: dict[str, Any] = {}
    for name, value in answers.items():
        item = instrument.item(name) if instrument.has(name) else None
        if (
            item is None
            or item.repeat != repeat
            or (isinstance(item, Group) and item.kind != "repeat")
        ):
            raise SociaparisError(
                SurveyError.UNKNOWN_QUESTION,
                name=name,
                known=", ".join(known) or Reason(en="(none)", fr="aucun"),
            )
        if isinstance(item, Group):
            if not isinstance(value, list) or not all(
                isinstance(v, Mapping) for v in value
            ):
                raise SociaparisError(
                    SurveyError.ANSWERS_SHAPE,
                    reason=Reason(
                        en=f"'{name}' is a repeat: give a list of objects",
                        fr=f"« {name} » est une répétition : donnez une liste d'objets",
                    ),
                )
            result[name] = [_check_level(instrument, v, repeat=name) for v in value]
            continue
        if not item.answerable:
            raise SociaparisError(SurveyError.NOT_ANSWERABLE, name=name, type=item.type)
        text = _scalar(value, name)
        if text is None:
            continue
        _check_value(instrument, item, text)
        result[name] = text
    return result


def _check_value(instrument: Instrument, question: Question, text: str) -> None:
    if question.type in SELECT_TYPES and text:
        names = [choice.name for choice in instrument.choice_list(question)]
        tokens = text.split() if question.type == "select_multiple" else [text]
        for token in tokens:
            if token not in names:
                raise SociaparisError(
                    SurveyError.CHOICE_NOT_IN_LIST,
                    value=token,
                    name=question.name,
                    list_name=question.list_name,
                    choices=", ".join(names),
                )
        return
    if question.type == "rank" and text:
        names = [choice.name for choice in instrument.choice_list(question)]
        if sorted(text.split()) != sorted(names):
            raise SociaparisError(
                SurveyError.BAD_VALUE,
                value=text,
                name=question.name,
                type=question.type,
                reason=Reason(
                    en="a rank names every choice of its list once, in order: "
                    + ", ".join(names),
                    fr="un classement cite chaque choix de sa liste une seule fois, "
                    "dans l'ordre : " + ", ".join(names),
                ),
            )
        return
    problem = value_problem(question, text)
    if problem is not None:
        raise SociaparisError(
            SurveyError.BAD_VALUE,
            value=text,
            name=question.name,
            type=question.type,
            reason=problem,
        )


def simulate(
    instrument: Instrument,
    answers: Any,
    *,
    lang: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Run the engine on ``answers`` and report pages, values and errors.

    Parameters
    ----------
    instrument
        The questionnaire.
    answers
        The answers document (checked with :func:`check_answers`).
    lang
        Language of the messages (default: the form's default language).
    now
        The moment ``today()``/``now()`` see.

    Returns
    -------
    dict
        ``{"pages": [...], "values": {...}, "errors": [...]}`` as documented in
        ``docs/instruments.md``.
    """
    checked = check_answers(instrument, answers)
    state = evaluate_form(
        instrument, checked, lang=lang or instrument.default_language, now=now
    )
    return {
        "pages": [
            {"name": page.name, "questions": list(state.page_questions(page))}
            for page in state.pages()
        ],
        "values": state.record(),
        "errors": [
            {"question": error.question, "kind": error.kind, "message": error.message}
            for error in state.errors()
            if error.kind in {"constraint", "required"}
        ],
    }
