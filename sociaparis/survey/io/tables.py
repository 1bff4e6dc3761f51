"""Export tables: one row per response, one table per repeat, typed columns.

Columns are named as ODK/KoboToolbox exports name them: the group path of the
question (``use/tools_used``); a ``select_multiple`` is one column of
space-separated choice codes plus a 0/1 column per choice
(``use/tools_used/general_pro``), empty when the question has no answer (not
relevant, or skipped); the text of an ``or_other`` choice is its own question
(``…/tool_tasks_other``). Calculations are included, notes are not. A repeat is a
table of its own, one row per instance, linked to the response by ``_parent_id``
(the response ``_id``) and numbered by ``_index`` (1, 2, …).

The input is columnar (:class:`ResponseBatch`: one sequence per question), so
that building the table is a handful of vectorised pandas operations per column;
:func:`batch_from_records` turns engine records
(:meth:`~sociaparis.survey.logic.FormState.record`) into a batch.

Values are typed: integers (nullable ``Int64``), decimals (``float64``), dates
(``datetime.date``), dateTimes (UTC timestamps, like the meta times), times
(``datetime.time``, the wall-clock time answered), geopoints as ODK's text
plus four decimal columns (``…-Latitude``, ``-Longitude``, ``-Altitude``,
``-Accuracy``, as ODK Central names them), select codes as strings (labels are
metadata on the :class:`Variable`), 0/1 flags (``Int64``). A calculation is
numeric when every non-empty value is a plain number, text otherwise; ``NaN``
(XPath arithmetic on an empty answer) is empty. An empty answer is missing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

import numpy as np
import pandas as pd

from sociaparis.analysis.selections import choice_flags, split_answers
from sociaparis.survey.instrument import (
    FILE_TYPES,
    Choice,
    Group,
    Instrument,
    Question,
    pick_text,
    written_name,
)
from sociaparis.survey.xpath.dates import time_to_days

VariableKind = Literal["meta", "attribute", "question", "choice", "part"]
#: The columns a geopoint's text is split into, as ODK Central names them
#: (``location-Latitude``...), and the position of each in ODK's text.
GEOPOINT_COLUMNS = (
    ("Latitude", {"fr": "latitude", "en": "latitude"}),
    ("Longitude", {"fr": "longitude", "en": "longitude"}),
    ("Altitude", {"fr": "altitude (m)", "en": "altitude (m)"}),
    ("Accuracy", {"fr": "précision (m)", "en": "accuracy (m)"}),
)
#: Storage types of export columns.
TYPES = (
    "string",
    "integer",
    "decimal",
    "date",
    "datetime",
    "time",
    "flag",
    "select_one",
    "select_multiple",
)
MAIN_TABLE = "responses"
#: Table names a repeat may not take (the main table, the dictionary's files).
#: Folder of an export (and of its zip) that holds the files of file questions;
#: their columns give each file's path relative to the export.
MEDIA_FOLDER = "media"
RESERVED_TABLE_NAMES = frozenset({MAIN_TABLE, "dictionary", "datapackage"})


def repeat_table_name(repeat: str) -> str:
    """The table of a repeat is named after it (``responses`` → ``responses_repeat``)."""
    return f"{repeat}_repeat" if repeat in RESERVED_TABLE_NAMES else repeat


_INTEGER = r"-?[0-9]+"
_NUMBER = r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"

_META_LABELS: dict[str, dict[str, str]] = {
    "_id": {"fr": "Identifiant de la réponse", "en": "Response identifier"},
    "_instrument_version": {
        "fr": "Version du questionnaire",
        "en": "Questionnaire version",
    },
    "_status": {
        "fr": "Statut de la réponse (completed, in_progress)",
        "en": "Response status (completed, in_progress)",
    },
    "_started_on": {"fr": "Date de début", "en": "Date started"},
    "_submitted_on": {"fr": "Date d'envoi", "en": "Date submitted"},
    "_started_at": {"fr": "Heure de début (UTC)", "en": "Time started (UTC)"},
    "_updated_at": {
        "fr": "Heure du dernier enregistrement (UTC)",
        "en": "Time last saved (UTC)",
    },
    "_synthetic": {
        "fr": "Réponse synthétique (générée, pas un répondant réel)",
        "en": "Synthetic response (generated, not a real respondent)",
    },
    "_parent_id": {
        "fr": "Identifiant de la réponse parente",
        "en": "Identifier of the parent response",
    },
    "_index": {"fr": "Numéro de l'occurrence", "en": "Instance number"},
    "_parent_index": {
        "fr": "Numéro (_index) de l'occurrence parente",
        "en": "Number (_index) of the parent instance",
    },
}
_META_TYPES = {
    "_id": "string",
    "_instrument_version": "string",
    "_status": "string",
    "_started_on": "date",
    "_submitted_on": "date",
    "_started_at": "datetime",
    "_updated_at": "datetime",
    "_synthetic": "flag",
    "_parent_id": "string",
    "_index": "integer",
    "_parent_index": "integer",
}
ATTRIBUTE_PREFIX = "_attr_"


@dataclass(frozen=True, slots=True)
class Variable:
    """One column of an export table and what the dictionary says about it.

    Attributes
    ----------
    name
        The ODK/KoboToolbox export name (``group/question``, ``…/choice``, ``_id``).
    source
        The question name (the choice's question for a 0/1 column), the meta or
        attribute name otherwise.
    kind
        ``meta``, ``attribute``, ``question``, ``choice`` (a 0/1 column) or
        ``part`` (a geopoint's latitude, longitude, altitude or accuracy).
    type
        One of :data:`TYPES`.
    question_type
        The XLSForm type (``select_one``, ``calculate``…), ``''`` for meta.
    labels
        Language code to label.
    choices
        The choice list of a select (after ``or_other``'s ``other``).
    choice
        For a 0/1 column: the choice code; for a ``part``: its position in the
        geopoint's text (``0`` latitude to ``3`` accuracy).
    list_name, relevant, constraint, appearance
        From the form; ``relevant`` combines the enclosing groups' rules.
    """

    name: str
    source: str
    kind: VariableKind
    type: str
    question_type: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    choice: str = ""
    list_name: str = ""
    relevant: str = ""
    constraint: str = ""
    appearance: str = ""

    def label(self, lang: str | None, default_language: str = "fr") -> str:
        """The label in ``lang`` (falling back as the form does), ``''`` if none."""
        return pick_text(self.labels, lang, default_language)

    def choice_labels(self, lang: str | None, default_language: str = "fr") -> list[str]:
        """Label of each choice (its code when it has none), in order."""
        return [
            pick_text(choice.labels, lang, default_language) or choice.name
            for choice in self.choices
        ]


@dataclass(frozen=True, slots=True)
class ExportTable:
    """One table of an export: its name, variables and typed data."""

    name: str
    variables: tuple[Variable, ...]
    frame: pd.DataFrame = field(repr=False)
    #: For a repeat inside a repeat, the table of the enclosing repeat (its
    #: ``_parent_id`` and ``_parent_index`` point to that table's
    #: ``_parent_id`` and ``_index``).
    parent_table: str = ""

    @property
    def is_repeat(self) -> bool:
        """Whether it holds the instances of a repeat."""
        return self.name != MAIN_TABLE

    def variable(self, name: str) -> Variable:
        """The variable called ``name`` (KeyError if none)."""
        for variable in self.variables:
            if variable.name == name:
                return variable
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class ExportData:
    """Everything an export writes: the tables and the form's texts.

    Attributes
    ----------
    form_id, title
        The form (title as language code to text).
    default_language, languages
        From the newest version.
    versions
        Version labels of the exported responses, oldest first.
    tables
        The main table first (``responses``), then one per repeat.
    """

    form_id: str
    title: Mapping[str, str]
    default_language: str
    languages: tuple[str, ...]
    versions: tuple[str, ...]
    tables: tuple[ExportTable, ...]

    @property
    def main(self) -> ExportTable:
        """The table with one row per response."""
        return self.tables[0]

    def table(self, name: str) -> ExportTable:
        """The table called ``name`` (KeyError if none)."""
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    def text(self, texts: Mapping[str, str], lang: str | None) -> str:
        """A translated text in ``lang``, falling back to the default language."""
        return pick_text(texts, lang, self.default_language)


@dataclass(frozen=True, slots=True)
class RepeatColumns:
    """The instances of one repeat, columnar.

    Attributes
    ----------
    parent_row
        For each instance, the row (0-based) of its response in the batch.
    index
        For each instance, its number in the response (1-based); for a repeat
        inside a repeat, its number among all its instances in the response.
    values
        Question name to one value per instance (``None`` when absent).
    parent_index
        For a repeat inside a repeat, the ``index`` of the instance it is in
        (in the enclosing repeat's table); None for a top-level repeat.
    """

    parent_row: Sequence[int]
    index: Sequence[int]
    values: Mapping[str, Sequence[Any]]
    parent_index: Sequence[int] | None = None


@dataclass(frozen=True, slots=True)
class ResponseBatch:
    """Responses to one instrument version, columnar.

    Attributes
    ----------
    instrument, version
        The version the responses were answered on, and its label.
    ids
        Response ids.
    values
        Question name (top level) to one value per response: the engine's
        string, ``None`` when the question is absent from the record.
    repeats
        Repeat name to its instances.
    status, started_on, submitted_on, started_at, updated_at, synthetic
        Meta columns (``None``: all completed / unknown / not synthetic).
    attributes
        Recorded attribute name (``directorate``) to one value per response.
    """

    instrument: Instrument
    version: str
    ids: Sequence[str]
    values: Mapping[str, Sequence[Any]]
    repeats: Mapping[str, RepeatColumns] = field(default_factory=dict)
    status: Sequence[str] | None = None
    started_on: Sequence[date | None] | None = None
    submitted_on: Sequence[date | None] | None = None
    started_at: Sequence[datetime | None] | None = None
    updated_at: Sequence[datetime | None] | None = None
    synthetic: Sequence[bool] | None = None
    attributes: Mapping[str, Sequence[str | None]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)


def record_columns(instrument: Instrument) -> tuple[str, ...]:
    """The questions outside repeats an export has a column for, in order.

    The layout of an export row (:func:`batch_from_rows`): one value per name
    here, then the outer repeats' instances.
    """
    return tuple(
        q.name for q in instrument.questions if q.repeat is None and q.type != "note"
    )


def export_row(instrument: Instrument, record: Mapping[str, Any]) -> list[Any]:
    """An engine record as an export row: the values of :func:`record_columns`
    (None where absent), then an object of the outer repeats' instances.

    A list rather than the record itself, so that a batch of rows is turned
    into columns at once (``zip``) instead of one look-up per value; plain
    JSON, so that a row can be kept in the database
    (:mod:`sociaparis.survey.records`).
    """
    return _row(record, record_columns(instrument), _outer_repeats(instrument))


def _outer_repeats(instrument: Instrument) -> tuple[str, ...]:
    return tuple(r.name for r in instrument.repeats if r.repeat is None)


def _row(
    record: Mapping[str, Any], top: Sequence[str], outer: Sequence[str]
) -> list[Any]:
    return [
        *(record.get(name) for name in top),
        {name: record[name] for name in outer if name in record},
    ]


def batch_from_records(
    instrument: Instrument,
    version: str,
    ids: Sequence[str],
    records: Sequence[Mapping[str, Any]],
    **meta: Any,
) -> ResponseBatch:
    """Turn engine records (one dict per response) into a :class:`ResponseBatch`.

    ``meta`` takes the other fields of :class:`ResponseBatch` (``status``,
    ``attributes``…).
    """
    if len(ids) != len(records):
        raise ValueError(f"{len(ids)} ids for {len(records)} records")
    top, outer = record_columns(instrument), _outer_repeats(instrument)
    return batch_from_rows(
        instrument, version, ids, [_row(record, top, outer) for record in records], **meta
    )


class RowColumns:
    """Export rows (:func:`export_row`) gathered into columns, a chunk at a time.

    Each chunk of rows is turned into columns at once (``zip``), so that the
    decoded rows can be dropped as they are read (the repeats' instances are
    kept until :func:`batch_from_columns`). Equal texts of a column become
    one object (as :func:`_shared`), so that the later passes over the
    columns read a few strings.

    Parameters
    ----------
    instrument
        The version the rows were answered on (:func:`record_columns`).
    """

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.names = record_columns(instrument)
        self.columns: list[list[Any]] = [[] for _ in self.names]
        self.holders: list[Any] = []
        self._seen: list[dict[str, str]] = [{} for _ in self.names]

    def __len__(self) -> int:
        return len(self.holders)

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        """Append ``rows``; ``ValueError`` if one is not an export row of the form."""
        width = len(self.names) + 1
        if any(len(row) != width for row in rows):
            raise ValueError(
                f"an export row of {self.instrument.form_id} is not {width} long"
            )
        if not rows:
            return
        *cells, holders = zip(*rows, strict=True)
        for column, seen, chunk in zip(self.columns, self._seen, cells, strict=True):
            column.extend(_shared(chunk, seen))
        self.holders.extend(holders)

    def reorder(self, order: Sequence[int]) -> None:
        """Put the rows in ``order`` (positions of the rows as added)."""
        self.columns = [[column[n] for n in order] for column in self.columns]
        self.holders = [self.holders[n] for n in order]


def batch_from_rows(
    instrument: Instrument,
    version: str,
    ids: Sequence[str],
    rows: Sequence[Sequence[Any]],
    **meta: Any,
) -> ResponseBatch:
    """Turn export rows (:func:`export_row`) into a :class:`ResponseBatch`.

    ``meta`` takes the other fields of :class:`ResponseBatch` (``status``,
    ``attributes``…).
    """
    if len(ids) != len(rows):
        raise ValueError(f"{len(ids)} ids for {len(rows)} rows")
    columns = RowColumns(instrument)
    columns.add(rows)
    return batch_from_columns(version, ids, columns, **meta)


def batch_from_columns(
    version: str, ids: Sequence[str], columns: RowColumns, **meta: Any
) -> ResponseBatch:
    """Turn gathered export rows into a :class:`ResponseBatch` (its repeats'
    instances into their tables' columns).

    ``meta`` takes the other fields of :class:`ResponseBatch` (``status``,
    ``attributes``…).
    """
    if len(ids) != len(columns):
        raise ValueError(f"{len(ids)} ids for {len(columns)} rows")
    instrument = columns.instrument
    values = dict(zip(columns.names, columns.columns, strict=True))
    holders = columns.holders
    names = {
        repeat.name: [
            q.name
            for q in instrument.questions
            if q.repeat == repeat.name and q.type != "note"
        ]
        for repeat in instrument.repeats
    }
    inner = {
        repeat.name: [
            item.name for item in instrument.level(repeat.name) if isinstance(item, Group)
        ]
        for repeat in instrument.repeats
    }
    parent_row: dict[str, list[int]] = {name: [] for name in names}
    index: dict[str, list[int]] = {name: [] for name in names}
    parent_index: dict[str, list[int]] = {name: [] for name in names}
    found: dict[str, list[Mapping[str, Any]]] = {name: [] for name in names}

    def walk(repeat: str, instances: Any, row: int, parent: int, seen: dict) -> None:
        if not isinstance(instances, list):
            return
        number = seen.get(repeat, 0)
        for instance in instances:
            number += 1
            seen[repeat] = number
            parent_row[repeat].append(row)
            index[repeat].append(number)
            parent_index[repeat].append(parent)
            found[repeat].append(instance)
            for nested in inner[repeat]:
                walk(nested, instance.get(nested), row, number, seen)

    outer = _outer_repeats(instrument)
    if outer:
        for row, holder in enumerate(holders):
            if not holder:
                continue
            seen: dict[str, int] = {}
            for name in outer:
                walk(name, holder.get(name), row, 0, seen)
    # Column by column once every instance is found: a comprehension per
    # question costs less than appending each answer as the instances are met.
    answers = {
        name: {
            q: _shared([instance.get(q) for instance in found[name]]) for q in questions
        }
        for name, questions in names.items()
    }
    repeats = {
        repeat.name: RepeatColumns(
            parent_row[repeat.name],
            index[repeat.name],
            answers[repeat.name],
            parent_index[repeat.name] if repeat.repeat is not None else None,
        )
        for repeat in instrument.repeats
    }
    return ResponseBatch(instrument, version, list(ids), values, repeats, **meta)


def _shared(column: Sequence[Any], seen: dict[str, str] | None = None) -> list[Any]:
    """The cells of a column, equal texts as one object.

    ``seen`` holds the texts met so far, to share them across the chunks of
    one column (a new dictionary when None).

    Decoded JSON gives each cell its own string, so that the thousands of
    ``"yes"`` of a column are as many objects: every later pass that hashes
    or compares them (missing values, formula check, value codes, choice
    flags) then reads each one's memory. Sharing them costs one pass and
    makes those passes two to three times faster. Only texts are shared:
    ``1``, ``1.0`` and ``True`` are equal keys but not the same value.
    """
    share = ({} if seen is None else seen).setdefault
    return [share(cell, cell) if cell.__class__ is str else cell for cell in column]


# -- variables -------------------------------------------------------------------------


def odk_path(instrument: Instrument, name: str) -> str:
    """The export name of an item: its group path, ``group/sub/question``.

    Names as written in the form, so a name used in several groups gets a
    column per group (``person/age``, ``household/age``).
    """
    groups = [written_name(group.name) for group in reversed(instrument.ancestors(name))]
    return "/".join([*groups, written_name(name)])


def _relevance(instrument: Instrument, question: Question) -> str:
    rules = [g.relevant for g in reversed(instrument.ancestors(question.name))]
    rules = [rule for rule in [*rules, question.relevant] if rule]
    if len(rules) <= 1:
        return rules[0] if rules else ""
    return " and ".join(f"({rule})" for rule in rules)


def _question_type(question: Question) -> str:
    kind = question.type
    if kind in {"text", "acknowledge"} or kind in FILE_TYPES:
        return "string"
    if kind in {"integer", "decimal", "date", "select_one", "select_multiple", "time"}:
        return kind
    if kind == "dateTime":
        return "datetime"
    if kind in {"geopoint", "geotrace", "geoshape", "rank"}:
        return "string"  # ODK's text; a geopoint is also split into four columns
    if kind == "range":
        parameters = [question.parameters.get(k, "1") for k in ("start", "end", "step")]
        integral = all(_is_integral(p) for p in parameters)
        return "integer" if integral else "decimal"
    return "calculate"  # resolved from the data (numeric or text)


def _is_integral(text: str) -> bool:
    try:
        return float(text).is_integer()
    except ValueError:
        return False


def question_variables(
    instrument: Instrument, repeat: str | None
) -> list[tuple[Variable, str]]:
    """The variables of the questions at one level, with each one's question name.

    ``repeat=None`` gives the main table's questions; a repeat name, that repeat's.
    A ``select_multiple`` is followed by one 0/1 variable per choice.
    """
    found: list[tuple[Variable, str]] = []
    for question in instrument.questions:
        if question.repeat != repeat or question.type == "note":
            continue
        path = odk_path(instrument, question.name)
        choices = instrument.choice_list(question)
        variable = Variable(
            name=path,
            source=question.name,
            kind="question",
            type=_question_type(question),
            question_type=question.type,
            labels=dict(question.labels)
            or {instrument.default_language: written_name(question.name)},
            choices=choices,
            list_name=question.list_name,
            relevant=_relevance(instrument, question),
            constraint=question.constraint,
            appearance=question.appearance,
        )
        found.append((variable, question.name))
        if question.type == "geopoint":
            for position, (suffix, words) in enumerate(GEOPOINT_COLUMNS):
                labels = {
                    lang: f"{text} ({words.get(lang, words['en'])})"
                    for lang, text in variable.labels.items()
                }
                part = Variable(
                    name=f"{path}-{suffix}",
                    source=question.name,
                    kind="part",
                    type="decimal",
                    question_type=question.type,
                    labels=labels,
                    choice=str(position),
                    relevant=variable.relevant,
                )
                found.append((part, ""))
        if question.type == "select_multiple":
            for choice in choices:
                labels = {
                    lang: f"{text}: {pick_text(choice.labels, lang, '') or choice.name}"
                    for lang, text in question.labels.items()
                } or {instrument.default_language: choice.name}
                flag = Variable(
                    name=f"{path}/{choice.name}",
                    source=question.name,
                    kind="choice",
                    type="flag",
                    question_type=question.type,
                    labels=labels,
                    choice=choice.name,
                    list_name=question.list_name,
                    relevant=variable.relevant,
                )
                found.append((flag, ""))
    return found


def _meta_variable(name: str) -> Variable:
    return Variable(name, name, "meta", _META_TYPES[name], labels=_META_LABELS[name])


def _attribute_variable(name: str) -> Variable:
    labels = {
        "fr": f"{name} (attribut enregistré depuis l'invitation)",
        "en": f"{name} (attribute recorded from the invitation)",
    }
    return Variable(ATTRIBUTE_PREFIX + name, name, "attribute", "string", labels=labels)


# -- typing ----------------------------------------------------------------------------


def absent(values: np.ndarray) -> np.ndarray:
    """Which cells of an object array are ``None`` or NaN (``x != x``).

    Compared in numpy: five times faster than pandas' ``isna`` on object
    columns, which tests every cell for each kind of missing value.

    Examples
    --------
    >>> absent(np.array(["a", None, float("nan"), ""], dtype=object)).tolist()
    [False, True, True, False]
    """
    return np.equal(values, None) | (values != values)


def _missing_to_none(raw: pd.Series) -> pd.Series:
    """Object series with ``None`` for missing and empty values.

    The columns hold what JSON decodes to (texts, numbers, ``None``), so
    missing is ``None``, NaN or ``""``.
    """
    values = raw.to_numpy(dtype=object, copy=True)
    values[(values == "") | absent(values)] = None
    return pd.Series(values, index=raw.index, dtype=object)


def _typed(raw: pd.Series, variable: Variable) -> tuple[pd.Series, Variable]:
    """Convert one raw column to its storage type (calculations: inferred)."""
    kind = variable.type
    if kind in {"date", "datetime", "flag"} and variable.kind == "meta":
        return raw, variable
    values = _missing_to_none(raw)
    if variable.question_type in FILE_TYPES:
        # A stored name is a path relative to the export, as ODK Central writes it.
        paths = values.map(lambda v: None if v is None else f"{MEDIA_FOLDER}/{v}")
        return paths, variable
    if kind == "calculate":
        # XPath's not-a-number (arithmetic on an empty answer) is an empty value.
        values = values.where(values != "NaN", None)
        present = values.dropna().astype(str)
        if len(present) and present.str.fullmatch(_NUMBER).all():
            kind = "integer" if present.str.fullmatch(_INTEGER).all() else "decimal"
        else:
            kind = "string"
        variable = dataclasses.replace(variable, type=kind)
    if kind == "integer":
        numbers = pd.to_numeric(values, errors="coerce")
        return numbers.round().astype("Int64"), variable
    if kind == "decimal":
        return pd.to_numeric(values, errors="coerce").astype("float64"), variable
    if kind == "date":
        parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
        dates = pd.Series(parsed.dt.date, index=values.index, dtype=object)
        return dates.where(parsed.notna(), None), variable
    if kind == "datetime":
        # ODK's text with its offset: the same instant, in UTC like the meta times.
        stamps = pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")
        return stamps, variable
    if kind == "time":
        return values.map(_time_of_day, na_action="ignore"), variable
    return values, variable


def _time_of_day(text: Any) -> time | None:
    """The wall-clock time of an ODK time text (its offset is the server's)."""
    days = time_to_days(str(text))
    if days is None:
        return None
    seconds = round(days * 86400 * 1000) / 1000
    whole = int(seconds)
    return time(
        whole // 3600, whole // 60 % 60, whole % 60, round((seconds - whole) * 1e6)
    )


def _geopoint_part(column: pd.Series, position: int) -> pd.Series:
    """One number of each geopoint text (``lat lon alt acc``); missing if none."""
    parts = column.astype(object).where(column.notna(), "").astype(str).str.split(" ")
    picked = parts.str[position]
    return pd.to_numeric(picked, errors="coerce").astype("float64")


class _Selections:
    """A ``select_multiple`` column split once: which rows hold which choices."""

    def __init__(self, column: pd.Series) -> None:
        self.index = column.index
        self.codes, self.selected = split_answers(column, separator=None)

    def flag(self, choice: str) -> pd.Series:
        """0/1 per row for ``choice``; missing where the question has no answer."""
        data = choice_flags(self.codes, self.selected, choice).astype(np.int64)
        return pd.Series(pd.arrays.IntegerArray(data, self.codes < 0), index=self.index)


# -- building --------------------------------------------------------------------------


def concat_cells(
    parts: Sequence[Sequence[Any] | None], sizes: Sequence[int]
) -> np.ndarray:
    """One object array from the pieces of a column, each of its size
    (``None`` for a piece without the column: ``sizes`` cells of ``None``)."""
    arrays = []
    for part, size in zip(parts, sizes, strict=True):
        if part is None:
            arrays.append(np.full(size, None, dtype=object))
        elif isinstance(part, np.ndarray):
            arrays.append(part.astype(object, copy=False))
        else:
            arrays.append(np.fromiter(part, dtype=object, count=size))
    return np.concatenate(arrays) if arrays else np.empty(0, dtype=object)


def _merge_variables(
    levels: list[list[tuple[Variable, str]]],
) -> list[Variable]:
    """Union of each version's variables: newest version's order, then older extras."""
    seen: dict[str, Variable] = {}
    for variables in reversed(levels):
        for variable, _ in variables:
            seen.setdefault(variable.name, variable)
    return list(seen.values())


def _table(
    name: str,
    meta: list[tuple[Variable, pd.Series]],
    variables: list[Variable],
    raw: dict[str, np.ndarray],
    size: int,
) -> ExportTable:
    columns: dict[str, pd.Series] = {}
    selections: dict[str, _Selections] = {}
    final: list[Variable] = []
    index = pd.RangeIndex(size)
    for variable, series in meta:
        columns[variable.name] = series
        final.append(variable)
    for variable in variables:
        if variable.kind == "choice":
            parent = variable.name.rsplit("/", 1)[0]
            if parent not in selections:
                selections[parent] = _Selections(columns[parent])
            columns[variable.name] = selections[parent].flag(variable.choice)
            final.append(variable)
            continue
        if variable.kind == "part":
            parent = variable.name.rsplit("-", 1)[0]
            columns[variable.name] = _geopoint_part(columns[parent], int(variable.choice))
            final.append(variable)
            continue
        series = pd.Series(raw[variable.name], index=index, dtype=object)
        typed, resolved = _typed(series, variable)
        columns[variable.name] = typed
        final.append(resolved)
    frame = pd.DataFrame(columns, index=index)
    return ExportTable(name, tuple(final), frame)


def build_export(
    batches: Sequence[ResponseBatch], *, attributes: Sequence[str] = ()
) -> ExportData:
    """Build the export tables of the responses to one form (any versions).

    Parameters
    ----------
    batches
        The responses, one batch per instrument version; the last batch's
        instrument is taken as the newest version (its column order and texts
        come first).
    attributes
        Recorded attributes to give a column (``_attr_directorate``), in order;
        attributes present in the batches but not listed follow, sorted.

    Returns
    -------
    ExportData
        The main table, then one table per repeat of any version.

    Raises
    ------
    ValueError
        When ``batches`` is empty or its forms have different ``form_id``.
    """
    if not batches:
        raise ValueError("no responses to build an export from")
    newest = batches[-1].instrument
    form_ids = {batch.instrument.form_id for batch in batches}
    if len(form_ids) > 1:
        raise ValueError(f"responses of several forms: {', '.join(sorted(form_ids))}")
    sizes = [len(batch) for batch in batches]
    total = sum(sizes)
    index = pd.RangeIndex(total)

    # Meta columns of the main table.
    ids = pd.Series(
        concat_cells([b.ids for b in batches], sizes), index=index, dtype=object
    )
    version = pd.Series(
        np.repeat([b.version for b in batches], sizes).astype(object), index=index
    )
    status = pd.Series(
        concat_cells(
            [["completed"] * len(b) if b.status is None else b.status for b in batches],
            sizes,
        ),
        index=index,
        dtype=object,
    )
    meta: list[tuple[Variable, pd.Series]] = [
        (_meta_variable("_id"), ids),
        (_meta_variable("_instrument_version"), version),
        (_meta_variable("_status"), status),
    ]
    for name, attr in (("_started_on", "started_on"), ("_submitted_on", "submitted_on")):
        values = concat_cells([getattr(b, attr) for b in batches], sizes)
        meta.append((_meta_variable(name), pd.Series(values, index=index, dtype=object)))
    for name, attr in (("_started_at", "started_at"), ("_updated_at", "updated_at")):
        values = concat_cells([getattr(b, attr) for b in batches], sizes)
        if any(value is not None for value in values):
            stamps = pd.to_datetime(
                pd.Series(values, index=index, dtype=object), utc=True
            )
            meta.append((_meta_variable(name), stamps))
    names = list(dict.fromkeys(attributes))
    extra = sorted({key for b in batches for key in b.attributes} - set(names))
    for name in [*names, *extra]:
        values = concat_cells([b.attributes.get(name) for b in batches], sizes)
        series = _missing_to_none(pd.Series(values, index=index, dtype=object))
        meta.append((_attribute_variable(name), series))
    synthetic = concat_cells(
        [[False] * len(b) if b.synthetic is None else b.synthetic for b in batches],
        sizes,
    )
    meta.append(
        (_meta_variable("_synthetic"), pd.Series(synthetic, index=index).astype("Int64"))
    )

    # Question columns of the main table.
    levels = [question_variables(b.instrument, None) for b in batches]
    variables = _merge_variables(levels)
    raw: dict[str, np.ndarray] = {}
    for variable in variables:
        if variable.kind in {"choice", "part"}:
            continue
        parts: list[Sequence[Any] | None] = []
        for batch, level in zip(batches, levels, strict=True):
            source = next((q for v, q in level if v.name == variable.name), None)
            parts.append(batch.values.get(source) if source else None)
        raw[variable.name] = concat_cells(parts, sizes)
    tables = [_table(MAIN_TABLE, meta, variables, raw, total)]

    # One table per repeat (of any version).
    repeat_names = list(
        dict.fromkeys(r.name for b in reversed(batches) for r in b.instrument.repeats)
    )
    tables.extend(_repeat_table(batches, repeat) for repeat in repeat_names)
    versions = tuple(dict.fromkeys(b.version for b in batches))
    return ExportData(
        form_id=newest.form_id,
        title={newest.default_language: newest.title},
        default_language=newest.default_language,
        languages=newest.languages,
        versions=versions,
        tables=tuple(tables),
    )


def _repeat_table(batches: Sequence[ResponseBatch], repeat: str) -> ExportTable:
    levels: list[list[tuple[Variable, str]]] = []
    sizes: list[int] = []
    parents: list[Any] = []
    indexes: list[int] = []
    parent_indexes: list[int | None] = []
    nested = False
    for batch in batches:
        columns = batch.repeats.get(repeat)
        has = batch.instrument.has(repeat) and isinstance(
            batch.instrument.item(repeat), Group
        )
        levels.append(question_variables(batch.instrument, repeat) if has else [])
        if columns is None:
            sizes.append(0)
            continue
        rows = np.asarray(columns.parent_row, dtype=np.int64)
        ids = np.asarray(batch.ids, dtype=object)
        parents.extend(ids[rows].tolist() if len(rows) else [])
        indexes.extend(columns.index)
        if columns.parent_index is not None:
            nested = True
            parent_indexes.extend(columns.parent_index)
        else:
            parent_indexes.extend([None] * len(columns.index))
        sizes.append(len(columns.parent_row))
    total = sum(sizes)
    index = pd.RangeIndex(total)
    meta = [
        (_meta_variable("_parent_id"), pd.Series(parents, index=index, dtype=object)),
        (
            _meta_variable("_index"),
            pd.Series(indexes, index=index, dtype="int64").astype("Int64"),
        ),
    ]
    if nested:
        meta.append(
            (
                _meta_variable("_parent_index"),
                pd.Series(parent_indexes, index=index, dtype="Int64"),
            )
        )
    variables = _merge_variables(levels)
    raw: dict[str, np.ndarray] = {}
    for variable in variables:
        if variable.kind in {"choice", "part"}:
            continue
        parts: list[Sequence[Any] | None] = []
        for batch, level in zip(batches, levels, strict=True):
            columns = batch.repeats.get(repeat)
            source = next((q for v, q in level if v.name == variable.name), None)
            parts.append(
                columns.values.get(source) if columns is not None and source else None
            )
        raw[variable.name] = concat_cells(parts, sizes)
    table = _table(repeat_table_name(repeat), meta, variables, raw, total)
    if not nested:
        return table
    outer = next(
        (
            str(b.instrument.item(repeat).repeat)
            for b in reversed(batches)
            if b.instrument.has(repeat) and b.instrument.item(repeat).repeat
        ),
        "",
    )
    return dataclasses.replace(table, parent_table=repeat_table_name(outer))
