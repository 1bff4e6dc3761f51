"""Rendering a template: the same page as Jinja's own render, errors as Jinja's."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest
from jinja2 import TemplateSyntaxError, UndefinedError

from sociaparis.web.i18n import translate
from sociaparis.web.render import make_environment, render_template


@pytest.mark.parametrize(
    ("template", "variables"),
    [
        ("error.html", {"lang": "fr", "message": "<b>non</b>", "message_key": None}),
        ("error.html", {"lang": "en", "message": None, "message_key": "not_found"}),
        (
            "survey/done.html",
            {"lang": "fr", "title": "Enquête « IA »", "switch_url": "/r/x/done?lang=en"},
        ),
    ],
)
def test_a_page_is_what_jinja_renders(template: str, variables: dict) -> None:
    env = make_environment()
    lang = variables["lang"]
    expected = env.get_template(template).render(
        t=lambda key: translate(key, lang), **variables
    )
    assert (
        render_template(
            env, template, {"t": lambda key: translate(key, lang), **variables}
        )
        == expected
    )
    assert "<b>" not in expected  # what the respondent sent stays escaped


def test_the_globals_are_there(tmp_path: Path) -> None:
    (tmp_path / "globals.html").write_text(
        "{{ translate('next', 'en') }}|{{ range(3)|list }}"
    )
    env = make_environment(tmp_path)
    assert render_template(env, "globals.html", {}) == "Next|[0, 1, 2]"


def test_an_error_names_the_template_line(tmp_path: Path) -> None:
    (tmp_path / "broken.html").write_text("line one\n{{ missing.attribute }}\n")
    (tmp_path / "unclosed.html").write_text("{% if x %}\n")
    env = make_environment(tmp_path)
    with pytest.raises(UndefinedError) as raised:
        render_template(env, "broken.html", {})
    assert any(
        frame.filename.endswith("broken.html") and frame.lineno == 2
        for frame in traceback.extract_tb(raised.value.__traceback__)
    )
    with pytest.raises(TemplateSyntaxError):
        render_template(env, "unclosed.html", {})
