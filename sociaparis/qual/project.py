"""The pure, in-memory qualitative project: users, sources, codebook, codings, cases.

This is the data model that the REFI-QDA reader and writer
(:mod:`sociaparis.qual.io.refi_qda`) and the codebook converters
(:mod:`sociaparis.qual.io.codebook`) exchange.  Everything is a frozen dataclass;
the operations on the codebook (merge, split, move) are pure functions that return
a new :class:`Project`.

Positions in a source are Unicode code-point offsets into ``Source.text`` (Python
``str`` indices), start inclusive and end exclusive, exactly as REFI-QDA counts
them: ``text[coding.start:coding.end]`` is the coded span.

Identifiers are GUID strings (``"1B0B4F3E-..."``), the identifiers REFI-QDA uses;
:func:`new_guid` makes a fresh one.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Literal, TypeVar

from sociaparis.core.errors import Issue, Issues, Reason, SociaparisError
from sociaparis.qual.document import ImportedDocument, Turn
from sociaparis.qual.errors import QualError

VariableType = Literal["Text", "Boolean", "Integer", "Float", "Date", "DateTime"]
VARIABLE_TYPES: tuple[str, ...] = (
    "Text",
    "Boolean",
    "Integer",
    "Float",
    "Date",
    "DateTime",
)
Value = str | bool | int | float | date | datetime
MemoTargetKind = Literal["project", "source", "code", "case", "coding", "span"]
MEMO_TARGET_KINDS: tuple[str, ...] = (
    "project",
    "source",
    "code",
    "case",
    "coding",
    "span",
)

#: what the messages call each kind of item (``kind`` of ``QUAL_103``,
#: ``QUAL_105`` and ``QUAL_109``, ``what`` of ``QUAL_106``), in English and French
ITEM_KINDS: dict[str, Reason] = {
    "user": Reason(en="user", fr="utilisateur"),
    "code": Reason(en="code", fr="code"),
    "variable": Reason(en="variable", fr="variable"),
    "case": Reason(en="case", fr="cas"),
    "source": Reason(en="source", fr="source"),
    "coding": Reason(en="coding", fr="codage"),
    "memo": Reason(en="memo", fr="mémo"),
    "set": Reason(en="set", fr="ensemble"),
    "turn": Reason(en="turn", fr="tour de parole"),
}

_T = TypeVar("_T")
_NAMESPACE = uuid.UUID("6f1c2a9e-52b4-4c1e-9a57-3d0f0c8e7a11")


def new_guid() -> str:
    """Return a fresh random GUID in the upper-case form REFI-QDA tools write."""
    return str(uuid.uuid4()).upper()


def children_by_parent(codes: Sequence[Code]) -> dict[str | None, list[Code]]:
    """The codes under each parent id (``None``: the top level), in their order.

    One pass: walking a codebook with it is O(n), where calling
    :meth:`Project.children` for every code is O(n²).
    """
    children: dict[str | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent, []).append(code)
    return children


def derived_guid(*parts: str) -> str:
    """Return a GUID derived deterministically from ``parts`` (UUID version 5)."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts))).upper()


@dataclass(frozen=True, slots=True)
class User:
    """A person (or a tool) who created codings, sources or memos."""

    id: str
    name: str = ""
    user_id: str | None = None  # REFI-QDA's optional ``id`` attribute (a login)


@dataclass(frozen=True, slots=True)
class Source:
    """A text document: an interview transcript, a focus group, a field note.

    ``text`` is ``None`` when the source's text was not available (an archive that
    references a text file it does not contain); ``text_path`` then keeps the
    original reference so that an export can write it back.  ``moderators``
    are the speakers of its turns who lead a focus group.
    """

    id: str
    name: str
    text: str | None
    turns: tuple[Turn, ...] = ()
    description: str = ""
    values: Mapping[str, Value] = field(default_factory=dict)  # variable id -> value
    created_by: str | None = None
    created_at: datetime | None = None
    modified_by: str | None = None
    modified_at: datetime | None = None
    text_path: str | None = None
    moderators: tuple[str, ...] = ()

    @classmethod
    def from_document(
        cls, document: ImportedDocument, *, name: str | None = None, id: str | None = None
    ) -> Source:
        """Make a source of an imported document (its text and speaker turns)."""
        return cls(
            id=id or new_guid(),
            name=name or document.filename or "document",
            text=document.text,
            turns=document.turns,
        )


