"""The HTML of a page's questions: labels, ties to hints and errors, escaping."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from sociaparis.survey.fielding.layout import ChoiceView, LikertView, QuestionView
from sociaparis.web.i18n import translate
from sociaparis.web.questions import odk_markdown, question_blocks

HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
EVIL_CHOICE = ChoiceView(HOSTILE, HOSTILE, True)
YES_NO = (ChoiceView("yes", "Oui", True), ChoiceView("no", "Non", False))


def _html(*blocks, prefix: str = "p", lang: str = "fr") -> str:
    return str(question_blocks(blocks, prefix, lang))


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text of the document."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text += data

    def find(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        return [
            attrs
            for name, attrs in self.tags
            if name == tag and all(attrs.get(k) == v for k, v in wanted.items())
        ]


@pytest.mark.parametrize(
    ("view", "tag", "attrs"),
    [
        (
            QuestionView("hours", "hours", "integer", "Heures", value="3"),
            "input",
            {"inputmode": "numeric", "value": "3", "id": "q-hours"},
        ),
        (
            QuestionView("rate", "rate", "decimal", "Taux"),
            "input",
            {"inputmode": "decimal", "type": "text"},
        ),
        (
            QuestionView("when", "when", "date", "Date", value="2026-11-25"),
            "input",
            {"type": "date", "value": "2026-11-25"},
        ),
        (
            QuestionView("name", "name", "text", "Nom", value="Ada"),
            "input",
            {"type": "text", "value": "Ada", "maxlength": "10000"},
        ),
        (
            QuestionView("tool", "tool", "dropdown", "Outil", choices=YES_NO),
            "option",
            {"value": "yes", "selected": None},
        ),
        (
            QuestionView("use", "use", "radio", "Usage", choices=YES_NO, required=True),
            "fieldset",
            {"role": "radiogroup", "aria-required": "true", "id": "q-use"},
        ),
        (
            QuestionView("use", "use", "checkbox", "Usage", choices=YES_NO),
            "input",
            {"type": "checkbox", "id": "q-use-1", "checked": None, "name": "use"},
        ),
        (
            QuestionView("ok", "ok", "acknowledge", "J'accepte", value="OK"),
            "input",
            {"type": "checkbox", "value": "OK", "checked": None},
        ),
        (
            QuestionView("tool_name", "tool_name.2", "text", "Outil"),
            "input",
            {"id": "q-tool_name-2", "name": "tool_name.2"},
        ),
    ],
    ids=lambda v: v.widget if isinstance(v, QuestionView) else None,
)
def test_each_widget_has_its_input(view: QuestionView, tag: str, attrs: dict) -> None:
    elements = _Elements(_html(view))
    assert elements.find(tag, **attrs), _html(view)


@pytest.mark.parametrize(
    "widget", ["text", "textarea", "integer", "date", "dropdown", "acknowledge"]
)
def test_every_field_has_a_label_and_its_hint_and_error(widget: str) -> None:
    view = QuestionView(
        "q1", "q1", widget, "Question", hint="Aide", error="Erreur", choices=YES_NO
    )
    elements = _Elements(_html(view))
    [field] = [
        attrs
        for tag, attrs in elements.tags
        if tag in {"input", "select", "textarea"} and attrs.get("id") == "q-q1"
    ]
    assert field["aria-describedby"] == "q-q1-hint q-q1-error"
    assert elements.find("label", **{"for": "q-q1"})
    assert elements.find("p", id="q-q1-hint") and elements.find("p", id="q-q1-error")


def test_a_field_without_hint_or_error_is_described_by_nothing() -> None:
    elements = _Elements(_html(QuestionView("q1", "q1", "text", "Question")))
    [field] = elements.find("input", id="q-q1")
    assert "aria-describedby" not in field


def test_a_choice_group_is_a_fieldset_with_its_question_as_legend() -> None:
    html = _html(
        QuestionView("use", "use", "radio", "Usage **quotidien**", choices=YES_NO)
    )
    assert re.search(r"<fieldset[^>]*>\s*<legend>Usage <strong>quotidien</strong>", html)
    elements = _Elements(html)
    for number in (1, 2):
        assert elements.find("label", **{"for": f"q-use-{number}"})


def test_a_likert_run_is_a_table_labelled_by_row_and_column() -> None:
    items = tuple(
        QuestionView(name, name, "radio", name.title(), choices=YES_NO, error=error)
        for name, error in [("speed", ""), ("quality", "Obligatoire")]
    )
    scale = (("yes", "Oui"), ("no", "Non"))
    elements = _Elements(_html(LikertView(scale, items), prefix="i2"))
    assert [a["id"] for a in elements.find("th", scope="col")] == [
        "i2-likert-1-c1",
        "i2-likert-1-c2",
    ]
    assert elements.find("th", scope="row", id="q-quality-label")
    [cell] = elements.find("input", id="q-quality-2")
    assert cell["aria-labelledby"] == "q-quality-label i2-likert-1-c2"
    assert cell["aria-describedby"] == "q-quality-error"
    assert elements.find("tr", id="q-quality", **{"class": "has-error"})
    assert elements.find("input", id="q-speed-1", checked=None)


@pytest.mark.parametrize(
    "view",
    [
        QuestionView("q", "q", "text", HOSTILE),
        QuestionView("q", "q", "text", "Label", hint=HOSTILE),
        QuestionView("q", "q", "text", "Label", value=HOSTILE),
        QuestionView("q", "q", "textarea", "Label", value=HOSTILE),
        QuestionView("q", "q", "text", "Label", error=HOSTILE),
        QuestionView("q", "q", "note", HOSTILE, hint=HOSTILE),
        QuestionView("q", "q", "radio", "L", choices=(EVIL_CHOICE,)),
        QuestionView("q", "q", "dropdown", "L", choices=(EVIL_CHOICE,)),
        LikertView(((HOSTILE, HOSTILE),), (QuestionView("q", "q", "radio", HOSTILE),)),
    ],
    ids=[
        *("label", "hint", "value", "textarea", "error"),
        *("note", "radio", "select", "likert"),
    ],
)
def test_instrument_and_respondent_text_is_escaped(view) -> None:
    elements = _Elements(_html(view))
    assert not any(tag in {"script", "img"} for tag, _ in elements.tags)
    # Kept, as text or as an attribute's value: escaped, not dropped.
    values = [value for _, attrs in elements.tags for value in attrs.values()]
    assert HOSTILE in elements.text or HOSTILE in values


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("**gras** et *italique*", "<strong>gras</strong> et <em>italique</em>"),
        ("__gras__ et _italique_", "<strong>gras</strong> et <em>italique</em>"),
        ("snake_case_name", "snake_case_name"),
        ("ligne 1\nligne 2", "ligne 1<br>ligne 2"),
        ("<b>x</b> & y", "&lt;b&gt;x&lt;/b&gt; &amp; y"),
    ],
)
def test_labels_keep_the_markdown_odk_allows_and_nothing_else(text, html) -> None:
    assert str(odk_markdown(text)) == html


def test_fixed_texts_follow_the_language() -> None:
    view = QuestionView("q", "q", "dropdown", "L", required=True, choices=YES_NO)
    assert "Choose" in _html(view, lang="en") and "Choisissez" in _html(view, lang="fr")


def test_the_same_blocks_give_the_same_html_and_others_their_own() -> None:
    fresh = QuestionView("hours", "hours", "integer", "Heures", required=True)
    answered = QuestionView("hours", "hours", "integer", "Heures", "", "7", required=True)
    first = question_blocks([fresh], "p", "fr")
    assert question_blocks((fresh,), "p", "fr") is first  # kept, not written again
    assert 'value="7"' in question_blocks([answered], "p", "fr")
    assert 'value="7"' not in question_blocks([fresh], "p", "fr")
    english = question_blocks([fresh], "p", "en")
    assert english != first  # the required marker is in the page's language
    assert (
        english.replace(
            translate("required_marker", "en"), translate("required_marker", "fr")
        )
        == first
    )
