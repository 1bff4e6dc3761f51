"""The register of image-recognition systems: one system per repeat instance.

:func:`build_register` reads the transport form's responses, makes one system
per instance of the ``tool`` repeat joined with ``tool_detail``
(:func:`~sociaparis.compare.register.repeats.repeat_instances`), screens each
against the AI Act rules (:mod:`~sociaparis.compare.register.screening`) and
returns what may be published:

- the systems of organisations that agreed to be named (``publish_consent =
  yes``), with their attributes and screening;
- counts of every system (named or not) by city and operator type, by
  screening verdict and by mode, with the project's small-cell rule
  (:func:`sociaparis.analysis.disclosure.suppress`): an organisation that did
  not agree is counted, never named, and a count small enough to point at it
  is hidden.

:func:`build_systems_frame` writes the same systems into a comparison frame
(one case per system) with 0/1 dimensions for QCA.

Functions take the session keyword-only and never commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from sociaparis.accounts.service import Account
from sociaparis.analysis.disclosure import DEFAULT_MIN_COUNT, SuppressedTable, suppress
from sociaparis.core.errors import SociaparisError

from ..matrix.service import ImportResult
from .errors import RegisterError
from .examples import TRANSPORT_FORM_ID
from .repeats import Instance, instance_variables, repeat_instances, write_instances
from .screening import (
    DEFAULT_RULES,
    DISCLAIMER,
    VERDICTS,
    Rule,
    Screening,
    read_rules,
    screen,
)

#: the repeat whose instances are the systems, and the repeat joined to it
SYSTEM_REPEAT = "tool"
DETAIL_REPEAT = "tool_detail"
#: the question whose answer ``yes`` lets the register name the organisation
CONSENT_QUESTION = "publish_consent"
#: the attributes the register lists for each named system, in order
FIELDS = (
    "tool_name",
    "org_city",
    "org_type",
    "mode",
    "tool_status",
    "start_date",
    "vendor_type",
    "vendor_name",
    "data_sources",
    "processing",
    "personal_data",
    "use_case",
    "use_case_other",
    "retention_days",
    "legal_basis",
    "dpia",
    "dpa_consulted",
    "oversight",
    "enforcement_use",
    "evaluation",
    "eval_metrics",
    "false_alarm_pct",
    "public_info",
)
#: filter name -> the question it reads (``biometric`` reads personal_data)
FILTERS = {
    "mode": "mode",
    "status": "tool_status",
    "personal_data": "personal_data",
    "biometric": "personal_data",
    "legal_basis": "legal_basis",
    "dpia": "dpia",
    "oversight": "oversight",
    "evaluation": "evaluation",
    "verdict": "verdict",
}


def _biometric(value: Any) -> str:
    return "yes" if value == "biometric" else "no"


class _Test:
    """A 0/1 reading of one answer, with the rule it applies (kept as evidence)."""

    def __init__(self, rule: str, yes: set[str], *, negate: bool = False) -> None:
        self.rule = rule
        self.yes = yes
        self.negate = negate

    def __call__(self, value: Any) -> int:
        if value is None:  # not asked or not answered: not done
            return 0
        codes = set(str(value).split())
        hit = bool(codes & self.yes)
        return int(not hit if self.negate else hit)


#: the systems frame's 0/1 dimensions for QCA: name -> (question, test)
QCA_DIMENSIONS: dict[str, tuple[str, _Test]] = {
    "dpia_done": ("dpia", _Test("dpia = 'done'", {"done"})),
    "human_review": ("oversight", _Test("oversight = 'every_alert'", {"every_alert"})),
    "evaluated": (
        "evaluation",
        _Test("evaluation in ('independent', 'internal')", {"independent", "internal"}),
    ),
    "biometric": ("personal_data", _Test("personal_data = 'biometric'", {"biometric"})),
    "public_information": (
        "public_info",
        _Test("public_info answered and not 'none'", {"none"}, negate=True),
    ),
}


@dataclass(frozen=True, slots=True)
class System:
    """A named system of the register.

    Attributes
    ----------
    key
        ``RESPONSE#INDEX``.
    organisation
        The organisation's name (only organisations that agreed are listed).
    values
        Field to answer code(s) (``None`` when unanswered).
    labels
        Field to the answer's labels in the register's language.
    screening
        The AI Act screening.
    synthetic
        Whether the response is synthetic.
    """

    key: str
    organisation: str
    values: Mapping[str, Any]
    labels: Mapping[str, str]
    screening: Screening
    synthetic: bool

    def to_dict(self, lang: str) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "system": self.key,
            "organisation": self.organisation,
            "synthetic": self.synthetic,
            "values": dict(self.values),
            "labels": dict(self.labels),
            "screening": self.screening.to_dict(lang),
        }


@dataclass(frozen=True, slots=True)
class Register:
    """What the register publishes (never an unnamed organisation's name)."""

    form_id: str
    lang: str
    systems: tuple[System, ...]
    total: int
    unnamed: int
    by_city_type: SuppressedTable | None
    by_verdict: SuppressedTable | None
    by_mode: SuppressedTable | None
    filters: Mapping[str, tuple[str, ...]]
    options: Mapping[str, tuple[tuple[str, str], ...]]
    field_labels: Mapping[str, str]
    rules: tuple[Rule, ...]
    min_count: int
    disclaimer: str = ""
    verdict_labels: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the JSON export)."""

        def table(t: SuppressedTable | None) -> dict[str, Any] | None:
            return None if t is None else t.to_dict()

        return {
            "format": "sociaparis-register/1",
            "form_id": self.form_id,
            "lang": self.lang,
            "not_legal_advice": self.disclaimer,
            "filters": {k: list(v) for k, v in self.filters.items()},
            "systems_counted": self.total,
            "systems_not_named": self.unnamed,
            "min_count": self.min_count,
            "systems": [s.to_dict(self.lang) for s in self.systems],
            "counts": {
                "city_by_operator_type": table(self.by_city_type),
                "verdict": table(self.by_verdict),
                "mode": table(self.by_mode),
            },
            "rules": [
                {
                    "id": r.id,
                    "outcome": r.outcome,
                    "article": r.article,
                    "condition": r.condition,
                    "explanation": r.explain(self.lang),
                }
                for r in self.rules
            ],
        }


VERDICT_LABELS = {
    "fr": {
        "prohibited": "Probablement interdit",
        "high_risk": "Probablement à haut risque",
        "transparency": "Obligations de transparence",
        "none": "Aucun de ces cas",
    },
    "en": {
        "prohibited": "Likely prohibited",
        "high_risk": "Likely high-risk",
        "transparency": "Transparency duties",
        "none": "None of these",
    },
}


def _labels(variables: Any, lang: str, default: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for question, variable in variables.by_question.items():
        if variable.choices:
            out[question] = dict(
                zip(
                    (c.name for c in variable.choices),
                    variable.choice_labels(lang, default),
                    strict=True,
                )
            )
    return out


def _label(value: Any, choices: Mapping[str, str] | None) -> str:
    if value is None:
        return ""
    if choices is None:
        return str(value)
    return ", ".join(choices.get(code, code) for code in str(value).split())


def check_filters(filters: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Filters as name to allowed codes; ``REGISTER_022`` for an unknown name."""
    out: dict[str, tuple[str, ...]] = {}
    for name, values in filters.items():
        if name not in FILTERS:
            raise SociaparisError(
                RegisterError.UNKNOWN_FILTER, name=name, allowed=", ".join(FILTERS)
            )
        kept = tuple(v for v in values if v)
        if kept:
            out[name] = kept
    return out