@dataclass(frozen=True, slots=True)
class Code:
    """A code of the hierarchical codebook.

    ``inclusion``, ``exclusion`` and ``example`` are the criteria that coders and
    AI assistants need; ``parent`` is the id of the parent code (``None`` at the
    top level); ``color`` is ``#RRGGBB``.
    """

    id: str
    name: str
    description: str = ""
    inclusion: str = ""
    exclusion: str = ""
    example: str = ""
    color: str | None = None
    parent: str | None = None
    codable: bool = True


@dataclass(frozen=True, slots=True)
class Coding:
    """A code applied to ``text[start:end]`` of a source by a coder.

    ``selection_id`` groups the codings that share one REFI-QDA selection (an
    ATLAS.ti quotation); it is kept so that an exported project has the same
    selections as the imported one.
    """

    id: str
    source_id: str
    code_id: str
    start: int
    end: int
    created_by: str | None = None
    created_at: datetime | None = None
    memo: str | None = None
    selection_id: str | None = None


@dataclass(frozen=True, slots=True)
class Variable:
    """A case (or source) attribute: directorate, job category, city, role..."""

    id: str
    name: str
    type: VariableType = "Text"
    description: str = ""


@dataclass(frozen=True, slots=True)
class Case:
    """A unit of analysis (an interviewee, a city, a focus group) with attributes.

    ``selections`` are ``(source id, start, end)`` spans that belong to the case:
    a focus-group participant's turns (REFI-QDA ``SelectionRef``, as NVivo
    exchanges cases coded by speaker).
    """

    id: str
    name: str
    description: str = ""
    values: Mapping[str, Value] = field(default_factory=dict)  # variable id -> value
    source_ids: tuple[str, ...] = ()
    selections: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class MemoTarget:
    """What a memo is attached to.

    ``kind`` is one of ``project``, ``source``, ``code``, ``case``, ``coding`` or
    ``span``; ``id`` is the id of that object (the project's target has id ``""``),
    and for ``span`` the source id, with ``start`` and ``end`` the annotated span.
    """

    kind: MemoTargetKind
    id: str = ""
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Memo:
    """A memo (REFI-QDA ``Note``); with no target it is a free-standing memo."""

    id: str
    text: str
    name: str = ""
    description: str = ""
    targets: tuple[MemoTarget, ...] = ()
    created_by: str | None = None
    created_at: datetime | None = None
    modified_by: str | None = None
    modified_at: datetime | None = None

    def __post_init__(self) -> None:
        """Keep ``targets`` in one canonical order: a memo's targets form a set."""
        ordered = tuple(
            sorted(
                dict.fromkeys(self.targets),
                key=lambda t: (
                    t.kind,
                    t.id,
                    -1 if t.start is None else t.start,
                    t.end or -1,
                ),
            )
        )
        object.__setattr__(self, "targets", ordered)


