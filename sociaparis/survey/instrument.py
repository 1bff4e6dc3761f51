"""The instrument model: an XLSForm questionnaire as frozen, serialisable data.

An :class:`Instrument` holds every group, repeat and question in document order
(:attr:`Instrument.items`), the choice lists, the languages and the settings. It
knows nothing of spreadsheets (see :mod:`sociaparis.survey.xlsform`), of the
database (:mod:`sociaparis.survey.service`) or of how expressions are evaluated
(:mod:`sociaparis.survey.logic`).

Texts that can be translated (labels, hints, messages) are dicts from a language
code (``"fr"`` for a column ``label::Français (fr)``) to the text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sociaparis.survey.attachments import Attachment

#: Question types that take an answer from the respondent.
ANSWER_TYPES = frozenset(
    {
        "text",
        "integer",
        "decimal",
        "select_one",
        "select_multiple",
        "date",
        "range",
        "acknowledge",
        "image",
        "audio",
        "video",
        "file",
        "time",
        "dateTime",
        "geopoint",
        "geotrace",
        "geoshape",
        "rank",
    }
)
#: Question types whose answer is a file the respondent uploads; the stored
#: answer is the file's name, as ODK stores it
#: (:mod:`sociaparis.survey.fielding.uploads`).
FILE_TYPES = frozenset({"image", "audio", "video", "file"})
#: Types a web page cannot fill (``background-audio`` records the device's
#: microphone while the form is open): accepted with a warning, never shown,
#: always empty.
UNRECORDED_TYPES = frozenset({"background-audio"})
#: Types whose answer is several values (a point, a line, an order of choices):
#: the page shows several inputs and the engine stores ODK's text.
GEO_TYPES = frozenset({"geopoint", "geotrace", "geoshape"})
#: ODK's metadata types (``start``, ``deviceid``...), whatever their spelling in
#: the form: never shown, and left empty by sociaparis (the form's check warns).
METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "start-geopoint",
        "background-geopoint",
    }
)
#: Question types whose value is computed, never shown.
COMPUTED_TYPES = frozenset({"calculate", "hidden"}) | METADATA_TYPES | UNRECORDED_TYPES
#: Every supported question type.
QUESTION_TYPES = ANSWER_TYPES | COMPUTED_TYPES | {"note"}
SELECT_TYPES = frozenset({"select_one", "select_multiple"})
#: Types whose answer names choices of a list (``rank``: all of them, in order).
LIST_TYPES = SELECT_TYPES | {"rank"}

GroupKind = Literal["group", "repeat"]
#: Joins the group path of an item whose name is used in several groups into
#: its key (``household~person~age``); no XLSForm name can hold it.
KEY_SEPARATOR = "~"


def item_key(path: tuple[str, ...]) -> str:
    """The key of an item whose name is used in several groups: its group path.

    >>> item_key(("household", "age"))
    'household~age'
    """
    return KEY_SEPARATOR.join(path)


def written_name(key: str) -> str:
    """The name as written in the form of the item keyed ``key``.

    >>> written_name("household~age"), written_name("age")
    ('age', 'age')
    """
    return key.rsplit(KEY_SEPARATOR, 1)[-1]


PageKind = Literal["question", "group", "repeat"]


def pick_text(texts: Mapping[str, str], lang: str | None, default_language: str) -> str:
    """Return the text in ``lang``, else in the default language, else any, else ''."""
    if lang is not None and texts.get(lang):
        return texts[lang]
    if texts.get(default_language):
        return texts[default_language]
    return next((text for text in texts.values() if text), "")


@dataclass(frozen=True, slots=True)
class Choice:
    """One choice of a list: its value, labels and extra columns (for choice_filter)."""

    name: str
    labels: Mapping[str, str]
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Question:
    """A question, note, calculation or hidden value.

    Attributes
    ----------
    name, type
        Its key and its type (one of :data:`QUESTION_TYPES`). The key is the
        name as written, unless the name is used in several groups: then it is
        the group path (:func:`item_key`), and ``${name}`` cannot refer to it.
    row
        Row of the survey sheet it comes from (None for a generated question,
        such as the ``_other`` text of an ``or_other`` select).
    parent, repeat
        Name of the enclosing group or repeat, and of the enclosing repeat.
    relevant, calculation, required, constraint, choice_filter
        XPath expressions with ``${name}`` references, ``''`` when absent;
        ``required`` is ``'true()'`` for a plain "yes".
    default
        Initial value (a literal), ``''`` when absent.
    list_name, or_other
        The choice list of a select, and whether an "other" text follows it.
    parameters
        Extra parameters, e.g. ``start``/``end``/``step`` of a range; for a
        file question, ``max-pixels`` (an image's longest side once stored)
        and ``accept`` (the form's ``body::accept`` column: file types offered).
    """

    name: str
    type: str
    row: int | None = None
    parent: str | None = None
    repeat: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    hints: Mapping[str, str] = field(default_factory=dict)
    appearance: str = ""
    relevant: str = ""
    calculation: str = ""
    default: str = ""
    required: str = ""
    required_messages: Mapping[str, str] = field(default_factory=dict)
    constraint: str = ""
    constraint_messages: Mapping[str, str] = field(default_factory=dict)
    choice_filter: str = ""
    list_name: str = ""
    or_other: bool = False
    parameters: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_group(self) -> bool:
        """Always False (a question is a leaf)."""
        return False

    @property
    def answerable(self) -> bool:
        """Whether the respondent gives this value (not a note or computed value)."""
        return self.type in ANSWER_TYPES

    @property
    def displayed(self) -> bool:
        """Whether it appears on a page (calculations and hidden values do not)."""
        return self.type not in COMPUTED_TYPES


@dataclass(frozen=True, slots=True)
class Group:
    """A group or repeat: its children's names in order, its relevance and layout."""

    name: str
    kind: GroupKind
    row: int | None = None
    parent: str | None = None
    repeat: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    appearance: str = ""
    relevant: str = ""
    repeat_count: str = ""
    children: tuple[str, ...] = ()

    @property
    def is_group(self) -> bool:
        """Always True."""
        return True

    @property
    def field_list(self) -> bool:
        """Whether the group is shown as one page (appearance ``field-list``)."""
        return "field-list" in self.appearance.split()


Item = Question | Group


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the questionnaire.

    Attributes
    ----------
    name
        The name of the question, field-list group or repeat the page shows.
    kind
        ``question`` (one question), ``group`` (a field-list group) or ``repeat``
        (every instance of a repeat, with "add another" and "remove").
    questions
        Names of the displayed questions on the page, in order.
    """

    name: str
    kind: PageKind
    questions: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Instrument:
    """A parsed questionnaire.

    Attributes
    ----------
    form_id, version, title
        From the settings sheet (``version`` is ``''`` when the form has none).
    default_language
        Code of the language used when a text is missing in the one asked for.
    languages
        Codes of every language with at least one text, default first.
    language_names
        Code to the name as written in the form (``"Français (fr)"``).
    items
        Every group, repeat and question in document order.
    top
        Names of the top-level items, in order.
    choices
        List name to its choices, in order (a ``select_*_from_file``'s list is
        named after its file, ``fruits.csv``).
    attachments
        The form's CSV, XML and GeoJSON attachments by file name, as read when
        the form was: kept with the version (``pulldata()`` reads them).
    """

    form_id: str
    title: str
    default_language: str
    languages: tuple[str, ...]
    items: tuple[Item, ...]
    top: tuple[str, ...]
    choices: Mapping[str, tuple[Choice, ...]]
    version: str = ""
    language_names: Mapping[str, str] = field(default_factory=dict)
    attachments: Mapping[str, Attachment] = field(default_factory=dict)
    _index: dict[str, Item] = field(init=False, repr=False, compare=False)
    _pages: tuple[Page, ...] = field(init=False, repr=False, compare=False)
    _page_index: dict[str, Page] = field(init=False, repr=False, compare=False)
    _hash: str = field(init=False, repr=False, compare=False, default="")
    _levels: dict[str, tuple[Item, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {item.name: item for item in self.items})
        object.__setattr__(self, "_pages", tuple(self._build_pages(self.top)))
        object.__setattr__(self, "_page_index", {page.name: page for page in self._pages})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Instrument):
            return NotImplemented
        return self.content_hash == other.content_hash

    def __hash__(self) -> int:
        return hash(self.content_hash)

    # -- lookup ------------------------------------------------------------------
    def item(self, name: str) -> Item:
        """Return the group, repeat or question called ``name`` (KeyError if none)."""
        return self._index[name]

    def has(self, name: str) -> bool:
        """Whether an item is called ``name``."""
        return name in self._index

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every question (including notes and computed values), in order."""
        return tuple(item for item in self.items if isinstance(item, Question))

    @property
    def repeats(self) -> tuple[Group, ...]:
        """Every repeat, in order."""
        return tuple(
            item
            for item in self.items
            if isinstance(item, Group) and item.kind == "repeat"
        )

    def descendants(self, name: str) -> tuple[Item, ...]:
        """Every item inside the group or repeat ``name``, in document order."""
        group = self._index[name]
        if not isinstance(group, Group):
            return ()
        found: list[Item] = []
        for child in group.children:
            item = self._index[child]
            found.append(item)
            found.extend(self.descendants(child))
        return tuple(found)

    def level(self, repeat: str) -> tuple[Item, ...]:
        """The questions and repeats directly in ``repeat`` (through its plain
        groups, not through a repeat inside it), in document order."""
        found = self._levels.get(repeat)
        if found is None:
            found = tuple(
                item
                for item in self.descendants(repeat)
                if item.repeat == repeat
                and (isinstance(item, Question) or item.kind == "repeat")
            )
            self._levels[repeat] = found
        return found

    def ancestors(self, name: str) -> tuple[Group, ...]:
        """The enclosing groups and repeats of ``name``, innermost first."""
        found: list[Group] = []
        parent = self._index[name].parent
        while parent is not None:
            group = self._index[parent]
            if isinstance(group, Group):
                found.append(group)
            parent = group.parent
        return tuple(found)

    def choice_list(self, question: Question) -> tuple[Choice, ...]:
        """The choices of a select question (empty for other types)."""
        return self.choices.get(question.list_name, ())

    def pulldata(self, table: str, column: str, key_column: str, key: str) -> str:
        """``pulldata('table', column, key_column, key)``: a cell of ``table.csv``.

        The ``column`` of the first row whose ``key_column`` is ``key``; ``''``
        when there is none (or no such attachment or column), as ODK returns.
        """
        attachment = self.attachments.get(f"{table}.csv")
        return attachment.lookup(column, key_column, key) if attachment else ""

    def text(self, texts: Mapping[str, str], lang: str | None = None) -> str:
        """Pick a translated text in ``lang``, falling back to the default language."""
        return pick_text(texts, lang, self.default_language)

    # -- pages -------------------------------------------------------------------
    def pages(self) -> tuple[Page, ...]:
        """Every page in order, whether relevant or not.

        A field-list group is one page; a repeat is one page (all its instances);
        otherwise each displayed question (notes included) is a page.
        Calculations and hidden values are on no page.
        """
        return self._pages

    def page(self, name: str) -> Page | None:
        """The page called ``name``, or None."""
        return self._page_index.get(name)

    def _displayed_inside(self, name: str) -> tuple[str, ...]:
        return tuple(
            item.name
            for item in self.descendants(name)
            if isinstance(item, Question) and item.displayed
        )

    def _build_pages(self, names: tuple[str, ...]) -> list[Page]:
        pages: list[Page] = []
        for name in names:
            item = self._index[name]
            if isinstance(item, Question):
                if item.displayed:
                    pages.append(Page(name, "question", (name,)))
            elif item.kind == "repeat" or item.field_list:
                questions = self._displayed_inside(name)
                if questions:
                    kind: PageKind = "repeat" if item.kind == "repeat" else "group"
                    pages.append(Page(name, kind, questions))
            else:
                pages.extend(self._build_pages(item.children))
        return pages

    # -- serialisation -----------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The model as plain JSON-ready data (the inverse of :meth:`from_dict`).

        ``attachments`` is only written when the form has some, so that the
        content hash of a form without attachments is what it always was.
        """
        data = {
            "form_id": self.form_id,
            "version": self.version,
            "title": self.title,
            "default_language": self.default_language,
            "languages": list(self.languages),
            "language_names": dict(self.language_names),
            "top": list(self.top),
            "items": [_item_to_dict(item) for item in self.items],
            "choices": {
                list_name: [
                    {"name": c.name, "labels": dict(c.labels), "extra": dict(c.extra)}
                    for c in choices
                ]
                for list_name, choices in self.choices.items()
            },
        }
        if self.attachments:
            data["attachments"] = {
                name: attachment.to_dict()
                for name, attachment in sorted(self.attachments.items())
            }
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Instrument:
        """Rebuild an instrument from :meth:`to_dict` output."""
        return cls(
            form_id=data["form_id"],
            version=data.get("version", ""),
            title=data["title"],
            default_language=data["default_language"],
            languages=tuple(data["languages"]),
            language_names=dict(data.get("language_names", {})),
            top=tuple(data["top"]),
            items=tuple(_item_from_dict(item) for item in data["items"]),
            choices={
                list_name: tuple(
                    Choice(c["name"], dict(c["labels"]), dict(c.get("extra", {})))
                    for c in choices
                )
                for list_name, choices in data["choices"].items()
            },
            attachments={
                name: Attachment.from_dict(attachment)
                for name, attachment in data.get("attachments", {}).items()
            },
        )

    @property
    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON of the model, without source row numbers.

        Two forms with the same questions, logic, texts and settings have the same
        hash, whatever the spreadsheet layout; it identifies a version.
        """
        if not self._hash:
            data = self.to_dict()
            for item in data["items"]:
                item.pop("row", None)
            canonical = json.dumps(
                data, sort_keys=True, ensure_ascii=False, separators=(",", ":")
            )
            digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
            object.__setattr__(self, "_hash", digest)
        return self._hash


def _item_to_dict(item: Item) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in item.__slots__:  # type: ignore[union-attr]
        value = getattr(item, name)
        if isinstance(value, Mapping):
            value = dict(value)
        elif isinstance(value, tuple):
            value = list(value)
        data[name] = value
    data["_class"] = "group" if isinstance(item, Group) else "question"
    return data


def _item_from_dict(data: Mapping[str, Any]) -> Item:
    fields = {key: value for key, value in data.items() if key != "_class"}
    if data["_class"] == "group":
        fields["children"] = tuple(fields.get("children", ()))
        return Group(**fields)
    return Question(**fields)
