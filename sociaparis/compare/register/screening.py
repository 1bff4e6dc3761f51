"""AI Act screening of a system's answers: NOT LEGAL ADVICE.

The rules are data: a CSV table (``studies/sociaparis/ai_act_rules.csv``) with
one rule a row: ``id``, ``outcome`` (``prohibited``, ``high_risk``,
``transparency`` or ``duty``), ``article`` (the provision of Regulation (EU)
2024/1689 it reads), ``condition`` (in the language of
:mod:`sociaparis.compare.register.conditions`) and an explanation in French and
English. A system's verdict is the gravest outcome of the rules that fire
(``prohibited`` > ``high_risk`` > ``transparency``), else ``none``; ``duty``
rules (deployer duties, Art. 26/27) are listed without changing the verdict.
Each fired rule keeps the answers it read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sociaparis.core.errors import Reason, SociaparisError

from .conditions import evaluate, parse_condition, questions_of
from .errors import RegisterError

#: the study's rules, next to the transport form
DEFAULT_RULES = (
    Path(__file__).resolve().parents[3] / "studies" / "sociaparis" / "ai_act_rules.csv"
)
#: verdicts, gravest first
VERDICTS = ("prohibited", "high_risk", "transparency", "none")
OUTCOMES = ("prohibited", "high_risk", "transparency", "duty")
COLUMNS = ("id", "outcome", "article", "condition", "explanation_fr", "explanation_en")
DISCLAIMER = {
    "fr": (
        "Ce repérage n'est pas un avis juridique : il applique des règles simples "
        "aux réponses déclarées et signale ce qu'il faut examiner au regard du "
        "règlement (UE) 2024/1689 sur l'intelligence artificielle."
    ),
    "en": (
        "This screening is not legal advice: it applies simple rules to the "
        "answers given and flags what to examine under Regulation (EU) 2024/1689 "
        "(the AI Act)."
    ),
}


@dataclass(frozen=True, slots=True)
class Rule:
    """One screening rule (a row of the rules table), its condition parsed."""

    id: str
    outcome: str
    article: str
    condition: str
    explanation: Mapping[str, str]
    tree: tuple

    @property
    def questions(self) -> tuple[str, ...]:
        """The questions the condition reads, sorted."""
        return tuple(sorted(questions_of(self.tree)))

    def explain(self, lang: str) -> str:
        """The explanation in ``lang`` (French when missing)."""
        return self.explanation.get(lang) or self.explanation.get("fr", "")


@dataclass(frozen=True, slots=True)
class Fired:
    """A rule that fired, with the answers it read (``None``: not answered)."""

    rule: Rule
    answers: Mapping[str, Any]

    def to_dict(self, lang: str = "fr") -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "rule": self.rule.id,
            "outcome": self.rule.outcome,
            "article": self.rule.article,
            "explanation": self.rule.explain(lang),
            "answers_read": dict(self.answers),
        }


@dataclass(frozen=True, slots=True)
class Screening:
    """The verdict of one system and the rules that gave it."""

    verdict: str
    fired: tuple[Fired, ...]

    @property
    def duties(self) -> tuple[Fired, ...]:
        """The deployer-duty rules that fired."""
        return tuple(f for f in self.fired if f.rule.outcome == "duty")

    def to_dict(self, lang: str = "fr") -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "verdict": self.verdict,
            "fired": [f.to_dict(lang) for f in self.fired],
            "not_legal_advice": DISCLAIMER.get(lang, DISCLAIMER["fr"]),
        }


def parse_rules(
    rows: Iterable[Mapping[str, str]],
    *,
    known: Sequence[str] | None = None,
    path: str = "rules",
) -> tuple[Rule, ...]:
    """Rules from table rows (dicts with :data:`COLUMNS`).

    Parameters
    ----------
    rows
        The table's rows.
    known
        The questions a condition may read (default: any).
    path
        Named in errors.

    Raises
    ------
    SociaparisError
        ``REGISTER_010`` missing column, ``REGISTER_011`` unknown outcome,
        ``REGISTER_012`` bad condition, ``REGISTER_013`` duplicate id,
        ``REGISTER_014`` a question the form does not ask.
    """
    rules: list[Rule] = []
    seen: set[str] = set()
    for row in rows:
        missing = [c for c in COLUMNS if not (row.get(c) or "").strip()]
        if missing:
            raise SociaparisError(
                RegisterError.BAD_RULES_FILE,
                path=path,
                reason=Reason(
                    en=f"row {len(rules) + 2} has no {', '.join(missing)}",
                    fr=f"la ligne {len(rules) + 2} n'a pas de valeur dans "
                    f"{', '.join(missing)}",
                ),
            )
        rule_id = row["id"].strip()
        if rule_id in seen:
            raise SociaparisError(RegisterError.DUPLICATE_RULE, rule=rule_id)
        seen.add(rule_id)
        outcome = row["outcome"].strip()
        if outcome not in OUTCOMES:
            raise SociaparisError(
                RegisterError.BAD_OUTCOME,
                rule=rule_id,
                outcome=outcome,
                allowed=", ".join(OUTCOMES),
            )
        tree = parse_condition(row["condition"], rule_id)
        if known is not None:
            for question in sorted(questions_of(tree)):
                if question not in known:
                    raise SociaparisError(
                        RegisterError.UNKNOWN_ANSWER,
                        rule=rule_id,
                        question=question,
                        known=", ".join(sorted(known)),
                    )
        rules.append(
            Rule(
                id=rule_id,
                outcome=outcome,
                article=row["article"].strip(),
                condition=row["condition"].strip(),
                explanation={
                    "fr": row["explanation_fr"].strip(),
                    "en": row["explanation_en"].strip(),
                },
                tree=tree,
            )
        )
    return tuple(rules)


def read_rules(
    path: Path | str = DEFAULT_RULES, *, known: Sequence[str] | None = None
) -> tuple[Rule, ...]:
    """The rules of a CSV file (UTF-8, comma-separated, header :data:`COLUMNS`)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SociaparisError(
            RegisterError.BAD_RULES_FILE, path=path, reason=str(exc)
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    if any(c not in header for c in COLUMNS):
        raise SociaparisError(
            RegisterError.BAD_RULES_FILE,
            path=path,
            reason=Reason(
                en=f"the header is {', '.join(header) or 'empty'}",
                fr=f"l'en-tête est {', '.join(header)}"
                if header
                else "l'en-tête est vide",
            ),
        )
    return parse_rules(reader, known=known, path=str(path))


def screen(answers: Mapping[str, Any], rules: Sequence[Rule]) -> Screening:
    """The verdict of one system's ``answers`` (question to answer).

    >>> rules = parse_rules([{"id": "r", "outcome": "high_risk", "article": "Annex III",
    ...     "condition": "personal_data = 'biometric'", "explanation_fr": "x",
    ...     "explanation_en": "x"}])
    >>> screen({"personal_data": "biometric"}, rules).verdict
    'high_risk'
    >>> screen({"personal_data": "no"}, rules).verdict
    'none'
    """
    fired = tuple(
        Fired(rule, {q: answers.get(q) for q in rule.questions})
        for rule in rules
        if evaluate(rule.tree, answers)
    )
    outcomes = {f.rule.outcome for f in fired}
    verdict = next((v for v in VERDICTS if v in outcomes), "none")
    return Screening(verdict, fired)
