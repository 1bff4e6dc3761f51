"""The HTML of a page's questions, written from the layout's view model.

Every questionnaire page shows tens of inputs; as Jinja macros they were the
largest part of a page's CPU. Here each widget is one small function, and every
value that comes from the instrument or the respondent goes through
:func:`markupsafe.escape` (labels and hints through :func:`odk_markdown`, which
escapes first).

Accessibility rules the markup keeps (checked by axe-core in the browser tests):
every input has a label; choice groups are a ``fieldset`` with a ``legend``;
hints and errors are tied to their field with ``aria-describedby``; a Likert run
or a table-list is one table whose radio buttons (check boxes for
``select_multiple`` rows) are labelled by their row and column headers.

A browser sends nothing for a checkbox left unticked, which the engine would
read as "not answered" and fill with the question's ``default``: every
``select_multiple`` also sends an empty hidden field of its name, so that
unticking every box is an empty answer.
On a narrow screen the stylesheet turns each row into a block and shows, beside
each radio button, its column label (a ``label`` in the cell, hidden from
assistive technology since the headers already name the button, and from wide
screens where the column header is above it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markupsafe import Markup, escape

from sociaparis.core.caches import memoized
from sociaparis.survey.checks import MAX_ANSWER_LENGTH
from sociaparis.survey.fielding.layout import (
    Block,
    ChoiceView,
    InstanceView,
    LikertView,
    QuestionView,
)
from sociaparis.survey.fielding.submission import GEOPOINT_PARTS, part_name
from sociaparis.web.i18n import translate

_TEXT_LIMIT = MAX_ANSWER_LENGTH  # the maxlength of text inputs


_STRONG = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_EMPHASIS = re.compile(
    r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])|(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)"
)


@memoized(maxsize=4096)  # labels repeat from respondent to respondent
def odk_markdown(text: str) -> Markup:
    """Render the markdown subset ODK allows in labels, after escaping all HTML.

    >>> str(odk_markdown("**Bold** and *em* <script>"))
    '<strong>Bold</strong> and <em>em</em> &lt;script&gt;'
    """
    html = str(escape(text))
    html = _STRONG.sub(lambda m: f"<strong>{m.group(1) or m.group(2)}</strong>", html)
    html = _EMPHASIS.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", html)
    return Markup(html.replace("\n", "<br>"))


def question_blocks(blocks: Sequence[Block], prefix: str, lang: str) -> Markup:
    """The HTML of ``blocks``: questions, and Likert runs as tables.

    Parameters
    ----------
    blocks
        The blocks of a page or of one repeat instance.
    prefix
        Makes the Likert tables' ids unique on the page (``p``, ``i1``...).
    lang
        Language of the fixed texts (required marker, error prefix...).
    """
    return _question_blocks(tuple(blocks), prefix, lang)


# Most page views are a page seen for the first time, the same for every
# respondent on the same path: its HTML is kept (blocks are immutable and
# hashable; comparing them costs a sixth of writing the HTML). Like the views
# the pages keep between requests, this lives in the process's memory only.
@memoized(maxsize=256)
def _question_blocks(blocks: tuple[Block, ...], prefix: str, lang: str) -> Markup:
    parts: list[str] = []
    for index, block in enumerate(blocks, start=1):
        if isinstance(block, LikertView):
            parts.append(_likert(block, f"{prefix}-likert-{index}", lang))
        else:
            parts.append(_question(block, lang))
    return Markup("\n".join(parts))


def nested_repeats(instance: InstanceView, lang: str) -> Markup:
    """The repeats inside a repeat instance: a fieldset each, holding its
    instances (their questions, the repeats inside them, a "remove" button)
    and an "add" button, and the hidden count of instances the page shows.

    The buttons name what they act on (``add:job:2``: a job in instance 2;
    ``remove:job:2.1``), so no JavaScript is needed.
    """
    add, remove = translate("add_instance", lang), translate("remove_instance", lang)
    number_text = translate("instance_n", lang)
    parts: list[str] = []
    for repeat in instance.nested:
        title = escape(repeat.title)
        parts.append(
            '<fieldset class="repeat-instance nested-repeat">\n'
            f"<legend>{title}</legend>\n"
            f'<input type="hidden" name="{escape(repeat.count_field)}" '
            f'value="{len(repeat.instances)}">'
        )
        for inner in repeat.instances:
            which = f"{title} {escape(number_text.format(n=inner.number))}"
            parts.append(
                f'<fieldset class="repeat-instance" '
                f'id="instance-{escape(repeat.name)}-{escape(inner.suffix)}">\n'
                f"<legend>{which}</legend>\n"
                f"{question_blocks(inner.blocks, f'i{inner.suffix}', lang)}\n"
                f"{nested_repeats(inner, lang) if inner.nested else ''}"
            )
            if repeat.can_add:
                parts.append(
                    f'<button type="submit" name="_action" '
                    f'value="remove:{escape(repeat.name)}:{escape(inner.suffix)}" '
                    f'class="button button-secondary">{escape(remove)} ({which})</button>'
                )
            parts.append("</fieldset>")
        if repeat.can_add:
            parts.append(
                f'<p><button type="submit" name="_action" '
                f'value="add:{escape(repeat.name)}:{escape(repeat.parent)}" '
                f'class="button button-secondary">{escape(add)} ({title})</button></p>'
            )
        parts.append("</fieldset>")
    return Markup("\n".join(parts))


def _described_by(q: QuestionView) -> str:
    ids = [f"{q.dom_id}-hint"] if q.hint else []
    if q.error:
        ids.append(f"{q.dom_id}-error")
    return f' aria-describedby="{escape(" ".join(ids))}"' if ids else ""


def _required(q: QuestionView, lang: str) -> str:
    if not q.required:
        return ""
    return f' <span class="required">{escape(translate("required_marker", lang))}</span>'


def _aria_required(q: QuestionView) -> str:
    return ' aria-required="true"' if q.required else ""


def _hint_and_error(q: QuestionView, lang: str) -> str:
    out = ""
    if q.hint:
        live = " data-hint" if q.live_hint else ""
        out += (
            f'<p class="hint" id="{escape(q.dom_id)}-hint"{live}>'
            f"{odk_markdown(q.hint)}</p>"
        )
    if q.error:
        out += (
            f'<p class="field-error" id="{escape(q.dom_id)}-error">'
            f'<span class="sr-only">{escape(translate("error_title", lang))} : </span>'
            f"{escape(q.error)}</p>"
        )
    return out


def _live(q: QuestionView) -> str:
    """The block's field name for live logic, and ``hidden`` if not relevant."""
    return f' data-field="{escape(q.field)}"' + ("" if q.relevant else " hidden")