@dataclass(frozen=True, slots=True)
class CodeSet:
    """A named group of codes, sources and memos (REFI-QDA ``Set``)."""

    id: str
    name: str
    description: str = ""
    code_ids: tuple[str, ...] = ()
    source_ids: tuple[str, ...] = ()
    memo_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Project:
    """A whole qualitative project, as exchanged through REFI-QDA."""

    name: str
    origin: str = "sociaparis"  # the software the project comes from
    description: str = ""
    created_by: str | None = None
    created_at: datetime | None = None
    modified_by: str | None = None
    modified_at: datetime | None = None
    base_path: str = ""  # REFI-QDA basePath: where relative:// media paths start
    users: tuple[User, ...] = ()
    codes: tuple[Code, ...] = ()
    variables: tuple[Variable, ...] = ()
    cases: tuple[Case, ...] = ()
    sources: tuple[Source, ...] = ()
    codings: tuple[Coding, ...] = ()
    memos: tuple[Memo, ...] = ()
    sets: tuple[CodeSet, ...] = ()

    def code(self, code_id: str) -> Code:
        """Return the code with id ``code_id``."""
        for code in self.codes:
            if code.id == code_id:
                return code
        raise SociaparisError(QualError.UNKNOWN_CODE, code_id=code_id)

    def children(self, code_id: str | None) -> tuple[Code, ...]:
        """Return the direct children of ``code_id`` (the top level for ``None``)."""
        return tuple(code for code in self.codes if code.parent == code_id)

    def descendants(self, code_id: str) -> tuple[Code, ...]:
        """Return every code below ``code_id``, depth first."""
        out: list[Code] = []
        for child in self.children(code_id):
            out.append(child)
            out.extend(self.descendants(child.id))
        return tuple(out)

    def path(self, code_id: str) -> tuple[str, ...]:
        """Return the names from the top of the hierarchy down to ``code_id``."""
        names: list[str] = []
        seen: set[str] = set()
        current: str | None = code_id
        while current is not None and current not in seen:
            seen.add(current)
            code = self.code(current)
            names.append(code.name)
            current = code.parent
        return tuple(reversed(names))

    def normalized(self) -> Project:
        """Return the project with its codings in one canonical order.

        A REFI-QDA export groups codings by source and selection, so the codings
        of a re-imported project may come in another order;
        ``a.normalized() == b.normalized()`` compares two projects regardless of it.
        Codings are ordered by source (in project order), start, end, code and id.
        """
        position = {s.id: i for i, s in enumerate(self.sources)}
        codings = sorted(
            self.codings,
            key=lambda c: (
                position.get(c.source_id, -1),
                c.start,
                c.end,
                c.code_id,
                c.id,
            ),
        )
        return replace(self, codings=tuple(codings))

    def codings_for(self, code_id: str) -> tuple[Coding, ...]:
        """Return the codings of ``code_id`` (not of its descendants)."""
        return tuple(c for c in self.codings if c.code_id == code_id)


# --------------------------------------------------------------------------- operations


def _check_code(project: Project, code_id: str) -> Code:
    return project.code(code_id)


def merge_codes(project: Project, *, sources: Sequence[str], target: str) -> Project:
    """Merge the codes ``sources`` into ``target``, keeping every coding.

    The codings of the merged codes are moved to ``target``, their children are
    re-attached to ``target``, memos and sets that referred to them now refer to
    ``target``, and the merged codes are removed.

    Parameters
    ----------
    project
        The project.
    sources
        Ids of the codes to merge away; ``target`` itself may not be among them.
    target
        Id of the code that receives the codings.

    Returns
    -------
    Project
        A new project.
    """
    _check_code(project, target)
    merged = set(sources)
    for code_id in merged:
        _check_code(project, code_id)
    if target in merged:
        raise SociaparisError(QualError.MERGE_INTO_ITSELF, code_id=target)
    ancestors = _ancestor_ids(project, target)
    cyclic = sorted(merged & ancestors)
    if cyclic:
        raise SociaparisError(QualError.CODE_CYCLE, code_id=cyclic[0], parent=target)

    def remap(code_id: str) -> str:
        return target if code_id in merged else code_id

    codes = tuple(
        replace(code, parent=remap(code.parent)) if code.parent is not None else code
        for code in project.codes
        if code.id not in merged
    )
    codings = tuple(
        replace(c, code_id=target) if c.code_id in merged else c for c in project.codings
    )
    memos = tuple(
        replace(
            memo,
            targets=_dedupe(
                replace(t, id=target) if t.kind == "code" and t.id in merged else t
                for t in memo.targets
            ),
        )
        for memo in project.memos
    )
    sets = tuple(
        replace(s, code_ids=_dedupe(remap(c) for c in s.code_ids)) for s in project.sets
    )
    return replace(project, codes=codes, codings=codings, memos=memos, sets=sets)


