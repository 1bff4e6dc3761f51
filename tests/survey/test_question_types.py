"""Time, dateTime, geopoint, geotrace, geoshape, rank, barcode: read, checked, stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

from sociaparis.survey.checks import DEFAULT_MESSAGES
from sociaparis.survey.fielding.submission import read_page
from sociaparis.survey.logic import evaluate_form
from sociaparis.survey.xlsform import TYPE_EQUIVALENTS, parse_xlsform
from sociaparis.survey.xpath import evaluate, parse, to_number

PARIS_WINTER = timezone(timedelta(hours=1))
NOW = datetime(2026, 12, 5, 10, 0, tzinfo=PARIS_WINTER)


def _form(rows: str, choices: str = ""):
    md = "| survey |\n| | type | name | label | constraint |\n" + rows
    if choices:
        md += "| choices |\n| | list_name | name | label |\n" + choices
    return parse_xlsform(md.encode(), filename="f.md")


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("time", "time"),
        ("dateTime", "dateTime"),
        ("datetime", "dateTime"),
        ("date time", "dateTime"),
        ("add dateTime prompt", "dateTime"),
        ("geopoint", "geopoint"),
        ("gps", "geopoint"),
        ("location", "geopoint"),
        ("q location", "geopoint"),
        ("add location prompt", "geopoint"),
        ("geotrace", "geotrace"),
        ("q geotrace", "geotrace"),
        ("geoshape", "geoshape"),
        ("phone number", "text"),
        ("barcode", "text"),
        ("add barcode prompt", "text"),
        ("percentage", "integer"),
        ("trigger", "acknowledge"),
        ("start-geopoint", "start-geopoint"),
    ],
)
def test_type_spellings_pyxform_reads(written: str, kind: str) -> None:
    label = "" if written == "start-geopoint" else "Q"
    result = _form(f"| | {written} | q | {label} | |\n")
    assert result.instrument.item("q").type == kind


@pytest.mark.parametrize(("spelling", "kind"), sorted(TYPE_EQUIVALENTS.items()))
def test_equivalent_spellings_have_the_data_type_and_control_of_their_type(
    spelling: str, kind: str
) -> None:
    def signature(name: str) -> tuple[object, object]:
        spec = QUESTION_TYPE_DICT[name]
        return spec.get("bind", {}).get("type"), spec.get("control", {}).get("tag")

    (data, control), (its_data, its_control) = signature(spelling), signature(kind)
    assert control == its_control
    assert data in {its_data, None}  # 'trigger' gives no data type (a string)


@pytest.mark.parametrize(
    ("written", "code", "says"),
    [
        ("barcode", "SURVEY_W06", "on the web, as in Enketo, it is a text input"),
        ("start-geopoint", "SURVEY_W03", "stays empty in every response"),
    ],
)
def test_types_the_web_cannot_offer_are_warnings(
    written: str, code: str, says: str
) -> None:
    result = _form(f"| | {written} | q | Q | |\n")
    found = [w for w in result.warnings if w.code == code]
    assert len(found) == 1 and says in found[0].message
    assert (found[0].location.row, found[0].location.column) == (2, "type")
    assert not [w for w in result.warnings if w.code == "SURVEY_W04"]


TYPES_FORM = """| | time | t | Heure | . >= '08:00' |
| | dateTime | dt | Quand | |
| | geopoint | p | Où | |
| | geotrace | tr | Trajet | |
| | geoshape | sh | Zone | |
| | rank fruits | r | Classez | |
"""
FRUITS = "| | fruits | a | A |\n| | fruits | b | B |\n| | fruits | c | C |\n"


@pytest.mark.parametrize(
    ("name", "typed", "stored"),
    [
        ("t", "14:30", "14:30:00.000+01:00"),
        ("t", "14h30", "14:30:00.000+01:00"),
        ("t", "9:05:30", "09:05:30.000+01:00"),
        ("t", "14:30:00.250-07:00", "14:30:00.250-07:00"),
        ("t", "23:59:59.999Z", "23:59:59.999Z"),
        ("dt", "2026-03-05T14:30", "2026-03-05T14:30:00.000+01:00"),
        ("dt", "2026-03-05 14:30:15", "2026-03-05T14:30:15.000+01:00"),
        ("dt", "2026-03-05T14:30:00.000+02:00", "2026-03-05T14:30:00.000+02:00"),
        ("p", "48.8566 2.3522", "48.8566 2.3522 0 0"),
        ("p", "48,8566 2,3522 35 5", "48.8566 2.3522 35 5"),
        ("p", "-90 180", "-90 180 0 0"),
        ("tr", "1 2; 3 4 10 5", "1 2 0 0;3 4 10 5"),
        ("tr", "1 2\n3 4", "1 2 0 0;3 4 0 0"),
        ("sh", "0 0;0 1;1 1", "0 0 0 0;0 1 0 0;1 1 0 0;0 0 0 0"),
        ("sh", "0 0;0 1;1 1;0 0", "0 0 0 0;0 1 0 0;1 1 0 0;0 0 0 0"),
        ("r", "c a b", "c a b"),
    ],
)
def test_answers_are_stored_in_odk_text(name: str, typed: str, stored: str) -> None:
    form = _form(TYPES_FORM, FRUITS).instrument
    state = evaluate_form(form, {name: typed}, now=NOW)
    assert state.errors([name]) == []
    assert state.record()[name] == stored
    # stored text reads back as itself (what the next page's evaluation sees)
    assert evaluate_form(form, {name: stored}, now=NOW).record()[name] == stored


@pytest.mark.parametrize(
    ("name", "typed", "kind", "message"),
    [
        ("t", "25:00", "type", "time"),
        ("t", "14.30", "type", "time"),
        ("t", "07:59", "constraint", "constraint"),
        ("dt", "2026-02-30T10:00", "type", "dateTime"),
        ("dt", "2026-03-05", "type", "dateTime"),
        ("p", "91 2", "type", "geopoint"),
        ("p", "48 181", "type", "geopoint"),
        ("p", "48", "type", "geopoint"),
        ("p", "? 2.35", "type", "geopoint"),
        ("p", "48 2 0 -1", "type", "geopoint"),
        ("tr", "1 2", "type", "geotrace"),
        ("sh", "0 0;0 1;0 0", "type", "geoshape"),
        ("r", "a b", "choice", "rank"),
        ("r", "a a b", "choice", "rank"),
        ("r", "a b z", "choice", "rank"),
    ],
)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_bad_answers_get_the_message_of_their_type(
    name: str, typed: str, kind: str, message: str, lang: str
) -> None:
    form = _form(TYPES_FORM, FRUITS).instrument
    [error] = evaluate_form(form, {name: typed}, now=NOW, lang=lang).errors([name])
    assert (error.question, error.kind) == (name, kind)
    assert error.message == DEFAULT_MESSAGES[message][lang]


def test_a_datetime_takes_the_offset_of_its_own_day_in_a_named_zone() -> None:
    from zoneinfo import ZoneInfo

    form = _form(TYPES_FORM, FRUITS).instrument
    now = datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    record = evaluate_form(form, {"dt": "2026-07-01T10:00"}, now=now).record()
    assert record["dt"] == "2026-07-01T10:00:00.000+02:00"  # summer time
    assert to_number(record["dt"]) == pytest.approx(
        (datetime(2026, 7, 1, 8, 0, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC))
        / timedelta(days=1)
    )


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("number('12:00')", 0.5),
        ("number('06:00:00.000-07:00')", 0.25),
        ("decimal-time('18:00:00.000+01:00')", 0.75),
        ("decimal-time('2026-03-05T06:00:00+05:00')", 0.25),
        ("'14:30:00.000+01:00' > '14:00'", True),
        ("'09:00' < '08:30'", False),
        ("'10:30' - '10:00'", 30 / 1440),
        ("format-date-time('14:30:15.000+01:00', '%H:%M:%S')", "14:30:15"),
        ("format-date-time('09:05', '%h h %M')", "9 h 05"),
    ],
)
def test_times_in_expressions_are_their_wall_clock_fraction_of_a_day(
    expression: str, expected: object
) -> None:
    class Empty:
        def resolve(self, name):
            return ""

        def current(self):
            return ""

        def now(self):
            return NOW

    value = evaluate(parse(expression), Empty())
    if isinstance(expected, str):
        assert value == expected
    else:
        assert value == pytest.approx(expected)


@pytest.mark.parametrize(
    "expression", ["decimal-time('2026-03-05')", "decimal-time('x')", "number('24:00')"]
)
def test_what_is_not_a_time_is_nan(expression: str) -> None:
    value = evaluate(parse(expression), None)
    assert value != value


@pytest.mark.parametrize(
    ("page", "fields", "answer"),
    [
        ("p", {"p:lat": ["48,85"], "p:lon": ["2.35"], "p:alt": [""]}, "48,85 2.35"),
        ("p", {"p:lat": [""], "p:lon": ["2.35"], "p:acc": ["5"]}, "? 2.35 0 5"),
        ("p", {"p:lat": [""], "p:lon": [""], "p:alt": [""]}, ""),
        ("r", {"r:1": ["b"], "r:2": ["c"], "r:3": ["a"]}, "b c a"),
        ("r", {"r:1": ["b"], "r:2": [""], "r:3": ["a"]}, "b a"),
        ("r", {"r:1": [""], "r:2": [""], "r:3": [""]}, ""),
    ],
)
def test_a_page_joins_the_inputs_of_a_geopoint_and_a_rank(
    page: str, fields: dict, answer: str
) -> None:
    form = _form(TYPES_FORM, FRUITS).instrument
    assert read_page(form, form.page(page), fields).answers == {page: answer}


def test_a_page_without_the_inputs_of_a_question_has_no_answer_to_it() -> None:
    form = _form(TYPES_FORM, FRUITS).instrument
    assert read_page(form, form.page("p"), {"p": ["1 2"]}).answers == {}


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        ({"r": "a b"}, "a rank names every choice of its list once, in order: a, b, c"),
        ({"p": "91 2"}, "the latitude 91 is not between -90 and 90"),
        ({"t": "25:00"}, "not a time of the day (00:00 to 23:59)"),
        ({"sh": "0 0;0 1"}, "a shape needs at least 3 different points"),
    ],
)
def test_simulate_refuses_answers_not_of_their_type(answers: dict, reason: str) -> None:
    from sociaparis.core.errors import SociaparisError
    from sociaparis.survey.errors import SurveyError
    from sociaparis.survey.simulate import simulate

    form = _form(TYPES_FORM, FRUITS).instrument
    with pytest.raises(SociaparisError) as info:
        simulate(form, answers, now=NOW)
    assert info.value.error is SurveyError.BAD_VALUE
    assert str(info.value.context["reason"]) == reason


def test_simulate_reports_the_stored_text() -> None:
    from sociaparis.survey.simulate import simulate

    form = _form(TYPES_FORM, FRUITS).instrument
    report = simulate(form, {"t": "9:00", "p": "1 2", "r": "b c a"}, now=NOW)
    assert report["values"]["t"] == "09:00:00.000+01:00"
    assert report["values"]["p"] == "1 2 0 0"
    assert report["values"]["r"] == "b c a"
    assert report["errors"] == []


def test_a_datetime_answered_on_the_server_clock_gets_its_own_days_offset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time as clock

    monkeypatch.setenv("TZ", "Europe/Paris")
    clock.tzset()
    try:
        form = _form(TYPES_FORM, FRUITS).instrument
        # the server's clock in winter: a fixed +01:00, as datetime.now().astimezone()
        winter = datetime(2026, 12, 5, 10, 0, tzinfo=UTC).astimezone()
        assert winter.utcoffset() == timedelta(hours=1)
        record = evaluate_form(form, {"dt": "2026-07-01T10:00"}, now=winter).record()
        assert record["dt"] == "2026-07-01T10:00:00.000+02:00"
        record = evaluate_form(form, {"dt": "2026-01-10T10:00"}, now=winter).record()
        assert record["dt"] == "2026-01-10T10:00:00.000+01:00"
    finally:
        monkeypatch.undo()
        clock.tzset()