def _off(q: QuestionView) -> str:
    """Inputs of a question that is not relevant are disabled: not sent."""
    return "" if q.relevant else " disabled"


def _label(q: QuestionView) -> str:
    label = odk_markdown(q.label)
    return f"<span data-label>{label}</span>" if q.live_label else str(label)


def _question(q: QuestionView, lang: str) -> str:
    dom_id = escape(q.dom_id)
    if q.widget == "note":
        hint = f'<p class="hint">{odk_markdown(q.hint)}</p>' if q.hint else ""
        return (
            f'<div class="note field" id="{dom_id}"{_live(q)}>'
            f"<p>{_label(q)}</p>{hint}</div>"
        )
    error_class = " has-error" if q.error else ""
    if q.widget in ("radio", "checkbox"):
        return _choice_group(q, lang, dom_id, error_class)
    if q.widget == "file":
        return _file_field(q, lang, dom_id, error_class)
    if q.widget == "geopoint":
        return _geopoint(q, lang, dom_id, error_class)
    if q.widget == "rank":
        return _rank(q, lang, dom_id, error_class)
    label = f"{_label(q)}{_required(q, lang)}"
    if q.widget == "acknowledge":
        checked = " checked" if q.value == "OK" else ""
        return (
            f'<div class="field{error_class}"{_live(q)}>\n{_hint_and_error(q, lang)}\n'
            f'<div class="choice">\n'
            f'<input type="checkbox" id="{dom_id}" name="{escape(q.field)}" value="OK"'
            f"{checked}{_described_by(q)}{_aria_required(q)}{_off(q)}>\n"
            f'<label for="{dom_id}">{label}</label>\n</div>\n</div>'
        )
    return (
        f'<div class="field{error_class}"{_live(q)}>\n'
        f'<label class="question-label" for="{dom_id}">{label}</label>\n'
        f"{_hint_and_error(q, lang)}\n{_input(q, lang, dom_id)}\n</div>"
    )


def _choice_group(q: QuestionView, lang: str, dom_id: str, error_class: str) -> str:
    role = ""
    if q.widget == "radio":
        role = f' role="radiogroup"{_aria_required(q)}'
    name = escape(q.field)
    off = _off(q)
    choices = "\n".join(
        f'<div class="choice"{_choice_live(c)}><input type="{q.widget}" '
        f'id="{dom_id}-{number}" name="{name}" value="{escape(c.value)}"'
        f"{' checked' if c.selected else ''}{off if c.offered else ' disabled'}>"
        f'<label for="{dom_id}-{number}">{escape(c.label)}</label></div>'
        for number, c in enumerate(q.choices, start=1)
    )
    unticked = _sent_when_unticked(q) if q.widget == "checkbox" else ""
    return (
        f'<fieldset class="field{error_class}" id="{dom_id}"{_described_by(q)}{role}'
        f"{_live(q)}>\n"
        f"<legend>{_label(q)}{_required(q, lang)}</legend>\n"
        f"{_hint_and_error(q, lang)}\n{unticked}{choices}\n</fieldset>"
    )