def _ancestor_ids(project: Project, code_id: str) -> set[str]:
    out: set[str] = set()
    current = project.code(code_id).parent
    while current is not None and current not in out:
        out.add(current)
        current = project.code(current).parent
    return out


def _dedupe(items: Iterable[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(items))


def split_code(
    project: Project, *, code_id: str, coding_ids: Iterable[str], new_code: Code
) -> Project:
    """Move the codings ``coding_ids`` of ``code_id`` to a new code.

    Parameters
    ----------
    project
        The project.
    code_id
        The code being split.
    coding_ids
        Ids of codings of ``code_id`` that go to ``new_code``.
    new_code
        The new code (its ``parent`` says where it goes in the hierarchy).

    Returns
    -------
    Project
        A new project with ``new_code`` appended to the codebook.
    """
    _check_code(project, code_id)
    if any(code.id == new_code.id for code in project.codes):
        raise SociaparisError(
            QualError.DUPLICATE_ID, kind=ITEM_KINDS["code"], id=new_code.id
        )
    if new_code.parent is not None:
        _check_code(project, new_code.parent)
    moving = set(coding_ids)
    known = {c.id for c in project.codings if c.code_id == code_id}
    unknown = sorted(moving - known)
    if unknown:
        raise SociaparisError(
            QualError.CODING_NOT_OF_CODE, coding_id=unknown[0], code_id=code_id
        )
    codings = tuple(
        replace(c, code_id=new_code.id) if c.id in moving else c for c in project.codings
    )
    return replace(project, codes=(*project.codes, new_code), codings=codings)


def move_code(project: Project, *, code_id: str, parent: str | None) -> Project:
    """Move ``code_id`` (with its sub-tree) under ``parent`` (``None``: top level)."""
    _check_code(project, code_id)
    if parent is not None:
        _check_code(project, parent)
        if parent == code_id or parent in {d.id for d in project.descendants(code_id)}:
            raise SociaparisError(QualError.CODE_CYCLE, code_id=code_id, parent=parent)
    codes = tuple(
        replace(c, parent=parent) if c.id == code_id else c for c in project.codes
    )
    return replace(project, codes=codes)


def nest_code_names(project: Project, *, separator: str = "::") -> Project:
    """Rebuild a hierarchy from flat code names such as ``"Outils::Albert"``.

    ATLAS.ti 8 exports its code hierarchy as flat codes whose names carry the
    path.  Each top-level code whose name contains ``separator`` is renamed to the
    last part and placed under the code named by the other parts; missing parent
    codes are created (with a GUID derived from their path), existing ones reused.
    Codings, memos and sets are untouched: code ids do not change.
    """
    by_path: dict[tuple[str, ...], str] = {}
    for code in project.codes:
        if code.parent is None and separator not in code.name:
            by_path.setdefault((code.name,), code.id)
    codes: list[Code] = []
    created: list[Code] = []

    def parent_id(path: tuple[str, ...]) -> str:
        if path not in by_path:
            new = Code(
                derived_guid("nested-code", *path),
                path[-1],
                parent=parent_id(path[:-1]) if len(path) > 1 else None,
            )
            created.append(new)
            by_path[path] = new.id
        return by_path[path]

    for code in project.codes:
        parts = tuple(p.strip() for p in code.name.split(separator))
        if code.parent is not None or len(parts) < 2 or not all(parts):
            codes.append(code)
            continue
        codes.append(replace(code, name=parts[-1], parent=parent_id(parts[:-1])))
        by_path.setdefault(parts, code.id)
    return replace(project, codes=(*codes, *created))


# --------------------------------------------------------------------------- validation


def validate(project: Project) -> list[Issue]:
    """Check ids, references, the code hierarchy and every offset against the text.

    The checks run in a fixed order (:data:`_CHECKS`), so the first issue is
    always the same for the same project.

    Returns
    -------
    list of Issue
        One entry per problem, empty when the project is consistent.  Codings and
        turns on a source whose text is unknown (``text is None``) are not checked.
    """
    index = _Index.of(project)
    return [issue for check in _CHECKS for issue in check(project, index)]


@dataclass(frozen=True, slots=True)
class _Index:
    """The project's items by id, built once for every check."""

    users: frozenset[str]
    codes: Mapping[str, Code]
    sources: Mapping[str, Source]
    variable_types: Mapping[str, str]
    cases: frozenset[str]
    codings: frozenset[str]
    memos: frozenset[str]

    @classmethod
    def of(cls, project: Project) -> _Index:
        """Index ``project`` (on a duplicate id, the last item wins)."""
        return cls(
            users=frozenset(u.id for u in project.users),
            codes={c.id: c for c in project.codes},
            sources={s.id: s for s in project.sources},
            variable_types={v.id: v.type for v in project.variables},
            cases=frozenset(c.id for c in project.cases),
            codings=frozenset(c.id for c in project.codings),
            memos=frozenset(m.id for m in project.memos),
        )


def _dangling(kind: str, item_id: str, ref: str) -> Issue:
    return Issue.of(
        QualError.DANGLING_REFERENCE, kind=ITEM_KINDS[kind], id=item_id, ref=ref
    )


def _duplicate_ids(project: Project, index: _Index) -> Iterator[Issue]:
    """An id used twice within one kind of item."""
    groups: dict[str, Sequence[object]] = {
        "user": project.users,
        "code": project.codes,
        "variable": project.variables,
        "case": project.cases,
        "source": project.sources,
        "coding": project.codings,
        "memo": project.memos,
        "set": project.sets,
    }
    for kind, items in groups.items():
        seen: set[str] = set()
        for item in items:
            item_id = item.id  # type: ignore[attr-defined]
            if item_id in seen:
                yield Issue.of(QualError.DUPLICATE_ID, kind=ITEM_KINDS[kind], id=item_id)
            seen.add(item_id)


def _code_parents(project: Project, index: _Index) -> Iterator[Issue]:
    """A code whose parent is not a code."""
    for code in project.codes:
        if code.parent is not None and code.parent not in index.codes:
            yield _dangling("code", code.id, code.parent)


def _code_cycles(project: Project, index: _Index) -> Iterator[Issue]:
    """A code whose chain of parents loops (one issue per code that reaches the loop)."""
    for code in project.codes:
        seen: set[str] = set()
        current: str | None = code.id
        while current is not None and current in index.codes:
            if current in seen:
                yield Issue.of(QualError.CODE_CYCLE, code_id=code.id, parent=code.parent)
                break
            seen.add(current)
            current = index.codes[current].parent


def _turn_spans(project: Project, index: _Index) -> Iterator[Issue]:
    """A turn outside its source's text."""
    for source in project.sources:
        if source.text is not None:
            for turn in source.turns:
                yield from _span_issues(
                    "turn", source, turn.start, turn.end, turn.speaker or ""
                )


def _coding_references(project: Project, index: _Index) -> Iterator[Issue]:
    """A coding's code, source, span and author, in that order for each coding."""
    for coding in project.codings:
        if coding.code_id not in index.codes:
            yield _dangling("coding", coding.id, coding.code_id)
        source = index.sources.get(coding.source_id)
        if source is None:
            yield _dangling("coding", coding.id, coding.source_id)
        elif source.text is not None:
            yield from _span_issues("coding", source, coding.start, coding.end, coding.id)
        if coding.created_by is not None and coding.created_by not in index.users:
            yield _dangling("coding", coding.id, coding.created_by)


def _selections(project: Project, index: _Index) -> Iterator[Issue]:
    """Codings of one selection (``selection_id``) on different spans."""
    spans: dict[str, tuple[str, int, int]] = {}
    for coding in project.codings:
        if coding.selection_id is not None:
            span = (coding.source_id, coding.start, coding.end)
            if spans.setdefault(coding.selection_id, span) != span:
                yield Issue.of(
                    QualError.SELECTION_MISMATCH,
                    coding_id=coding.id,
                    id=coding.selection_id,
                )


def _variable_types(project: Project, index: _Index) -> Iterator[Issue]:
    """A variable type REFI-QDA does not have."""
    for variable in project.variables:
        if variable.type not in VARIABLE_TYPES:
            yield Issue.of(
                QualError.BAD_VARIABLE_TYPE, id=variable.id, type=variable.type
            )


def _case_sources(project: Project, index: _Index) -> Iterator[Issue]:
    """A case that names a source the project does not have."""
    for case in project.cases:
        for ref in case.source_ids:
            if ref not in index.sources:
                yield _dangling("case", case.id, ref)


def _attribute_values(project: Project, index: _Index) -> Iterator[Issue]:
    """A case or source value of an unknown variable, or not of its variable's type."""
    for kind, owners in (("case", project.cases), ("source", project.sources)):
        for owner in owners:
            for ref, value in owner.values.items():
                if ref not in index.variable_types:
                    yield _dangling(kind, owner.id, ref)
                elif not _value_fits(value, index.variable_types[ref]):
                    yield Issue.of(
                        QualError.BAD_VALUE,
                        kind=ITEM_KINDS[kind],
                        id=owner.id,
                        value=value,
                        variable=ref,
                        type=index.variable_types[ref],
                    )


def _memo_targets(project: Project, index: _Index) -> Iterator[Issue]:
    """A memo on an unknown kind of target, a missing target, or a span off its text."""
    targets_by_kind: dict[str, Container[str]] = {
        "project": {""},
        "source": index.sources,
        "code": index.codes,
        "case": index.cases,
        "coding": index.codings,
        "span": index.sources,
    }
    for memo in project.memos:
        for target in memo.targets:
            if target.kind not in targets_by_kind:
                yield Issue.of(
                    QualError.BAD_MEMO_TARGET, memo_id=memo.id, kind=target.kind
                )
            elif target.id not in targets_by_kind[target.kind]:
                yield _dangling("memo", memo.id, target.id)
            elif target.kind == "span":
                source = index.sources[target.id]
                if source.text is not None:
                    yield from _span_issues(
                        "memo", source, target.start or 0, target.end or 0, memo.id
                    )


def _set_members(project: Project, index: _Index) -> Iterator[Issue]:
    """A set that lists a code, source or memo the project does not have."""
    for code_set in project.sets:
        for refs, known in (
            (code_set.code_ids, index.codes),
            (code_set.source_ids, index.sources),
            (code_set.memo_ids, index.memos),
        ):
            for ref in refs:
                if ref not in known:
                    yield _dangling("set", code_set.id, ref)


#: the checks of :func:`validate`, in the order their issues are listed
_CHECKS: tuple[Callable[[Project, _Index], Iterable[Issue]], ...] = (
    _duplicate_ids,
    _code_parents,
    _code_cycles,
    _turn_spans,
    _coding_references,
    _selections,
    _variable_types,
    _case_sources,
    _attribute_values,
    _memo_targets,
    _set_members,
)


def _value_fits(value: object, kind: str) -> bool:
    """Whether ``value`` is a Python value of the REFI-QDA variable type ``kind``."""
    if kind == "Text":
        return isinstance(value, str)
    if kind == "Boolean":
        return isinstance(value, bool)
    if kind == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "Float":
        return (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
        )
    if kind == "Date":
        return isinstance(value, date) and not isinstance(value, datetime)
    if kind == "DateTime":
        return isinstance(value, datetime)
    return False


def _span_issues(
    what: str, source: Source, start: int, end: int, label: str
) -> Iterator[Issue]:
    """``BAD_SPAN`` unless ``0 <= start < end <= len(text)``."""
    length = len(source.text or "")
    if not 0 <= start < end <= length:
        yield Issue.of(
            QualError.BAD_SPAN,
            what=ITEM_KINDS[what],
            label=label,
            source=source.name,
            start=start,
            end=end,
            length=length,
        )


def check(project: Project) -> Project:
    """Return ``project`` unchanged, or raise the first problem :func:`validate` finds."""
    issues = validate(project)
    if issues:
        raise SociaparisError(QualError.INVALID_PROJECT, problems=Issues(tuple(issues)))
    return project
