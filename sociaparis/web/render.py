"""One way to answer a page: the whole page, an htmx fragment, or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from sociaparis.web.i18n import error_text, person_name, translate
from sociaparis.web.questions import nested_repeats, question_blocks

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def make_environment(user_templates: Path | None = None) -> Environment:
    """Build the Jinja environment; a user template folder overrides built-ins."""
    loaders = [FileSystemLoader(str(TEMPLATES_DIR))]
    if user_templates is not None:
        loaders.insert(0, FileSystemLoader(str(user_templates)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals["translate"] = translate
    env.globals["question_blocks"] = question_blocks
    env.globals["nested_repeats"] = nested_repeats
    return env


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    fragment: str | None = None,
    headers: dict[str, str] | None = None,
    json_twin: bool = True,
) -> Response:
    """Render ``template`` (or ``fragment`` for an htmx request) with ``context``.

    With ``json_twin``, a path ending in ``.json`` gets the same context as JSON,
    minus private keys (those starting with an underscore). The respondent pages
    have no JSON twin: their paths end with a page name, which may end in
    ``.json``.
    """
    if json_twin and request.url.path.endswith(".json"):
        public = {k: v for k, v in context.items() if not k.startswith("_")}
        return JSONResponse(public, status_code=status_code, headers=headers)
    name = fragment if fragment and request.headers.get("hx-request") else template
    env: Environment = request.app.state.templates
    lang = context.get("lang", "fr")
    helpers = {
        "request": request,
        "t": lambda key: translate(key, lang),
        "person": lambda username: person_name(username, lang),
        "error_text": lambda error: error_text(error, lang),
    }
    html = render_template(env, name, {**helpers, **context})
    return HTMLResponse(html, status_code=status_code, headers=headers)


def render_template(env: Environment, name: str, variables: dict[str, Any]) -> str:
    """What ``env.get_template(name).render(variables)`` returns, made cheaper.

    Jinja copies its globals into every render's context through a ChainMap,
    which costs more than rendering a small page; here they are copied from the
    plain dict, and the context shares ``variables`` (which it may change).
    """
    loaded = env.get_template(name)
    context = loaded.new_context({**env.globals, **variables}, shared=True)
    try:
        return env.concat(loaded.root_render_func(context))  # type: ignore[attr-defined]
    except Exception:
        return env.handle_exception()
