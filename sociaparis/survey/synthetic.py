"""Synthetic responses: plausible complete answers to any instrument.

:func:`synthetic_answers` walks the relevant pages with the form-logic engine,
as a respondent would, and answers every relevant question with a value of its
type that the engine accepts (choices offered after choice filters, numbers
within the bounds written in the constraint, ranges on their steps, dates in the
past ten years, French phrases for text, short ones for ``*_other`` texts);
when a constraint refuses a value it tries again (:data:`ATTEMPTS` times), then
leaves an optional question blank.
Optional questions are sometimes skipped (open text more often), repeats without
``repeat_count`` get 0 to 3 instances.

:func:`add_synthetic_responses` stores such responses as completed and flagged
``synthetic``, with the fielding's anonymity rules (anonymous: no invitation, no
times, dates only), drawing the recorded attributes (directorate, job category)
from population margins with a plausible non-response pattern.
"""

from __future__ import annotations

import math
import random
import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from sociaparis.core.errors import SociaparisError
from sociaparis.survey.checks import range_bounds
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.survey.fielding.service import (
    COMPLETED,
    Fielding,
    get_fielding,
    hash_token,
)
from sociaparis.survey.instrument import FILE_TYPES, Group, Instrument, Page, Question
from sociaparis.survey.logic import FormState, Index, evaluate_form, next_page
from sociaparis.survey.models import ResponseRecord
from sociaparis.survey.records import RECORD_ENGINE, export_record
from sociaparis.survey.service import latest_instrument
from sociaparis.survey.study.definition import PopulationMargins

#: Tries per question before an optional question is left blank.
ATTEMPTS = 8
#: Chance that an optional closed question is skipped, and an optional text.
SKIP_OPTIONAL = 0.05
SKIP_OPTIONAL_TEXT = 0.4
MAX_INSTANCES = 3

PHRASES = (
    "Je l'utilise surtout pour reformuler des courriers aux usagers.",
    "Cela me fait gagner du temps sur les comptes rendus de réunion.",
    "Les réponses sont parfois fausses, je vérifie toujours avant d'envoyer.",
    "Il faudrait une formation pratique, avec des exemples de notre métier.",
    "La Ville devrait fournir un outil sécurisé pour toutes les directions.",
    "Je ne sais pas si j'ai le droit de l'utiliser pour mon travail.",
    "Utile pour résumer de longs documents réglementaires.",
    "Mon équipe s'en sert pour préparer des notes de synthèse.",
    "Je crains que l'on nous demande de produire toujours plus vite.",
    "Un cadre clair sur les données que l'on peut saisir serait bienvenu.",
    "Pour traduire des messages destinés aux familles non francophones.",
    "Aide à structurer un plan avant de rédiger moi-même.",
    "Je préfère ne pas l'utiliser : le coût environnemental me gêne.",
    "Les collègues plus jeunes l'ont adopté bien avant nous.",
    "Associer les agents au choix des outils, pas seulement la DSIN.",
)
#: Short answers for "other, please specify" texts (questions named ``*_other``).
OTHER_PHRASES = (
    "Mistral Le Chat",
    "DeepL",
    "Perplexity",
    "Un outil développé par mon service",
    "Un assistant intégré à un logiciel métier",
    "Je ne sais pas exactement",
)
_NUMBER = re.compile(r"(?<![\w$])-?\d+(?:\.\d+)?")


def _constraint_bounds(question: Question) -> tuple[float, float]:
    """Bounds guessed from the numbers written in the constraint (0–100 if none)."""
    numbers = [float(n) for n in _NUMBER.findall(question.constraint)]
    if len(numbers) >= 2:
        return min(numbers), max(numbers)
    if len(numbers) == 1:
        low = numbers[0]
        return (low, low + 100) if ">" in question.constraint else (low - 100, low)
    return 0.0, 100.0


