"""Builds REFI-QDA ``project.qde`` XML from a qualitative project."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from lxml import etree

from sociaparis.qual.io._refi_xml import (
    NS,
    format_description,
    selection_guid,
    split_selection_guid,
)
from sociaparis.qual.project import (
    Code,
    Coding,
    Memo,
    Project,
    Source,
    User,
    Value,
    children_by_parent,
    derived_guid,
)

# The author of what a project does not say who made: a user of its own, so
# that no one is credited with another person's work.
DEFAULT_USER_ID = derived_guid("sociaparis-export-user")
DEFAULT_USER_NAME = "sociaparis"
# the date of last resort, for a project that carries no date at all
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Filled = list[list[str]]  # [kind, id, "by" | "at"]: what with_authorship filled in


def with_authorship(project: Project) -> tuple[Project, Filled]:
    """Give every element that REFI-QDA dates an author and a creation date.

    The schema makes ``creatingUser`` and ``creationDateTime`` optional, but
    every producer writes them and importers rely on them (QualCoder's stops on
    a ``Note`` without a date). What the project does not know is filled in:
    the author with the project's creator, else a user ``sociaparis`` added for
    the purpose (never another of its users); the date with the project's creation
    (or modification) date, else the earliest date in the project, else
    1970-01-01 UTC. Nothing depends on the clock, so an export is reproducible.

    Returns
    -------
    tuple
        The project with the gaps filled, and the list of ``[kind, id, field]``
        filled in (kind ``project``, ``source``, ``coding``, ``memo`` or
        ``user`` for the added user), which :func:`without_authorship` undoes.
    """
    filled: Filled = []
    users = project.users
    author = project.created_by
    if author is None:
        author = DEFAULT_USER_ID
        users = (*users, User(DEFAULT_USER_ID, DEFAULT_USER_NAME))
        filled.append(["user", DEFAULT_USER_ID, "by"])
    dates = [
        d
        for d in (
            *(s.created_at for s in project.sources),
            *(s.modified_at for s in project.sources),
            *(c.created_at for c in project.codings),
            *(m.created_at for m in project.memos),
            *(m.modified_at for m in project.memos),
        )
        if d is not None
    ]
    when = (
        project.created_at
        or project.modified_at
        or (min(dates, key=_utc_key) if dates else EPOCH)
    )

    def fill(kind: str, item: Any, key: str) -> Any:
        changes: dict[str, Any] = {}
        if item.created_by is None:
            changes["created_by"] = author
            filled.append([kind, key, "by"])
        if item.created_at is None:
            changes["created_at"] = when
            filled.append([kind, key, "at"])
        return replace(item, **changes) if changes else item

    done = fill("project", project, "")
    done = replace(
        done,
        users=users,
        sources=tuple(fill("source", s, s.id) for s in project.sources),
        codings=tuple(fill("coding", c, c.id) for c in project.codings),
        memos=tuple(fill("memo", m, m.id) for m in project.memos),
    )
    return done, filled


def without_authorship(project: Project, filled: Filled) -> Project:
    """Undo :func:`with_authorship`: clear what it filled in (read back from
    ``sociaparis.json``), so that a sociaparis round trip is exact."""
    gaps: dict[tuple[str, str], set[str]] = {}
    for kind, key, what in filled:
        gaps.setdefault((str(kind), str(key).upper()), set()).add(str(what))

    def clear(kind: str, item: Any, key: str) -> Any:
        what = gaps.get((kind, key.upper()), set())
        changes: dict[str, Any] = {}
        if "by" in what:
            changes["created_by"] = None
        if "at" in what:
            changes["created_at"] = None
        return replace(item, **changes) if changes else item

    added = {key for (kind, key) in gaps if kind == "user"}
    done = clear("project", project, "")
    return replace(
        done,
        users=tuple(u for u in project.users if u.id.upper() not in added),
        sources=tuple(clear("source", s, s.id) for s in project.sources),
        codings=tuple(clear("coding", c, c.id) for c in project.codings),
        memos=tuple(clear("memo", m, m.id) for m in project.memos),
    )


def _utc_key(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _when(value: datetime) -> str:
    """An ``xsd:dateTime``, in UTC with ``Z`` when the time zone is known:
    QualCoder turns ``...T10:30:00+01:00`` into ``...T10:30:00+01:00Z`` when it
    exports the project again, which no reader accepts."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    return value.isoformat()


