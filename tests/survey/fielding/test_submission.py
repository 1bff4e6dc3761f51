"""Reading a page from browser fields: only the page's own answerable questions."""

from __future__ import annotations

import pytest

from sociaparis.survey.fielding.submission import (
    MAX_ANSWER_LENGTH,
    merge_page,
    read_page,
)
from sociaparis.survey.xlsform import parse_xlsform
from tests.factories import FIELDING_FORM

INSTRUMENT = parse_xlsform(FIELDING_FORM.encode(), filename="f.md").instrument


@pytest.mark.parametrize(
    ("page", "fields", "instances", "expected"),
    [
        ("service", {"service": [" DSIN "]}, 0, {"service": "DSIN"}),
        # unknown, hidden and other pages' fields are dropped
        (
            "service",
            {"service": ["x"], "hours": ["3"], "evil": ["1"]},
            0,
            {"service": "x"},
        ),
        # a checkbox group sends its name once per ticked box
        (
            "tools",
            {"tools": ["copilot", "chatgpt", "copilot"]},
            0,
            {"tools": "copilot chatgpt"},
        ),
        ("tools", {}, 0, {}),
        (
            "effects",
            {"quality": ["3"], "speed": ["4"]},
            0,
            {"quality": "3", "speed": "4"},
        ),
        (
            "tool",
            {"tool_name.1": ["Copilot"], "tool_freq.2": ["daily"], "tool_name.3": ["x"]},
            2,
            {"tool": [{"tool_name": "Copilot"}, {"tool_freq": "daily"}]},
        ),
    ],
)
def test_read_page(page: str, fields: dict, instances: int, expected: dict) -> None:
    submission = read_page(INSTRUMENT, INSTRUMENT.page(page), fields, instances=instances)
    assert submission.answers == expected
    assert submission.errors == ()


def test_an_oversized_answer_is_refused_not_stored() -> None:
    fields = {"service": ["x" * (MAX_ANSWER_LENGTH + 1)]}
    submission = read_page(
        INSTRUMENT, INSTRUMENT.page("service"), fields, too_long_message="too long"
    )
    assert submission.answers == {}
    assert [(e.question, e.message) for e in submission.errors] == [
        ("service", "too long")
    ]


def test_merge_replaces_only_the_page_answers() -> None:
    stored = {"service": "DSIN", "quality": "1", "speed": "2", "hours": "3"}
    merged = merge_page(stored, INSTRUMENT.page("effects"), {"quality": "4"})
    assert merged == {"service": "DSIN", "quality": "4", "hours": "3"}