def _file_field(q: QuestionView, lang: str, dom_id: str, error_class: str) -> str:
    """A file input; a file already stored is named, kept unless replaced or removed.

    The stored name travels in a hidden field (``_file:FIELD``), which the
    server only believes if it names a file of this very response.
    """
    field = escape(q.field)
    described = _described_by(q)
    current = ""
    if q.value:
        text = translate("file_current", lang).format(name=q.value)
        current = (
            f'<input type="hidden" name="_file:{field}" value="{escape(q.value)}">\n'
            f'<p class="file-current" id="{dom_id}-current">{escape(text)} '
            f"{escape(translate('file_replace', lang))}</p>\n"
            f'<div class="choice"><input type="checkbox" id="{dom_id}-remove" '
            f'name="_remove:{field}" value="1">'
            f'<label for="{dom_id}-remove">{escape(translate("file_remove", lang))}'
            "</label></div>\n"
        )
        ids = f"{dom_id}-current"
        described = (
            described[:-1] + f' {ids}"' if described else f' aria-describedby="{ids}"'
        )
    accept = f' accept="{escape(q.accept)}"' if q.accept else ""
    capture = f' capture="{escape(q.capture)}"' if q.capture else ""
    label = f"{odk_markdown(q.label)}{_required(q, lang)}"
    return (
        f'<div class="field{error_class}">\n'
        f'<label class="question-label" for="{dom_id}">{label}</label>\n'
        f"{_hint_and_error(q, lang)}\n{current}"
        f'<input type="file" id="{dom_id}" name="{field}"{accept}{capture}'
        f"{described}{_aria_required(q)}>\n</div>"
    )


def _fieldset(q: QuestionView, lang: str, dom_id: str, error_class: str) -> str:
    """The opening of a question answered in several inputs, with its legend."""
    return (
        f'<fieldset class="field parts{error_class}" id="{dom_id}"'
        f"{_described_by(q)}{_live(q)}>\n"
        f"<legend>{odk_markdown(q.label)}{_required(q, lang)}</legend>\n"
        f"{_hint_and_error(q, lang)}\n"
    )


def _geopoint(q: QuestionView, lang: str, dom_id: str, error_class: str) -> str:
    """Latitude and longitude (and, optionally, altitude and accuracy) inputs."""
    inputs = []
    for part, shown in zip(GEOPOINT_PARTS, q.parts or ("",) * 4, strict=True):
        required = _aria_required(q) if part in {"lat", "lon"} else ""
        inputs.append(
            f'<div class="part"><label for="{dom_id}-{part}">'
            f"{escape(translate(_PART_LABELS[part], lang))}</label>"
            f'<input type="text" inputmode="decimal" id="{dom_id}-{part}" '
            f'name="{escape(part_name(q.field, part))}" value="{escape(shown)}" '
            f'size="12" autocomplete="off"{required}{_off(q)}></div>'
        )
    return _fieldset(q, lang, dom_id, error_class) + "\n".join(inputs) + "\n</fieldset>"


_PART_LABELS = {
    "lat": "latitude",
    "lon": "longitude",
    "alt": "altitude",
    "acc": "accuracy",
}


def _rank(q: QuestionView, lang: str, dom_id: str, error_class: str) -> str:
    """One list per rank, each offering every choice: no JavaScript needed."""
    choose = escape(translate("choose", lang))
    selects = []
    for position in range(1, len(q.choices) + 1):
        current = q.parts[position - 1] if position <= len(q.parts) else ""
        options = "".join(
            f'<option value="{escape(c.value)}"'
            f"{' selected' if c.value == current else ''}>{escape(c.label)}</option>"
            for c in q.choices
        )
        label = translate("rank_position", lang).format(position=position)
        selects.append(
            f'<div class="part"><label for="{dom_id}-{position}">{escape(label)}'
            f'</label><select id="{dom_id}-{position}" '
            f'name="{escape(part_name(q.field, str(position)))}"{_aria_required(q)}'
            f"{_off(q)}>"
            f'<option value="">{choose}</option>{options}</select></div>'
        )
    return _fieldset(q, lang, dom_id, error_class) + "\n".join(selects) + "\n</fieldset>"


def _choice_live(choice: ChoiceView) -> str:
    """A choice of a filtered list is marked for live logic; hidden if filtered out."""
    if choice.offered and not choice.filtered:
        return ""
    return f' data-choice="{escape(choice.value)}"' + (
        "" if choice.offered else " hidden"
    )