def _passes(
    instance: Instance, verdict: str, filters: Mapping[str, tuple[str, ...]]
) -> bool:
    for name, allowed in filters.items():
        if name == "verdict":
            value = verdict
        elif name == "biometric":
            value = _biometric(instance.value("personal_data"))
        else:
            value = instance.value(FILTERS[name])
        if value is None or not set(str(value).split()) & set(allowed):
            return False
    return True


def _count(
    rows: Sequence[str], order: Sequence[str], labels: Mapping[str, str], min_count: int
) -> SuppressedTable | None:
    if not rows:
        return None
    counts = pd.Series(rows).value_counts()
    index = [code for code in order if code in counts.index]
    index += sorted(code for code in counts.index if code not in index)
    table = pd.DataFrame(
        {"n": [int(counts[c]) for c in index]}, index=[labels.get(c, c) for c in index]
    )
    return suppress(table, min_count=min_count)


def load_systems(
    *, session: Session, form_id: str = TRANSPORT_FORM_ID
) -> tuple[list[Instance], Any]:
    """Every system (repeat instance) of the form's completed responses, and the
    export they come from (``REGISTER_023`` when the form is not stored)."""
    from sociaparis.survey.exports import load_export
    from sociaparis.survey.service import list_instruments

    if form_id not in {i.form_id for i in list_instruments(session=session)}:
        raise SociaparisError(RegisterError.NO_FORM, form_id=form_id)
    try:
        data = load_export(session=session, form_id=form_id)
    except SociaparisError as exc:
        if exc.code == "EXPORT_003":  # no completed response yet: an empty register
            return [], None
        raise
    return repeat_instances(data, SYSTEM_REPEAT, [DETAIL_REPEAT]), data


