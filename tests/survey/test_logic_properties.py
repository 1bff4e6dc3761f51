"""The engine on arbitrary (tampered) answers, as a web server receives them."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sociaparis.survey.logic import evaluate_form, validate_page
from sociaparis.survey.xlsform import parse_xlsform

TOOLS = parse_xlsform(
    (Path(__file__).parent / "forms" / "tools.md").read_bytes(), filename="tools.md"
).instrument
NAMES = ["age", "tools", "hours", "why", "n", "thanks", "total", "per_tool", "zzz"]
text = st.text(max_size=20)
instance = st.dictionaries(st.sampled_from(NAMES), text, max_size=4)
value = st.one_of(text, st.lists(instance, max_size=4), st.integers(), st.none())
answers = st.dictionaries(st.sampled_from(NAMES), value, max_size=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=answers, page=st.sampled_from([p.name for p in TOOLS.pages()]))
def test_any_submission_is_judged_never_crashes(answers, page) -> None:
    result = validate_page(TOOLS, answers, page, "en")
    state = evaluate_form(TOOLS, answers)
    # nothing non-relevant is stored, and every value is a string
    for name, stored in result.record.items():
        if isinstance(stored, list):
            assert all(isinstance(v, str) for inst in stored for v in inst.values())
        else:
            assert isinstance(stored, str)
            assert state.is_relevant(name)
    for error in result.errors:
        assert error.question in TOOLS.page(page).questions


@settings(max_examples=200, deadline=None)
@given(answers=answers)
def test_record_holds_only_relevant_items(answers) -> None:
    state = evaluate_form(TOOLS, answers)
    record = state.record()
    for name, stored in record.items():
        assert state.is_relevant(name)
        if isinstance(stored, list):
            assert len(stored) == state.instances(name)
            for index, inst in enumerate(stored, start=1):
                assert all(state.is_relevant(key, index) for key in inst)
    # the repeat count is count-selected(tools), whatever was submitted for it
    assert state.instances("per_tool") == (
        len(state.value("tools").split()) if state.is_relevant("per_tool") else 0
    )
