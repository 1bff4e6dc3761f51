"""The data islands of live logic: parse trees, steps, the answers a page reads."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sociaparis.survey.fielding.layout import lay_out_page
from sociaparis.survey.fielding.live import (
    has_live_logic,
    live_data,
    live_form,
    tree_to_json,
)
from sociaparis.survey.logic import evaluate_form, page_steps
from sociaparis.survey.xlsform import parse_xlsform
from sociaparis.survey.xpath import FUNCTIONS
from sociaparis.survey.xpath.parser import parse_tree
from sociaparis.web.questions import question_blocks

ROOT = Path(__file__).resolve().parents[3]
LIVE = parse_xlsform(
    (ROOT / "tests" / "survey" / "forms" / "live.md").read_bytes(), filename="live.md"
).instrument
MOMENT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
#: Functions the browser leaves to the server (see static/xpath.js): chance,
#: functions whose last digit may differ between maths libraries, and those
#: that read what the page does not carry (attachments, a dateTime's clock).
SERVER_ONLY = {
    "pulldata",
    "random",
    "uuid",
    "pow",
    "exp",
    "exp10",
    "log",
    "log10",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "atan2",
}


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        ("1", ["num", 1.0]),
        ("'a'", ["str", "a"]),
        ("${a} = 'x'", ["eq", "=", ["ref", "a"], ["str", "x"]]),
        ("-${a}", ["neg", None, ["ref", "a"]]),
        ("--1", ["tonum", None, ["num", 1.0]]),
        ("1 + 2 - 3", ["arith", ["+", "-"], ["num", 1.0], ["num", 2.0], ["num", 3.0]]),
        (
            "${a} and . or 1",
            ["or", None, ["and", None, ["ref", "a"], ["cur", None]], ["num", 1.0]],
        ),
        ("string-length()", ["call", "string-length", ["cur", None]]),
        ("position(..)", ["call", "position", ["parent", None]]),
        ("${a} < 2", ["rel", "<", ["ref", "a"], ["num", 2.0]]),
        ("1" * 400, ["num", "Infinity"]),
    ],
)
def test_a_parse_tree_is_nested_lists(source: str, tree: list) -> None:
    assert tree_to_json(parse_tree(source)) == tree


def test_a_choice_filter_column_is_a_col_node() -> None:
    tree = tree_to_json(parse_tree("kind = 'city'", choice_filter=True))
    assert tree == ["eq", "=", ["col", "kind"], ["str", "city"]]


def _form(page: str) -> dict:
    return json.loads(live_form(LIVE, page, "fr", (("too_long", "Trop long"),)))


def test_the_form_island_holds_the_steps_the_server_evaluates_in_its_order() -> None:
    form = _form("page")
    assert [step["n"] for step in form["steps"]] == [
        step.name for step in page_steps(LIVE, "page")
    ]
    steps = {step["n"]: step for step in form["steps"]}
    # The page's own questions, and the calculations they read.
    assert {name for name, step in steps.items() if step.get("on")} == set(
        LIVE.page("page").questions
    )
    assert "on" not in steps["adult"] and steps["adult"]["t"] == "calculate"
    assert steps["age"]["cm"] == "De 16 à 119 ans, pas ${age}"
    assert steps["age"]["tm"] == "Saisissez un nombre entier."
    assert steps["score"]["range"] == [0.0, 20.0, 2.5]
    assert steps["score"]["tm"] == "Choisissez une valeur entre 0 et 20 (pas de 2.5)."
    # A filtered list carries its choices and the columns its filter reads.
    assert steps["unit"]["ch"] == ["none", "dfa", "dsin", "ext"]
    assert steps["unit_min"]["cc"] == {"kind": ["none", "city", "city", "other"]}
    assert "cc" not in steps["unit"]  # its filter reads only name
    # Texts with values, and the labels jr:choice-name() reads.
    assert steps["why"]["lt"] == "Pourquoi, à ${age} ans ?"
    assert steps["why"]["ht"] == "Âge : **${age}**"
    assert "lt" not in steps["tools"]
    assert form["labels"] == {
        "unit": {
            "none": "Aucune",
            "dfa": "Finances",
            "dsin": "Numérique",
            "ext": "Extérieur",
        }
    }
    assert form["messages"]["too_long"] == "Trop long"
    assert form["messages"]["required"] == "Cette question est obligatoire."
    assert [steps[n]["o"] for n in ("page", "age", "adult")] == [0, 1, 2]


def test_the_repeat_page_island_marks_steps_in_the_repeat() -> None:
    steps = {step["n"]: step for step in _form("per_tool")["steps"]}
    assert steps["per_tool"]["k"] == "r"
    assert steps["times"]["in"] == "per_tool" and steps["times"]["ps"] == 1
    assert steps["times"]["req"] == [
        "eq",
        "=",
        ["call", "position", ["parent", None]],
        ["num", 1.0],
    ]
    assert "on" not in steps["tools"] and steps["tools"]["a"] == 1


def test_the_islands_cannot_close_their_script_element() -> None:
    hostile = {"age": "</script><script>alert(1)</script>", "tools": "chat"}
    data = live_data(LIVE, LIVE.page("per_tool"), hostile, MOMENT)
    assert "<" not in data and ">" not in data and "&" not in data
    assert json.loads(data)["answers"] == {"tools": "chat"}  # age: not read there


def test_the_data_island_holds_only_what_the_page_reads() -> None:
    # "last" reads age, and times in every instance (and used, its relevance).
    answers = {
        "age": "40",
        "tools": "chat other",
        "per_tool": [{"used": "yes", "times": "2"}, {"used": "no"}],
        "last": "x",
    }
    data = json.loads(live_data(LIVE, LIVE.page("last"), answers, MOMENT))
    assert data["answers"] == {
        "age": "40",
        "tools": "chat other",
        "per_tool": [{"used": "yes", "times": "2"}, {"used": "no"}],
    }
    assert (data["now"], data["today"]) == ("2026-03-14T09:30:00.000+00:00", "2026-03-14")
    # The page's own answers come from the page, not the island.
    page = json.loads(live_data(LIVE, LIVE.page("page"), answers, MOMENT))
    assert page["answers"] == {}


def test_a_page_of_notes_has_no_live_logic() -> None:
    md = "| survey |\n| | type | name | label |\n| | note | hi | Hi |\n| | text | t | T |"
    notes = parse_xlsform(md.encode(), filename="n.md").instrument
    assert not has_live_logic(notes, notes.page("hi"))
    assert has_live_logic(notes, notes.page("t"))


def test_a_live_page_keeps_what_is_not_relevant_hidden_and_disabled() -> None:
    state = evaluate_form(LIVE, {"age": "17"}, lang="fr")
    page = LIVE.page("page")
    html = str(
        question_blocks(
            lay_out_page(state, page, lang="fr", shown={"age": "17"}, live=True).blocks,
            "p",
            "fr",
        )
    )
    # "why" is not relevant at 17: on the page, hidden, its input disabled.
    why = re.search(r'<div class="field" data-field="why" hidden>.*?</div>', html, re.S)
    assert why is not None and " disabled" in why.group(0)
    assert "<span data-label>Pourquoi, à 17 ans ?</span>" in why.group(0)
    # The filter leaves "none" only; the other choices wait, hidden and disabled.
    assert re.search(
        r'<div class="choice" data-choice="dfa" hidden><input [^>]* disabled>', html
    )
    assert re.search(
        r'<div class="choice" data-choice="none"><input (?![^>]*disabled)[^>]*>', html
    )
    assert (
        '<option value="dfa" data-choice="dfa" disabled>' not in html
    )  # kind=city: offered
    plain = str(
        question_blocks(
            lay_out_page(state, page, lang="fr", shown={"age": "17"}).blocks, "p", "fr"
        )
    )
    assert 'data-field="why"' not in plain and "data-choice" not in plain


def test_every_function_is_in_the_browser_table_or_left_to_the_server() -> None:
    script = (ROOT / "sociaparis" / "web" / "static" / "xpath.js").read_text()
    table = script[script.index("export const FUNCTIONS = {") :]
    table = table[: table.index("\n};")]
    browser = set(re.findall(r'^  "([\w:-]+)":', table, re.M))
    assert browser | SERVER_ONLY == set(FUNCTIONS)
    assert not browser & SERVER_ONLY


TYPES = parse_xlsform(
    (ROOT / "tests" / "survey" / "forms" / "live_types.md").read_bytes(),
    filename="live_types.md",
).instrument


def test_times_places_and_ranks_are_live_files_are_not() -> None:
    assert has_live_logic(TYPES, TYPES.page("when"))
    assert has_live_logic(TYPES, TYPES.page("visits"))
    # A repeat inside a repeat too: the browser's engine knows nested repeats.
    assert has_live_logic(TYPES, TYPES.page("trips"))
    md = "| survey |\n| | type | name | label |\n| | image | photo | Photo |"
    files = parse_xlsform(md.encode(), filename="f.md").instrument
    assert not has_live_logic(files, files.page("photo"))


def test_the_island_of_new_types_carries_their_choices_and_messages() -> None:
    form = json.loads(live_form(TYPES, "when", "fr"))
    steps = {step["n"]: step for step in form["steps"]}
    assert steps["prefs"]["ch"] == ["a", "b", "c", "d"]
    assert steps["prefs"]["tm"] == (
        "Donnez à chaque réponse un rang différent, sans en laisser de côté."
    )
    assert steps["start"]["tm"] == (
        "Saisissez une heure au format HH:MM (par exemple 14:30)."
    )
    assert steps["event"]["tm"] == "Saisissez une date et une heure (AAAA-MM-JJ HH:MM)."
    # Times and places are stored in ODK's text, as numbers are: canonical.
    assert all(steps[name].get("num") == 1 for name in ("start", "event", "place"))
    assert "num" not in steps["prefs"]


def _minute(year: int, month: int, day: int, hour: int) -> int:
    since = datetime(year, month, day, hour) - datetime(1970, 1, 1)
    return int(since.total_seconds()) // 60


def test_the_data_island_gives_the_offsets_a_time_and_a_datetime_take() -> None:
    from zoneinfo import ZoneInfo

    paris = datetime(2026, 3, 14, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    data = json.loads(live_data(TYPES, TYPES.page("when"), {}, paris))
    assert data["offset"] == "+01:00"
    # Summer time from 03:00 on 29 March (02:00-02:59 read as winter time,
    # as Python's fold=0 reads them), winter time again from 03:00 on 25 October.
    assert [_minute(2026, 3, 29, 3), 120] in data["zone"]
    assert [_minute(2026, 10, 25, 3), 60] in data["zone"]
    fixed = json.loads(live_data(TYPES, TYPES.page("when"), {}, MOMENT))
    assert fixed["offset"] == "+00:00" and len(fixed["zone"]) == 1
    # A page whose steps hold no dateTime does not carry the zone.
    assert "zone" not in json.loads(live_data(TYPES, TYPES.page("visits"), {}, paris))


def test_a_live_geopoint_and_rank_have_their_hooks() -> None:
    state = evaluate_form(TYPES, {}, lang="fr", now=MOMENT)
    page = TYPES.page("when")
    view = lay_out_page(state, page, lang="fr", shown={}, live=True)
    html = str(question_blocks(view.blocks, "p", "fr"))
    place = r'<fieldset class="field parts" id="q-place"[^>]* data-field="place">'
    assert re.search(place, html)
    # "route" is not relevant without a latitude: hidden, its textarea disabled.
    route = re.search(
        r'<div class="field" data-field="route" hidden>.*?</div>', html, re.S
    )
    assert route is not None and re.search(r"<textarea [^>]* disabled ", route.group(0))
    assert re.search(r'<select id="q-prefs-1" name="prefs:1">', html)


def test_the_data_island_nests_the_answers_of_a_repeat_inside_a_repeat() -> None:
    answers = {
        "start": "07:00",
        "trips": [
            {"dest": "Lyon", "legs": [{"leg_at": "08:00", "leg_from": "1 2"}]},
            {"dest": "", "legs": []},
        ],
    }
    data = json.loads(live_data(TYPES, TYPES.page("remark"), answers, MOMENT))
    # remark counts the legs of every trip (legs' relevance reads dest, and
    # the server evaluates leg_at's steps, start included).
    assert data["answers"] == {
        "start": "07:00",
        "trips": [
            {"dest": "Lyon", "legs": [{"leg_at": "08:00", "leg_from": "1 2"}]},
            {"dest": "", "legs": []},
        ],
    }
    form = json.loads(live_form(TYPES, "trips", "fr"))
    steps = {step["n"]: step for step in form["steps"]}
    assert steps["legs"]["cn"] == ["trips"] and steps["legs"]["in"] == "trips"
    assert steps["leg_at"]["cn"] == ["trips", "legs"]