def _candidate(
    question: Question,
    state: FormState,
    index: int,
    rng: random.Random,
    attempt: int,
    attributes: Mapping[str, str],
    today: date,
) -> str:
    kind = question.type
    if kind in {"select_one", "select_multiple"}:
        offered = [choice.name for choice in state.offered(question.name, index)]
        if not offered:
            return ""
        if kind == "select_one":
            wanted = attributes.get(question.name)
            if wanted in offered and attempt == 0:
                return wanted
            return rng.choice(offered)
        size = rng.randint(1, min(3, len(offered)))
        picked = set(rng.sample(offered, size))
        return " ".join(name for name in offered if name in picked)
    if kind in {"integer", "decimal"}:
        low, high = _constraint_bounds(question) if attempt < ATTEMPTS // 2 else (0, 10)
        if kind == "integer":
            return str(rng.randint(math.ceil(low), max(math.ceil(low), math.floor(high))))
        return f"{rng.uniform(low, high):.1f}"
    if kind == "range":
        start, end, step = range_bounds(question)
        steps = max(0, int((end - start) / step)) if step else 0
        value = start + step * rng.randint(0, steps)
        return f"{value:g}"
    # Days of the last ten years first; then, for a constraint that refuses them,
    # days of the last year and days to come (". >= today()") in turn.
    span, ahead = 3650, -1
    if attempt >= ATTEMPTS // 2:
        span, ahead = (3650, 1) if attempt % 2 else (365, -1)
    if kind == "date":
        return (today + ahead * timedelta(days=rng.randint(0, span))).isoformat()
    if kind == "acknowledge":
        return "OK"
    if kind in FILE_TYPES:
        return ""  # a synthetic respondent sends no file
    if kind == "rank":
        offered = [choice.name for choice in state.offered(question.name, index)]
        rng.shuffle(offered)
        return " ".join(offered)
    if kind == "time":
        return f"{rng.randint(7, 19):02d}:{rng.choice((0, 15, 30, 45)):02d}"
    if kind == "dateTime":
        day = today + ahead * timedelta(days=rng.randint(0, min(span, 365)))
        return f"{day.isoformat()}T{rng.randint(7, 19):02d}:{rng.randint(0, 59):02d}"
    if kind in {"geopoint", "geotrace", "geoshape"}:
        return _place(kind, rng)
    if question.name.endswith("_other"):
        return rng.choice(OTHER_PHRASES)
    return rng.choice(PHRASES)


def _place(kind: str, rng: random.Random) -> str:
    """A point in Paris, or a line or a small triangle around one."""
    latitude, longitude = rng.uniform(48.82, 48.90), rng.uniform(2.25, 2.42)
    if kind == "geopoint":
        altitude, accuracy = rng.randint(30, 120), rng.randint(3, 20)
        return f"{latitude:.6f} {longitude:.6f} {altitude} {accuracy}"
    corners = [(latitude, longitude), (latitude + 0.002, longitude)]
    if kind == "geoshape":
        corners.append((latitude, longitude + 0.003))
    return ";".join(f"{lat:.6f} {lon:.6f}" for lat, lon in corners)


def _answer_question(
    instrument: Instrument,
    answers: dict[str, Any],
    page: Page,
    name: str,
    index: Index,
    rng: random.Random,
    attributes: Mapping[str, str],
    now: datetime,
) -> None:
    question = instrument.item(name)
    if not isinstance(question, Question) or not question.answerable:
        return
    state = evaluate_form(instrument, answers, now=now, page=page.name)
    if not state.is_relevant(name, index):
        return
    target = _target(instrument, answers, question, index)
    if not question.required:
        skip = SKIP_OPTIONAL_TEXT if question.type == "text" else SKIP_OPTIONAL
        if rng.random() < skip:
            return
    for attempt in range(ATTEMPTS):
        value = _candidate(question, state, index, rng, attempt, attributes, now.date())
        if value == "":
            break
        target[name] = value
        checked = evaluate_form(instrument, answers, now=now, page=page.name)
        errors = checked.errors([name])
        if not any(error.instance == (index or None) for error in errors):
            return
    target.pop(name, None)


def _target(
    instrument: Instrument, answers: dict[str, Any], question: Question, index: Index
) -> dict[str, Any]:
    """The answers object holding ``question`` in instance ``index``."""
    if index == 0:
        return answers
    chain = [g.name for g in reversed(instrument.ancestors(question.name))]
    chain = [name for name in chain if instrument.item(name).kind == "repeat"]  # type: ignore[union-attr]
    numbers = (index,) if isinstance(index, int) else index
    level: dict[str, Any] = answers
    for repeat, number in zip(chain, numbers, strict=True):
        level = level[repeat][number - 1]
    return level


