"""The screening rules' condition language: parsed by our code, never eval'd."""

from __future__ import annotations

import pytest

from sociaparis.compare.register.conditions import evaluate, parse_condition, questions_of
from sociaparis.compare.register.errors import RegisterError
from sociaparis.core.errors import SociaparisError

ANSWERS = {
    "personal_data": "biometric",
    "processing": "real_time",
    "data_sources": "cctv onboard",
    "retention_days": 30,
    "dpia": None,
}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("personal_data = 'biometric'", True),
        ("personal_data != 'biometric'", False),
        ("personal_data = 'no'", False),
        ("processing in ('real_time', 'both')", True),
        ("processing in ('deferred')", False),
        ("selected(data_sources, 'onboard')", True),
        ("selected(data_sources, 'drone')", False),
        # the whole answer of a select_multiple is its codes: '=' compares all of them
        ("data_sources = 'cctv'", False),
        ("retention_days >= 30", True),
        ("retention_days > 30", False),
        ("retention_days < 31 and retention_days <= 30", True),
        ("retention_days = 30", True),
        # unanswered: every comparison is false, 'not' makes it true
        ("dpia = 'done'", False),
        ("dpia != 'done'", False),
        ("not (dpia = 'done')", True),
        ("answered(dpia)", False),
        ("answered(processing)", True),
        ("unknown_question = 'x'", False),
        # precedence: and binds tighter than or; not binds tightest
        ("personal_data = 'no' or processing = 'real_time' and dpia = 'done'", False),
        (
            "(personal_data = 'no' or processing = 'real_time') and not answered(dpia)",
            True,
        ),
        ("not personal_data = 'no' and selected(data_sources, 'cctv')", True),
        ("personal_data = 'it\\'s'", False),
    ],
)
def test_conditions_evaluate_as_documented(condition: str, expected: bool) -> None:
    assert evaluate(parse_condition(condition), ANSWERS) is expected


def test_the_questions_a_condition_reads() -> None:
    tree = parse_condition(
        "personal_data = 'biometric' and (selected(data_sources, 'cctv') or "
        "not answered(dpia))"
    )
    assert questions_of(tree) == {"personal_data", "data_sources", "dpia"}


@pytest.mark.parametrize(
    ("condition", "position", "reason"),
    [
        ("__import__('os')", 10, "expected a comparison after '__import__'"),
        ("personal_data == 'x'", 15, "expected a 'quoted text' or a number, found '='"),
        ("personal_data = 'x' and", 23, "expected name, found 'the end'"),
        ("retention_days > 'ten'", 17, "'>' compares numbers only"),
        ("personal_data = 'x')", 19, "unexpected ')'"),
        ('personal_data = "x"', 16, "unexpected '\"'"),
        ("selected(data_sources, cctv)", 23, "expected string, found 'cctv'"),
        ("open('/etc/passwd').read()", 19, "unexpected '.'"),
    ],
)
def test_anything_outside_the_grammar_is_refused_with_its_position(
    condition: str, position: int, reason: str
) -> None:
    with pytest.raises(SociaparisError) as caught:
        parse_condition(condition, "r1")
    assert caught.value.error is RegisterError.BAD_CONDITION
    context = dict(caught.value.context)
    said = context.pop("reason")
    assert context == {"rule": "r1", "position": position}
    assert str(said) == reason and said.fr != reason  # English, and French for pages