def build_register(
    *,
    session: Session,
    form_id: str = TRANSPORT_FORM_ID,
    filters: Mapping[str, Sequence[str]] | None = None,
    rules_path: Path | str = DEFAULT_RULES,
    min_count: int = DEFAULT_MIN_COUNT,
    lang: str = "fr",
) -> Register:
    """The published register of the transport form's systems.

    Parameters
    ----------
    form_id
        The transport form.
    filters
        Filter name (:data:`FILTERS`) to the answer codes kept (any of them);
        ``biometric`` takes ``yes``/``no``, ``verdict`` a screening verdict.
    rules_path
        The screening rules table.
    min_count
        The small-cell threshold of the counts (never below 5).
    lang
        Language of the labels and explanations.

    Returns
    -------
    Register
        Named systems only; counts over every system that passes the filters.
    """
    chosen = check_filters(filters or {})
    instances, data = load_systems(session=session, form_id=form_id)
    if data is not None:
        variables = instance_variables(data, SYSTEM_REPEAT, [DETAIL_REPEAT])
        rules = read_rules(rules_path, known=list(variables.by_question))
        choice_labels = _labels(variables, lang, data.default_language)
        field_labels = {
            q: variables.by_question[q].label(lang, data.default_language) or q
            for q in FIELDS
            if q in variables.by_question
        }
    else:
        rules = read_rules(rules_path)
        choice_labels, field_labels = {}, {}
    verdict_labels = VERDICT_LABELS.get(lang, VERDICT_LABELS["fr"])
    systems: list[System] = []
    kept: list[tuple[Instance, str]] = []
    for instance in instances:
        answers = {q: a.value for q, a in instance.answers.items()}
        screening = screen(answers, rules)
        if not _passes(instance, screening.verdict, chosen):
            continue
        kept.append((instance, screening.verdict))
        if instance.value(CONSENT_QUESTION) != "yes":
            continue
        values = {f: instance.value(f) for f in FIELDS}
        systems.append(
            System(
                key=instance.key,
                organisation=str(instance.value("org_name") or ""),
                values=values,
                labels={f: _label(values[f], choice_labels.get(f)) for f in FIELDS},
                screening=screening,
                synthetic=instance.synthetic,
            )
        )
    by_city_type = None
    if kept:
        cities = [str(i.value("org_city") or "?").strip() for i, _ in kept]
        types = [
            _label(i.value("org_type"), choice_labels.get("org_type")) or "?"
            for i, _ in kept
        ]
        cross = pd.crosstab(pd.Series(cities, name="city"), pd.Series(types, name="type"))
        by_city_type = suppress(cross.astype(int), min_count=min_count)
    mode_choices = choice_labels.get("mode", {})
    options = {
        name: tuple(choice_labels.get(question, {}).items())
        for name, question in FILTERS.items()
        if name not in {"biometric", "verdict"}
    }
    yes_no = {"fr": (("yes", "Oui"), ("no", "Non")), "en": (("yes", "Yes"), ("no", "No"))}
    options["biometric"] = yes_no.get(lang, yes_no["fr"])
    options["verdict"] = tuple((v, verdict_labels[v]) for v in VERDICTS)
    return Register(
        form_id=form_id,
        lang=lang,
        systems=tuple(systems),
        total=len(kept),
        unnamed=len(kept) - len(systems),
        by_city_type=by_city_type,
        by_verdict=_count([v for _, v in kept], VERDICTS, verdict_labels, min_count),
        by_mode=_count(
            [str(i.value("mode") or "?") for i, _ in kept],
            list(mode_choices),
            mode_choices,
            min_count,
        ),
        filters=chosen,
        options=options,
        field_labels=field_labels,
        rules=rules,
        min_count=min_count,
        disclaimer=DISCLAIMER.get(lang, DISCLAIMER["fr"]),
        verdict_labels=verdict_labels,
    )


def build_systems_frame(
    *,
    session: Session,
    actor: Account,
    frame: str = "transport_systems",
    form_id: str = TRANSPORT_FORM_ID,
    lang: str | None = None,
) -> ImportResult:
    """Write the transport form's systems into ``frame`` (created if new): one
    case per system (``RESPONSE#INDEX``, never the organisation's name), the
    register's attributes as text dimensions and the 0/1 dimensions of
    :data:`QCA_DIMENSIONS` (``dpia_done``, ``human_review``, ``evaluated``,
    ``biometric``, ``public_information``) that ``sociaparis qca`` takes.

    Raises
    ------
    SociaparisError
        ``CASES_008`` unless researcher or admin; ``REGISTER_023``.
    """
    from sociaparis.survey.exports import load_export
    from sociaparis.survey.service import list_instruments

    from ..matrix.service import require_editor

    require_editor(actor, "build the systems frame")
    if form_id not in {i.form_id for i in list_instruments(session=session)}:
        raise SociaparisError(RegisterError.NO_FORM, form_id=form_id)
    data = load_export(session=session, form_id=form_id)
    variables = instance_variables(data, SYSTEM_REPEAT, [DETAIL_REPEAT])
    questions = [
        q
        for q in FIELDS
        if q in variables.by_question and q not in {"tool_name", "vendor_name"}
    ]
    return write_instances(
        session=session,
        actor=actor,
        frame=frame,
        instances=repeat_instances(data, SYSTEM_REPEAT, [DETAIL_REPEAT]),
        variables=variables,
        questions=questions,
        lang=lang or data.default_language,
        default_language=data.default_language,
        derived=QCA_DIMENSIONS,
        description="Image-recognition systems of the transport survey, one case a tool",
    )