def _sent_when_unticked(q: QuestionView) -> str:
    return f'<input type="hidden" name="{escape(q.field)}" value=""{_off(q)}>'


def _input(q: QuestionView, lang: str, dom_id: str) -> str:
    common = (
        f'id="{dom_id}" name="{escape(q.field)}"{_described_by(q)}{_aria_required(q)}'
        f"{_off(q)}"
    )
    value = escape(q.value)
    if q.widget == "dropdown":
        options = "".join(
            f'<option value="{escape(c.value)}"{" selected" if c.selected else ""}'
            f"{_choice_live(c)}{'' if c.offered else ' disabled'}>"
            f"{escape(c.label)}</option>"
            for c in q.choices
        )
        choose = escape(translate("choose", lang))
        return f'<select {common}>\n<option value="">{choose}</option>{options}</select>'
    if q.widget == "textarea":
        return f'<textarea {common} rows="5" maxlength="{_TEXT_LIMIT}">{value}</textarea>'
    if q.widget == "date":
        return f'<input type="date" {common} value="{value}">'
    if q.widget == "time":
        return f'<input type="time" {common} value="{value}" autocomplete="off">'
    if q.widget == "datetime":
        return (
            f'<input type="datetime-local" {common} value="{value}" autocomplete="off">'
        )
    if q.widget == "geotrace":
        ids = [f"{q.dom_id}-format"]
        ids += [f"{q.dom_id}-hint"] if q.hint else []
        ids += [f"{q.dom_id}-error"] if q.error else []
        return (
            f'<p class="hint" id="{dom_id}-format">'
            f"{escape(translate('geotrace_format', lang))}</p>\n"
            f'<textarea id="{dom_id}" name="{escape(q.field)}" '
            f'aria-describedby="{escape(" ".join(ids))}"{_aria_required(q)}{_off(q)} '
            f'rows="5" maxlength="{_TEXT_LIMIT}">{value}</textarea>'
        )
    if q.widget in ("integer", "decimal", "number_range"):
        mode = "numeric" if q.widget == "integer" else "decimal"
        return (
            f'<input type="text" inputmode="{mode}" {common} value="{value}" '
            'size="10" autocomplete="off">'
        )
    return (
        f'<input type="text" {common} value="{value}" maxlength="{_TEXT_LIMIT}" '
        'autocomplete="off">'
    )


def _likert(block: LikertView, table_id: str, lang: str) -> str:
    headers = "".join(
        f'<th scope="col" id="{table_id}-c{number}">{escape(label)}</th>'
        for number, (_value, label) in enumerate(block.scale, start=1)
    )
    rows = "\n".join(_likert_row(q, table_id, lang) for q in block.items)
    caption = ""
    if block.caption:
        caption = f"<caption>{odk_markdown(block.caption)}</caption>\n"
    return (
        f'<div class="likert-wrapper field">\n<table class="likert" id="{table_id}">\n'
        f"{caption}<thead>\n<tr><td></td>{headers}</tr>\n</thead>\n"
        f"<tbody>\n{rows}\n</tbody>\n</table>\n</div>"
    )


def _likert_row(q: QuestionView, table_id: str, lang: str) -> str:
    dom_id = escape(q.dom_id)
    hint = (
        f'<span class="hint" id="{dom_id}-hint">{odk_markdown(q.hint)}</span>'
        if q.hint
        else ""
    )
    error = (
        f'<span class="field-error" id="{dom_id}-error">{escape(q.error)}</span>'
        if q.error
        else ""
    )
    described_by = _described_by(q)
    name = escape(q.field)
    kind = "checkbox" if q.widget == "checkbox" else "radio"
    unticked = _sent_when_unticked(q) if kind == "checkbox" else ""
    cells = "".join(
        f'<td><input type="{kind}" name="{name}" value="{escape(c.value)}" '
        f'id="{dom_id}-{number}" '
        f'aria-labelledby="{dom_id}-label {table_id}-c{number}"{described_by}'
        f"{' checked' if c.selected else ''}{_off(q)}>"
        f'<label class="likert-choice" for="{dom_id}-{number}" aria-hidden="true">'
        f"{escape(c.label)}</label></td>"
        for number, c in enumerate(q.choices, start=1)
    )
    error_class = ' class="has-error"' if q.error else ""
    return (
        f'<tr{error_class} id="{dom_id}"{_live(q)}>\n'
        f'<th scope="row" id="{dom_id}-label">{_label(q)}'
        f"{_required(q, lang)}{hint}{error}{unticked}</th>\n{cells}\n</tr>"
    )
