"""The study's AI Act screening rules, one by one: a case that fires each rule and
one, differing by a single answer, that does not (not legal advice)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sociaparis.compare.register.errors import RegisterError
from sociaparis.compare.register.screening import (
    COLUMNS,
    DEFAULT_RULES,
    parse_rules,
    read_rules,
    screen,
)
from sociaparis.core.errors import SociaparisError
from sociaparis.survey.xlsform import read_xlsform

FORM = DEFAULT_RULES.parent / "transport_vision_survey.xlsx"
RULES = read_rules()

#: a real-time biometric system on CCTV used for law enforcement, by a city
BIOMETRIC = {
    "personal_data": "biometric",
    "processing": "real_time",
    "data_sources": "cctv onboard",
    "enforcement_use": "yes",
    "oversight": "sampled",
    "org_type": "city",
    "mode": "metro",
    "use_case": "fare_evasion",
}
#: an incident detector on roads, anonymised at capture
ROAD = {
    "personal_data": "anonymised",
    "processing": "real_time",
    "data_sources": "dedicated",
    "mode": "road",
    "use_case": "incident",
    "oversight": "every_alert",
    "org_type": "road_manager",
}

#: rule -> (answers that fire it, the one change that stops it)
CASES = {
    "art5_1_h_realtime_rbi_law_enforcement": (BIOMETRIC, {"enforcement_use": "no"}),
    # deferred processing is not real time
    "art5_1_h_realtime_rbi_law_enforcement#deferred": (
        BIOMETRIC, {"processing": "deferred"},
    ),
    # on-board cameras only: not counted as a publicly accessible space here
    "art5_1_h_realtime_rbi_law_enforcement#onboard": (
        BIOMETRIC, {"data_sources": "onboard"},
    ),
    "annex3_1_a_remote_biometric_identification": (
        BIOMETRIC, {"personal_data": "identifying"},
    ),
    "annex3_2_road_traffic_safety": (ROAD, {"use_case": "vehicle_count"}),
    "annex3_6_law_enforcement_evidence": (
        {**ROAD, "personal_data": "identifying", "enforcement_use": "yes"},
        {"enforcement_use": "dont_know"},
    ),
    "art50_3_biometric_information": (BIOMETRIC, {"personal_data": "dont_know"}),
    "art26_2_human_oversight": (BIOMETRIC, {"oversight": "every_alert"}),
    "art26_10_post_rbi_authorisation": (
        {**BIOMETRIC, "processing": "deferred"}, {"enforcement_use": None},
    ),
    "art27_fria_public_deployer": (BIOMETRIC, {"org_type": "other"}),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_rule_fires_and_does_not_fire(case: str) -> None:
    rule = case.partition("#")[0]
    fires, change = CASES[case]
    fired = screen(fires, RULES)
    assert rule in {f.rule.id for f in fired.fired}
    [hit] = [f for f in fired.fired if f.rule.id == rule]
    # the answers it read, each as given (None when not answered)
    assert dict(hit.answers) == {q: fires.get(q) for q in hit.rule.questions}
    assert rule not in {f.rule.id for f in screen({**fires, **change}, RULES).fired}


def test_every_rule_of_the_table_has_its_cases_and_cites_the_ai_act() -> None:
    assert {case.partition("#")[0] for case in CASES} == {r.id for r in RULES}
    for rule in RULES:
        assert rule.article.startswith("Regulation (EU) 2024/1689, ")
        assert rule.explain("fr") and rule.explain("en")


def test_the_rules_read_only_questions_of_the_transport_form() -> None:
    known = [q.name for q in read_xlsform(FORM).instrument.questions]
    assert {q for rule in RULES for q in rule.questions} <= set(known)
    assert len(read_rules(known=known)) == len(RULES)


@pytest.mark.parametrize(
    ("answers", "verdict"),
    [
        (BIOMETRIC, "prohibited"),
        ({**BIOMETRIC, "enforcement_use": "no"}, "high_risk"),
        (ROAD, "high_risk"),
        ({**ROAD, "use_case": "vehicle_count"}, "none"),
        ({}, "none"),
    ],
)
def test_the_verdict_is_the_gravest_outcome(answers: dict, verdict: str) -> None:
    assert screen(answers, RULES).verdict == verdict


def test_a_transparency_rule_alone_gives_transparency_and_duties_change_nothing() -> None:
    rows = [
        {"id": "t", "outcome": "transparency", "article": "Art. 50",
         "condition": "answered(x)", "explanation_fr": "f", "explanation_en": "e"},
        {"id": "d", "outcome": "duty", "article": "Art. 26",
         "condition": "answered(y)", "explanation_fr": "f", "explanation_en": "e"},
    ]  # fmt: skip
    rules = parse_rules(rows)
    assert screen({"x": "1", "y": "1"}, rules).verdict == "transparency"
    only_duty = screen({"y": "1"}, rules)
    assert only_duty.verdict == "none" and [f.rule.id for f in only_duty.duties] == ["d"]


def _write(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


GOOD = {
    "id": "a", "outcome": "high_risk", "article": "Annex III",
    "condition": "mode = 'road'", "explanation_fr": "f", "explanation_en": "e",
}  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ([GOOD, GOOD], RegisterError.DUPLICATE_RULE),
        ([{**GOOD, "outcome": "banned"}], RegisterError.BAD_OUTCOME),
        ([{**GOOD, "condition": "mode = road"}], RegisterError.BAD_CONDITION),
        ([{**GOOD, "article": ""}], RegisterError.BAD_RULES_FILE),
        ([{**GOOD, "condition": "colour = 'red'"}], RegisterError.UNKNOWN_ANSWER),
    ],
)
def test_a_bad_rules_table_is_refused(tmp_path: Path, rows: list, error: object) -> None:
    path = _write(tmp_path / "rules.csv", rows)
    with pytest.raises(SociaparisError) as caught:
        read_rules(path, known=["mode"])
    assert caught.value.error is error


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "rules.csv"
    path.write_text("id,outcome\na,duty\n", encoding="utf-8")
    with pytest.raises(SociaparisError) as caught:
        read_rules(path)
    assert caught.value.error is RegisterError.BAD_RULES_FILE
    assert "id, outcome" in str(caught.value.context["reason"])


def test_the_documentation_lists_every_rule_of_the_table() -> None:
    docs = Path(__file__).resolve().parents[3] / "docs" / "transport-register.md"
    text = docs.read_text(encoding="utf-8")
    for rule in RULES:
        assert f"| `{rule.id}` | " in text, rule.id