def _format_value(value: Value, kind: str) -> tuple[str, str]:
    if kind == "Boolean":
        return "BooleanValue", "true" if value else "false"
    if kind == "Integer":
        return "IntegerValue", str(int(value))  # type: ignore[arg-type]
    if kind == "Float":
        number = Decimal(repr(float(value)))  # type: ignore[arg-type]
        if not number.is_finite():
            raise ValueError(f"{value!r} cannot be written as an xsd:decimal")
        return "FloatValue", format(number, "f")
    if kind == "Date":
        return "DateValue", value.isoformat()  # type: ignore[union-attr]
    if kind == "DateTime":
        return "DateTimeValue", _when(value)  # type: ignore[arg-type]
    return "TextValue", str(value)


class Writer:
    """Builds the ``Project`` element of a :class:`Project`."""

    def __init__(self, project: Project, *, embed_text: bool) -> None:
        self.project = project
        self.children = children_by_parent(project.codes)
        self.embed_text = embed_text
        self.notes: list[etree._Element] = []
        self.note_files: list[tuple[str, str]] = []  # (name in sources/, text)
        self.types = {v.id: v.type for v in project.variables}
        self.memo_refs: dict[tuple[str, str, int | None, int | None], list[str]] = {}
        self.memo_by_id = {m.id: m for m in project.memos}
        self.codings_by_source: dict[str, list[Coding]] = {}
        for coding in project.codings:
            self.codings_by_source.setdefault(coding.source_id, []).append(coding)
        self.span_memos: dict[str, list[tuple[int, int]]] = {}
        for memo in project.memos:
            for t in memo.targets:
                if t.kind == "span":
                    self.span_memos.setdefault(t.id, []).append(
                        (t.start or 0, t.end or 0)
                    )
        self.case_spans: dict[str, list[tuple[int, int]]] = {}
        for case in project.cases:
            for source_id, start, end in case.selections:
                self.case_spans.setdefault(source_id, []).append((start, end))
        for memo in project.memos:
            for t in memo.targets:
                self.memo_refs.setdefault((t.kind, t.id, t.start, t.end), []).append(
                    memo.id
                )

    def el(self, parent: etree._Element | None, tag: str, **attrs: Any) -> etree._Element:
        clean = {k: v for k, v in attrs.items() if v is not None}
        for key, value in clean.items():
            if isinstance(value, datetime):
                clean[key] = _when(value)
        if parent is None:
            return etree.Element(f"{{{NS}}}{tag}", clean, nsmap={None: NS})
        return etree.SubElement(parent, f"{{{NS}}}{tag}", clean)

    def text_el(self, parent: etree._Element, tag: str, text: str) -> None:
        if text:
            self.el(parent, tag).text = text

    def note_refs(self, parent: etree._Element, kind: str, target_id: str = "") -> None:
        for memo_id in self.memo_refs.get((kind, target_id, None, None), []):
            self.el(parent, "NoteRef", targetGUID=memo_id)

    def xml(self) -> bytes:
        p = self.project
        root = self.el(
            None,
            "Project",
            name=p.name,
            origin=p.origin or None,
            creatingUserGUID=p.created_by,
            creationDateTime=p.created_at,
            modifyingUserGUID=p.modified_by,
            modifiedDateTime=p.modified_at,
            basePath=p.base_path or None,
        )
        if p.users:
            users = self.el(root, "Users")
            for user in p.users:
                self.el(
                    users, "User", guid=user.id, name=user.name or None, id=user.user_id
                )
        if p.codes:
            codes = self.el(self.el(root, "CodeBook"), "Codes")
            for code in self.children.get(None, []):
                self.code(codes, code)
        if p.variables:
            variables = self.el(root, "Variables")
            for v in p.variables:
                element = self.el(
                    variables, "Variable", guid=v.id, name=v.name, typeOfVariable=v.type
                )
                self.text_el(element, "Description", v.description)
        if p.cases:
            cases = self.el(root, "Cases")
            for case in p.cases:
                element = self.el(cases, "Case", guid=case.id, name=case.name)
                self.text_el(element, "Description", case.description)
                self.values(element, case.values)
                for source_id in case.source_ids:
                    self.el(element, "SourceRef", targetGUID=source_id)
                for source_id, start, end in case.selections:
                    guid = case_selection_guid(source_id, start, end)
                    self.el(element, "SelectionRef", targetGUID=guid)
        if p.sources:
            sources = self.el(root, "Sources")
            for source in p.sources:
                self.source(sources, source)
        notes = [*self.memo_notes(), *self.notes]
        if notes:
            notes_el = self.el(root, "Notes")
            for note in notes:
                notes_el.append(note)
        links = [
            (memo.id, t.id) for memo in p.memos for t in memo.targets if t.kind == "case"
        ]
        if links:
            links_el = self.el(root, "Links")
            for memo_id, case_id in links:
                self.el(
                    links_el,
                    "Link",
                    guid=derived_guid("memo-link", memo_id, case_id),
                    name="Memo",
                    direction="OneWay",
                    originGUID=memo_id,
                    targetGUID=case_id,
                )
        if p.sets:
            sets = self.el(root, "Sets")
            for s in p.sets:
                element = self.el(sets, "Set", guid=s.id, name=s.name)
                self.text_el(element, "Description", s.description)
                for tag, ids in (
                    ("MemberCode", s.code_ids),
                    ("MemberSource", s.source_ids),
                    ("MemberNote", s.memo_ids),
                ):
                    for ref in ids:
                        self.el(element, tag, targetGUID=ref)
        self.text_el(root, "Description", p.description)
        self.note_refs(root, "project")
        etree.cleanup_namespaces(root)
        return etree.tostring(
            root, xml_declaration=True, encoding="UTF-8", pretty_print=True
        )

    def code(self, parent: etree._Element, code: Code) -> None:
        element = self.el(
            parent,
            "Code",
            guid=code.id,
            name=code.name,
            isCodable="true" if code.codable else "false",
            color=code.color,
        )
        self.text_el(
            element,
            "Description",
            format_description(
                code.description, code.inclusion, code.exclusion, code.example
            ),
        )
        self.note_refs(element, "code", code.id)
        for child in self.children.get(code.id, []):
            self.code(element, child)

    def values(self, parent: etree._Element, values: Mapping[str, Value]) -> None:
        for variable_id, value in values.items():
            item = self.el(parent, "VariableValue")
            self.el(item, "VariableRef", targetGUID=variable_id)
            tag, text = _format_value(value, self.types[variable_id])
            self.el(item, tag).text = text

    def source(self, parent: etree._Element, source: Source) -> None:
        path = None
        if source.text is None:
            path = source.text_path
        elif not self.embed_text:
            path = f"internal://{source.id}.txt"
        element = self.el(
            parent,
            "TextSource",
            guid=source.id,
            name=source.name,
            plainTextPath=path,
            creatingUser=source.created_by,
            creationDateTime=source.created_at,
            modifyingUser=source.modified_by,
            modifiedDateTime=source.modified_at,
        )
        self.text_el(element, "Description", source.description)
        if self.embed_text and source.text is not None:
            self.el(element, "PlainTextContent").text = source.text
        groups: dict[str, list[Coding]] = {}
        spans: dict[str, tuple[int, int]] = {}
        for coding in self.codings_by_source.get(source.id, []):
            key = coding.selection_id or selection_guid(
                source.id, coding.start, coding.end
            )
            groups.setdefault(key, []).append(coding)
            spans[key] = (coding.start, coding.end)
        # QualCoder (and MAXQDA) take a coding's coder from its selection's
        # creatingUser and its memo from the selection's Description: the
        # codings of one selection must share both.  A span coded by several
        # coders, or with memos that differ, gets one selection per coder and
        # memo (a selection that came with its own id, from another tool, is
        # kept as it was).
        for key, codings in list(groups.items()):
            kinds = {(c.created_by, c.memo) for c in codings}
            if len(kinds) > 1 and all(c.selection_id is None for c in codings):
                del groups[key]
                for coding in codings:
                    own = split_selection_guid(
                        source.id,
                        coding.start,
                        coding.end,
                        coding.created_by,
                        coding.memo,
                    )
                    groups.setdefault(own, []).append(coding)
                    spans[own] = spans[key]
        # Memos on a span go on a selection without codings, the shape that
        # QualCoder reads as an annotation (on a coded one, it sees none).
        coded = set(spans.values())
        for start, end in dict.fromkeys(self.span_memos.get(source.id, [])):
            if (start, end) in coded:
                key = derived_guid("annotation", source.id, str(start), str(end))
            else:
                key = selection_guid(source.id, start, end)
            spans[key] = (start, end)
            groups.setdefault(key, [])
        for key, codings in groups.items():
            start, end = spans[key]
            first: Coding | Memo | None = codings[0] if codings else None
            memos = {c.memo for c in codings}
            span_memo = self.memo_refs.get(("span", source.id, start, end), [])
            if first is None and span_memo:
                first = self.memo_by_id[span_memo[0]]
            selection = self.el(
                element,
                "PlainTextSelection",
                guid=key,
                name=(source.text or "")[start:end][:100] or None,
                startPosition=str(start),
                endPosition=str(end),
                creatingUser=first.created_by if first else None,
                creationDateTime=first.created_at if first else None,
            )
            if len(memos) == 1 and None not in memos:
                self.text_el(selection, "Description", next(iter(memos)) or "")
            elif not codings and len(span_memo) == 1:
                # an annotation: where QualCoder reads it (the note stays too)
                self.text_el(selection, "Description", self.memo_by_id[span_memo[0]].text)
            for coding in codings:
                item = self.el(
                    selection,
                    "Coding",
                    guid=coding.id,
                    creatingUser=coding.created_by,
                    creationDateTime=coding.created_at,
                )
                self.el(item, "CodeRef", targetGUID=coding.code_id)
                if coding.memo is not None:
                    note_id = derived_guid("coding-memo", coding.id)
                    note = self.el(
                        None,
                        "Note",
                        guid=note_id,
                        creatingUser=coding.created_by,
                        creationDateTime=coding.created_at,
                    )
                    self.el(note, "PlainTextContent").text = coding.memo
                    self.notes.append(note)
                    self.el(item, "NoteRef", targetGUID=note_id)
                self.note_refs(item, "coding", coding.id)
            if not codings:
                for memo_id in span_memo:
                    self.el(selection, "NoteRef", targetGUID=memo_id)
        # a participant's turns: bare selections that its case refers to
        for start, end in dict.fromkeys(self.case_spans.get(source.id, [])):
            self.el(
                element,
                "PlainTextSelection",
                guid=case_selection_guid(source.id, start, end),
                name=(source.text or "")[start:end][:100] or None,
                startPosition=str(start),
                endPosition=str(end),
            )
        self.note_refs(element, "source", source.id)
        self.values(element, source.values)

    def memo_notes(self) -> list[etree._Element]:
        """The memos as notes.  In an archive, a free memo's text goes in a file
        of ``sources/``: QualCoder only takes a note with a ``plainTextPath`` as
        a journal (:attr:`note_files` lists the files to write)."""
        notes = []
        for memo in self.project.memos:
            path = None
            if not self.embed_text and not memo.targets:
                path = f"internal://{memo.id}.txt"
                self.note_files.append((f"{memo.id}.txt", memo.text))
            note = self.el(
                None,
                "Note",
                guid=memo.id,
                name=memo.name or None,
                plainTextPath=path,
                creatingUser=memo.created_by,
                creationDateTime=memo.created_at,
                modifyingUser=memo.modified_by,
                modifiedDateTime=memo.modified_at,
            )
            self.text_el(note, "Description", memo.description)
            if path is None:
                self.el(note, "PlainTextContent").text = memo.text
            notes.append(note)
        return notes


def case_selection_guid(source_id: str, start: int, end: int) -> str:
    """The GUID of the selection by which a case holds ``start..end`` of a source."""
    return derived_guid("case-selection", source_id, str(start), str(end))