def _answer_instances(
    instrument: Instrument,
    answers: dict[str, Any],
    page: Page,
    holder: dict[str, Any],
    repeat: str,
    parent: tuple[int, ...],
    context: tuple[random.Random, dict[str, str], datetime],
) -> None:
    """Answer the instances of ``repeat`` held in ``holder`` (its parent
    instance's answers, or the whole answers at the top), level by level."""
    rng, known, moment = context
    group = instrument.item(repeat)
    if isinstance(group, Group) and not group.repeat_count:
        holder[repeat] = [{} for _ in range(rng.randint(0, MAX_INSTANCES))]
    state = evaluate_form(instrument, answers, now=moment, page=page.name)
    where: Index = 0 if not parent else (parent[0] if len(parent) == 1 else parent)
    count = state.instances(repeat, where)
    rows = list(holder.get(repeat, []))[:count]
    rows.extend({} for _ in range(count - len(rows)))
    holder[repeat] = rows
    for number in range(1, count + 1):
        numbers = (*parent, number)
        index: Index = numbers[0] if len(numbers) == 1 else numbers
        for item in instrument.level(repeat):
            if isinstance(item, Question):
                _answer_question(
                    instrument, answers, page, item.name, index, rng, known, moment
                )
                continue
            state = evaluate_form(instrument, answers, now=moment, page=page.name)
            if state.is_relevant(item.name, index):
                _answer_instances(
                    instrument,
                    answers,
                    page,
                    rows[number - 1],
                    item.name,
                    numbers,
                    context,
                )
            else:
                rows[number - 1].pop(item.name, None)


def synthetic_answers(
    instrument: Instrument,
    *,
    rng: random.Random,
    attributes: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A plausible complete set of answers to ``instrument``.

    Parameters
    ----------
    instrument
        Any supported questionnaire.
    rng
        The random source (``random.Random(seed)`` for reproducible answers).
    attributes
        Known facts about the respondent: a ``select_one`` with the same name is
        answered with this value when the form offers it (so that a synthetic
        respondent from directorate ``dase`` says so).
    now
        The moment ``today()`` and ``now()`` see (default: now).

    Returns
    -------
    dict
        Answers in the engine's layout (question name to string; a repeat as a
        list of dicts), only for questions that are relevant given the others.
    """
    moment = now or datetime.now().astimezone()
    known = dict(attributes or {})
    answers: dict[str, Any] = {}
    page_name = next_page(instrument, answers, None, now=moment)
    while page_name is not None:
        page = instrument.page(page_name)
        if page is None:  # pragma: no cover - next_page only names pages
            break
        if page.kind == "repeat":
            _answer_instances(
                instrument, answers, page, answers, page.name, (), (rng, known, moment)
            )
        else:
            for name in page.questions:
                _answer_question(instrument, answers, page, name, 0, rng, known, moment)
        page_name = next_page(instrument, answers, page_name, now=moment)
    return stored_answers(instrument, answers, now=moment)


def stored_answers(
    instrument: Instrument, answers: Mapping[str, Any], *, now: datetime | None = None
) -> dict[str, Any]:
    """What fielding stores for ``answers``: relevant displayed questions, no notes.

    Calculations are not stored (the engine computes them again); defaults of
    relevant questions are, as the pages save them.
    """
    record = evaluate_form(instrument, answers, now=now).record()

    def keep(name: str) -> bool:
        item = instrument.item(name)
        return isinstance(item, Question) and item.displayed and item.type != "note"

    def kept(level: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in level.items():
            if isinstance(value, list):
                out[name] = [kept(row) for row in value]
            elif keep(name):
                out[name] = value
        return out

    return kept(record)


# -- storing ---------------------------------------------------------------------------


def _cells(
    attribute_cells: PopulationMargins | Sequence[tuple[Mapping[str, str], int]],
) -> list[tuple[dict[str, str], int]]:
    if isinstance(attribute_cells, PopulationMargins):
        return [
            (dict(zip(attribute_cells.dimensions, cell.levels, strict=True)), cell.count)
            for cell in attribute_cells.cells
        ]
    return [(dict(levels), int(count)) for levels, count in attribute_cells]


def response_propensities(
    cells: Sequence[tuple[Mapping[str, str], int]], rng: random.Random
) -> list[float]:
    """Chance of drawing each cell: its count times a response propensity.

    The propensity falls along the levels of the last dimension in their order
    of appearance (the first level answers 2.4 times as often as the third, as
    category A staff answer more than category C in staff surveys) and varies by
    the first dimension's levels (a log-normal factor, sigma 0.3, drawn once).
    """
    if not cells:
        return []
    keys = list(cells[0][0])
    last = keys[-1] if keys else None
    order: dict[str, int] = {}
    first_factor: dict[str, float] = {}
    for levels, _ in cells:
        if last is not None:
            order.setdefault(levels[last], len(order))
        if keys:
            first_factor.setdefault(levels[keys[0]], math.exp(rng.gauss(0.0, 0.3)))
    weights = []
    for levels, count in cells:
        propensity = 1.0
        if last is not None:
            propensity *= 1.0 / (1.0 + 0.7 * order[levels[last]])
        if keys:
            propensity *= first_factor[levels[keys[0]]]
        weights.append(max(count, 0) * propensity)
    return weights


def add_synthetic_responses(
    *,
    session: Session,
    form_id: str,
    count: int,
    seed: int,
    attribute_cells: PopulationMargins
    | Sequence[tuple[Mapping[str, str], int]]
    | None = None,
    today: date | None = None,
) -> list[str]:
    """Store ``count`` completed synthetic responses to the newest version of a form.

    Parameters
    ----------
    session
        Open session; nothing is committed.
    form_id
        A stored and fielded form (``FIELD_001`` when it is not fielded).
    count
        How many responses (0 or more).
    seed
        Seed of the answers, attributes and dates (ids are random).
    attribute_cells
        Population margins (or ``(levels, count)`` pairs) to draw each
        respondent's attributes from, with :func:`response_propensities`; only
        the attributes the fielding records are stored.
    today
        Last possible response date (default: today).

    Returns
    -------
    list of str
        The new response ids.
    """
    if count < 0:
        raise ValueError(f"count must be 0 or more, not {count}")
    stored = latest_instrument(session=session, form_id=form_id)
    fielding: Fielding = get_fielding(session=session, form_id=form_id)
    rng = random.Random(seed)
    last = today or datetime.now(UTC).date()
    first = fielding.opens_on if fielding.opens_on and fielding.opens_on <= last else None
    first = first or last - timedelta(days=30)
    if fielding.closes_on is not None and fielding.closes_on < last:
        last = fielding.closes_on
    if first > last:
        raise SociaparisError(FieldingError.CLOSED, closes=last)
    cells = _cells(attribute_cells) if attribute_cells is not None else []
    weights = response_propensities(cells, rng)
    span = (last - first).days
    ids: list[str] = []
    for _ in range(count):
        drawn = rng.choices(cells, weights=weights)[0][0] if cells else {}
        started = first + timedelta(days=rng.randint(0, span))
        completed = min(last, started + timedelta(days=rng.choice([0, 0, 0, 1, 2])))
        moment = datetime.combine(
            completed, time(rng.randint(8, 18), rng.randint(0, 59)), UTC
        )
        answers = synthetic_answers(
            stored.instrument, rng=rng, attributes=drawn, now=moment
        )
        recorded = {
            key: value
            for key, value in drawn.items()
            if key in fielding.recorded_attributes
        }
        response = ResponseRecord(
            id=uuid.uuid4().hex,
            instrument_id=stored.id,
            invitation_id=None,
            resume_token_hash=hash_token(secrets.token_urlsafe(32)),
            status=COMPLETED,
            answers=answers,
            current_page=None,
            attributes=recorded,
            revision=len(stored.instrument.pages()),
            synthetic=True,
            started_on=started,
            completed_on=completed,
            started_at=None
            if fielding.anonymous
            else min(
                datetime.combine(started, time(rng.randint(8, 18)), UTC),
                moment - timedelta(minutes=rng.randint(5, 40)),
            ),
            updated_at=None if fielding.anonymous else moment,
        )
        response.record = export_record(
            stored.instrument,
            answers,
            started_on=started,
            completed_on=completed,
            updated_at=response.updated_at,
        )
        response.record_engine = RECORD_ENGINE
        session.add(response)
        ids.append(response.id)
    session.flush()
    return ids


def add_given_synthetic_responses(
    *,
    session: Session,
    form_id: str,
    answers: Sequence[Mapping[str, Any]],
    today: date | None = None,
    seed: int = 0,
) -> list[str]:
    """Store one completed synthetic response per item of ``answers``, with those
    answers (kept as fielding keeps them: :func:`stored_answers`) instead of drawn
    ones; dates and metadata as :func:`add_synthetic_responses` draws them.

    Returns
    -------
    list of str
        The new response ids, in the order of ``answers``.
    """
    ids = add_synthetic_responses(
        session=session, form_id=form_id, count=len(answers), seed=seed, today=today
    )
    instrument = latest_instrument(session=session, form_id=form_id).instrument
    for response_id, given in zip(ids, answers, strict=True):
        response = session.get(ResponseRecord, response_id)
        if response is None:  # pragma: no cover - flushed just above
            continue
        moment = datetime.combine(response.completed_on or date.today(), time(12), UTC)
        kept = stored_answers(instrument, given, now=moment)
        response.answers = kept
        response.record = export_record(
            instrument,
            kept,
            started_on=response.started_on,
            completed_on=response.completed_on,
            updated_at=response.updated_at,
        )
        response.record_engine = RECORD_ENGINE
    session.flush()
    return ids
