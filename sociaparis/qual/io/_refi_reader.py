"""Reads a parsed REFI-QDA ``Project`` element into a qualitative project.

:func:`~sociaparis.qual.io.refi_qda.read_qdpx` and ``read_qde`` parse the XML
(hardened: :func:`~sociaparis.qual.io._refi_xml.parse_xml`) and hand the root
element to :meth:`Reader.read`, with a ``load_text`` callback that returns the
text of an ``internal://`` source file of the archive (or ``None``).  The
reader then walks the tree once, in the order of the schema:

1. users, the code book (nested codes), variables;
2. text sources, with their selections: each ``Coding`` of a
   ``PlainTextSelection`` becomes a :class:`~sociaparis.qual.project.Coding` on
   that span (offsets are code points, end exclusive);
3. cases, then ``Links`` (a memo on a case, code, source or selection is a link
   from its note), and last the notes and the sets: ``NoteRef`` elements met
   anywhere on the way are only collected (:attr:`Reader.note_refs`) and
   resolved then, since a note may be referenced before it is read;
4. :meth:`Reader.clean` drops what points to things that were not imported,
   and adds the authors the file names without declaring them as users.

What the model cannot hold (other source kinds, graphs, other links, unknown
elements) is reported as a warning (``QUAL_130``) in
:attr:`~sociaparis.qual.io._refi_xml.ImportResult.warnings`, never dropped in
silence; malformed values (a bad GUID, date or number, a missing required
attribute) raise :class:`~sociaparis.core.errors.SociaparisError`.
:func:`apply_extension` then adds the speaker turns sociaparis keeps in
``sociaparis.json`` inside the archive (REFI-QDA has no place for them).
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from lxml import etree

from sociaparis.core.errors import Issue, Reason, SociaparisError
from sociaparis.qual.errors import QualError
from sociaparis.qual.io._refi_writer import without_authorship
from sociaparis.qual.io._refi_xml import (
    EXTENSION_NAME,
    GUID_RE,
    NS,
    VALUE_TAGS,
    ImportResult,
    inside,
    local_name,
    parse_description,
    selection_guid,
    split_selection_guid,
)
from sociaparis.qual.io._safety import check_seconds
from sociaparis.qual.project import (
    Case,
    Code,
    CodeSet,
    Coding,
    Memo,
    MemoTarget,
    Project,
    Source,
    Turn,
    User,
    Value,
    Variable,
    derived_guid,
)


class Reader:
    """Turns a parsed ``Project`` element into a :class:`Project`.

    One reader reads one document: :meth:`read` keeps its state (the warnings,
    the note references and selection spans met so far) on the instance.

    Parameters
    ----------
    path
        The file name shown in messages.
    load_text
        Returns the text of a source's ``plainTextPath`` (``internal://...``), or
        ``None`` when it cannot (a bare ``.qde`` has no archive).
    """

    def __init__(self, path: str, load_text: Callable[[str], str | None]) -> None:
        self.path = path
        self.load_text = load_text
        self.warnings: list[Issue] = []

    # helpers
    def warn(self, error: QualError, **context: object) -> None:
        """Record a warning of ``error`` for this file."""
        self.warnings.append(Issue.of(error, path=self.path, **context))

    def kids(self, element: etree._Element, name: str) -> list[etree._Element]:
        """The children of ``element`` named ``name``, whatever their namespace."""
        return [child for child in element if local_name(child) == name]

    def kid(self, element: etree._Element, name: str) -> etree._Element | None:
        """The first child named ``name``, or None."""
        found = self.kids(element, name)
        return found[0] if found else None

    def text_of(self, element: etree._Element, name: str) -> str:
        """The text of the child ``name`` (e.g. ``Description``); ``""`` if none."""
        child = self.kid(element, name)
        return (child.text or "") if child is not None else ""

    def unknown(self, element: etree._Element, known: Iterable[str]) -> None:
        """Warn (``QUAL_130``) about each child element not in ``known``."""
        allowed = set(known)
        for child in element:
            # comments and processing instructions have a non-string tag
            if isinstance(child.tag, str) and local_name(child) not in allowed:
                self.warn(
                    QualError.UNSUPPORTED_ELEMENT,
                    element=local_name(child),
                    name=child.get("name", ""),
                    detail=inside(local_name(element)),
                )

    def guid(self, element: etree._Element, attribute: str = "guid") -> str:
        """The required GUID ``attribute`` of ``element``, normalized."""
        value = element.get(attribute)
        if value is None:
            raise self.missing(element, attribute)
        return self.check_guid(element, attribute, value)

    def check_guid(self, element: etree._Element, attribute: str, value: str) -> str:
        """``value`` as an upper-case GUID without braces (tools write both forms
        and either case); ``QUAL_120`` if it is not a GUID."""
        value = value.strip()
        if not GUID_RE.match(value):
            raise self.bad_value(
                element,
                attribute,
                value,
                Reason(en="not a GUID", fr="ce n'est pas un GUID"),
            )
        return value.strip("{}").upper()

    def opt_guid(self, element: etree._Element, attribute: str) -> str | None:
        """The optional GUID ``attribute``, normalized, or None."""
        value = element.get(attribute)
        return None if value is None else self.check_guid(element, attribute, value)

    def bad_value(
        self, element: etree._Element, attribute: str, value: str, reason: Reason
    ) -> SociaparisError:
        """``QUAL`` error for an attribute whose value is not of its XML type."""
        return SociaparisError(
            QualError.XML_BAD_VALUE,
            path=self.path,
            element=local_name(element),
            attribute=attribute,
            value=value,
            reason=reason,
        )

    def missing(self, element: etree._Element, attribute: str) -> SociaparisError:
        """``QUAL`` error for a required attribute that is absent."""
        return SociaparisError(
            QualError.XML_MISSING,
            path=self.path,
            element=local_name(element),
            attribute=attribute,
        )

    def when(self, element: etree._Element, attribute: str) -> datetime | None:
        """The optional ``xsd:dateTime`` ``attribute``, or None."""
        value = element.get(attribute)
        if value is None:
            return None
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise self.bad_value(
                element,
                attribute,
                value,
                Reason(en="not an xsd:dateTime", fr="ce n'est pas un xsd:dateTime"),
            ) from exc

    def integer(self, element: etree._Element, attribute: str) -> int:
        """The required integer ``attribute`` (a selection's positions)."""
        value = element.get(attribute)
        if value is None:
            raise self.missing(element, attribute)
        try:
            return int(value.strip())
        except ValueError as exc:
            raise self.bad_value(
                element,
                attribute,
                value,
                Reason(en="not an integer", fr="ce n'est pas un entier"),
            ) from exc

    def refs(self, element: etree._Element, name: str) -> list[str]:
        """The ``targetGUID`` of each child ``name`` (``NoteRef``, ``SourceRef``...)."""
        return [self.guid(ref, "targetGUID") for ref in self.kids(element, name)]

    # the document
    def read(self, root: etree._Element) -> ImportResult:
        """Read the ``Project`` element ``root`` (steps in the module docstring).

        Returns
        -------
        ImportResult
            The project, cleaned by :meth:`clean`, and the warnings.

        Raises
        ------
        SociaparisError
            ``QUAL_119`` for a root that is not ``Project``, ``QUAL_121`` for a
            missing required attribute, ``QUAL_120`` for a malformed value.
        """
        if local_name(root) != "Project":
            raise SociaparisError(
                QualError.XML_WRONG_ROOT,
                path=self.path,
                found=local_name(root),
                expected="Project",
            )
        # (note GUID, what it is attached to), from every NoteRef met on the way
        self.note_refs: list[tuple[str, MemoTarget]] = []
        # the Description of each selection: (selection GUID, text, its
        # codings' GUIDs, its span, author, date); see read_selection
        self.selection_descriptions: list[
            tuple[str, str, list[str], MemoTarget, str | None, datetime | None]
        ] = []
        self.origin = root.get("origin", "")
        # selection GUID -> its span, for the Links that point to a selection
        self.selection_spans: dict[str, MemoTarget] = {}
        # selections a case refers to (a participant's turns) are not empty
        self.case_selections = {
            ref
            for group in self.kids(root, "Cases")
            for case in self.kids(group, "Case")
            for ref in self.refs(case, "SelectionRef")
        }
        self.unknown(
            root,
            (
                "Users",
                "CodeBook",
                "Variables",
                "Cases",
                "Sources",
                "Notes",
                "Links",
                "Sets",
                "Graphs",
                "Description",
                "NoteRef",
            ),
        )
        users = [
            User(self.guid(u), u.get("name", ""), u.get("id"))
            for users in self.kids(root, "Users")
            for u in self.kids(users, "User")
        ]
        codes: list[Code] = []
        for book in self.kids(root, "CodeBook"):
            for codes_el in self.kids(book, "Codes"):
                for code in self.kids(codes_el, "Code"):
                    self.read_code(code, None, codes)
        variables = [
            Variable(
                self.guid(v),
                v.get("name", ""),
                self.variable_type(v),
                self.text_of(v, "Description"),
            )
            for group in self.kids(root, "Variables")
            for v in self.kids(group, "Variable")
        ]
        # read_values (sources and cases) checks each value against its variable
        self.variable_types = {v.id: v.type for v in variables}
        sources: list[Source] = []
        codings: list[Coding] = []
        for group in self.kids(root, "Sources"):
            for element in group:
                kind = local_name(element)
                if kind == "TextSource":
                    sources.append(self.read_source(element, codings))
                elif kind:
                    n = len(element.findall(f".//{{{NS}}}Coding"))
                    self.warn(
                        QualError.UNSUPPORTED_ELEMENT,
                        element=kind,
                        name=element.get("name", ""),
                        detail=Reason(
                            en=f", with its {n} coding(s)", fr=f", avec ses {n} codage(s)"
                        )
                        if n
                        else "",
                    )
        for graph in (g for group in self.kids(root, "Graphs") for g in group):
            self.warn(
                QualError.UNSUPPORTED_ELEMENT,
                element=local_name(graph),
                name=graph.get("name", ""),
                detail=Reason(en=" (a network view)", fr=" (une vue en réseau)"),
            )
        cases: list[Case] = []
        document_values: dict[str, dict[str, Value]] = {}
        for case in (c for g in self.kids(root, "Cases") for c in self.kids(g, "Case")):
            source_refs = self.refs(case, "SourceRef")
            if (
                case.get("name") is None
                and len(source_refs) == 1
                and not self.text_of(case, "Description")
                and not self.kids(case, "CodeRef")
                and not self.kids(case, "SelectionRef")
            ):
                # MAXQDA and Quirkos write a document's attributes as a case
                # without a name that holds that one document (QualCoder reads
                # them so too); on the source itself, they are read_source's
                self.unknown(case, ("VariableValue", "SourceRef", "Description"))
                values = document_values.setdefault(source_refs[0], {})
                values.update(self.read_values(case))
                continue
            cases.append(self.read_case(case))
        if document_values:
            known_sources = {s.id for s in sources}
            for source_id in sorted(set(document_values) - known_sources):
                self.warn(QualError.DROPPED_REFERENCE, element="Case", ref=source_id)
            sources = [
                replace(s, values={**document_values[s.id], **s.values})
                if s.id in document_values
                else s
                for s in sources
            ]
        for ref in self.refs(root, "NoteRef"):
            self.note_refs.append((ref, MemoTarget("project")))
        notes = [n for g in self.kids(root, "Notes") for n in self.kids(g, "Note")]
        case_ids = {c.id for c in cases}
        note_ids = {self.guid(n) for n in notes}
        # The only links the model holds are from a note to what it annotates:
        # that is how a memo on a case is written (cases have no NoteRef).
        for group in self.kids(root, "Links"):
            for link in self.kids(group, "Link"):
                origin = self.opt_guid(link, "originGUID")
                target = self.opt_guid(link, "targetGUID")
                known = {
                    **{c.id: MemoTarget("code", c.id) for c in codes},
                    **{s.id: MemoTarget("source", s.id) for s in sources},
                    **{c: MemoTarget("case", c) for c in case_ids},
                    **self.selection_spans,
                }
                if origin in note_ids and target in known:
                    self.note_refs.append((origin, known[target]))
                else:
                    self.warn(
                        QualError.UNSUPPORTED_ELEMENT,
                        element="Link",
                        name=link.get("name", ""),
                        detail=Reason(
                            en=f" (from {origin} to {target})",
                            fr=f" (de {origin} à {target})",
                        ),
                    )
        raw_sets = [
            (
                s,
                self.refs(s, "MemberCode"),
                self.refs(s, "MemberSource"),
                self.refs(s, "MemberNote"),
            )
            for g in self.kids(root, "Sets")
            for s in self.kids(g, "Set")
        ]
        # Notes come last: every NoteRef and Link to them is known by now, and
        # the set members tell which notes must stay memos.
        memos, codings = self.read_notes(notes, codings, raw_sets)
        project = Project(
            name=root.get("name", ""),
            origin=root.get("origin", ""),
            description=self.text_of(root, "Description"),
            created_by=self.opt_guid(root, "creatingUserGUID"),
            created_at=self.when(root, "creationDateTime"),
            modified_by=self.opt_guid(root, "modifyingUserGUID"),
            modified_at=self.when(root, "modifiedDateTime"),
            base_path=root.get("basePath", ""),
            users=tuple(users),
            codes=tuple(codes),
            variables=tuple(variables),
            cases=tuple(cases),
            sources=tuple(sources),
            codings=tuple(codings),
            memos=tuple(memos),
        )
        # sets last: their members are checked against the memos just made
        project = replace(project, sets=tuple(self.read_sets(raw_sets, project)))
        return ImportResult(self.clean(project), tuple(self.warnings))

    def variable_type(self, element: etree._Element) -> Any:
        """A variable's ``typeOfVariable`` (default ``Text``); an error if it
        is not a REFI-QDA type (``QUAL_120``)."""
        kind = element.get("typeOfVariable", "Text").strip()
        if kind not in VALUE_TAGS.values():
            raise SociaparisError(
                QualError.XML_BAD_VALUE,
                path=self.path,
                element="Variable",
                attribute="typeOfVariable",
                value=kind,
                reason=Reason(
                    en="not one of " + ", ".join(VALUE_TAGS.values()),
                    fr="ce n'est pas l'un des types " + ", ".join(VALUE_TAGS.values()),
                ),
            )
        return kind

    def read_code(
        self, element: etree._Element, parent: str | None, out: list[Code]
    ) -> None:
        """Append the code ``element`` and, depth first, its sub-codes to ``out``.

        Inclusion, exclusion and example criteria are read back from the
        sections of its ``Description`` (:func:`parse_description`).
        """
        self.unknown(element, ("Description", "NoteRef", "Code"))
        code_id = self.guid(element)
        description, inclusion, exclusion, example = parse_description(
            self.text_of(element, "Description")
        )
        color = element.get("color")
        out.append(
            Code(
                id=code_id,
                name=element.get("name", ""),
                description=description,
                inclusion=inclusion,
                exclusion=exclusion,
                example=example,
                color=color.strip().upper() if color else None,
                parent=parent,
                codable=element.get("isCodable", "true").strip() in ("true", "1"),
            )
        )
        for ref in self.refs(element, "NoteRef"):
            self.note_refs.append((ref, MemoTarget("code", code_id)))
        for child in self.kids(element, "Code"):
            self.read_code(child, code_id, out)

    def read_values(self, element: etree._Element) -> dict[str, Value]:
        """The ``VariableValue`` children of a source or case, by variable GUID.

        A value of another type than its variable's is left out with a
        ``QUAL_137`` warning; a variable that is not declared is kept here and
        dropped by :meth:`clean`.
        """
        values: dict[str, Value] = {}
        for item in self.kids(element, "VariableValue"):
            ref = self.kid(item, "VariableRef")
            if ref is None:
                raise self.missing(item, "VariableRef")
            variable = self.guid(ref, "targetGUID")
            for child in item:
                tag = local_name(child)
                if tag not in VALUE_TAGS:
                    continue
                value = self.value(tag, child.text or "")
                declared = self.variable_types.get(variable)
                # a whole number in a Float variable is a float written without
                # decimals, not a type error
                if declared == "Float" and tag == "IntegerValue":
                    value = float(value)  # type: ignore[arg-type]
                elif declared is not None and declared != VALUE_TAGS[tag]:
                    self.warn(
                        QualError.VALUE_TYPE_MISMATCH,
                        value=child.text or "",
                        variable=variable,
                        found=VALUE_TAGS[tag],
                        expected=declared,
                    )
                    continue
                values[variable] = value
        return values

    def value(self, tag: str, text: str) -> Value:
        """The Python value of a ``<tag>`` value element's text; ``QUAL_120`` if
        it does not parse.  Text is kept as written (its spaces are content)."""
        raw = text if tag == "TextValue" else text.strip()
        try:
            if tag == "BooleanValue":
                if raw not in ("true", "false", "1", "0"):
                    raise ValueError(raw)
                return raw in ("true", "1")
            if tag == "IntegerValue":
                return int(raw)
            if tag == "FloatValue":
                return float(raw)
            if tag == "DateValue":
                return date.fromisoformat(raw)
            if tag == "DateTimeValue":
                return datetime.fromisoformat(raw)
        except ValueError as exc:
            raise SociaparisError(
                QualError.XML_BAD_VALUE,
                path=self.path,
                element=tag,
                attribute="value",
                value=raw,
                reason=Reason(
                    en=f"not a valid {VALUE_TAGS[tag]}",
                    fr=f"ce n'est pas une valeur {VALUE_TAGS[tag]} valide",
                ),
            ) from exc
        return raw

    def read_source(self, element: etree._Element, codings: list[Coding]) -> Source:
        """Read a ``TextSource``; append the codings of its selections to ``codings``.

        The text is the inline ``PlainTextContent``, else the archive file named
        by ``plainTextPath``; without either, the source is kept with
        ``text=None`` (``QUAL_131`` warning) and its offsets are not checked.
        """
        self.unknown(
            element,
            ("Description", "PlainTextContent", "PlainTextSelection", "Coding", "NoteRef")
            + ("VariableValue",),
        )
        source_id = self.guid(element)
        name = element.get("name", "")
        text_path = element.get("plainTextPath")
        content = self.kid(element, "PlainTextContent")
        text: str | None
        if content is not None:
            text = content.text or ""
        elif text_path:
            text = self.load_text(text_path)
        else:
            text = None
        if text is None:
            self.warn(
                QualError.SOURCE_TEXT_MISSING,
                name=name,
                ref=text_path or Reason(en="no path", fr="aucun chemin"),
            )
        else:
            # text_path only keeps the reference of a text that could not be
            # read, so that an export can write it back (Source docstring)
            text_path = None
            if not unicodedata.is_normalized("NFC", text):
                self.warn(QualError.TEXT_NOT_NFC, name=name)
        if element.get("richTextPath"):
            self.warn(
                QualError.UNSUPPORTED_ELEMENT,
                element="TextSource richTextPath",
                name=name,
                detail=Reason(
                    en=" (the plain text is imported, the formatted copy is not)",
                    fr=" (le texte brut est importé, la copie mise en forme ne l'est "
                    "pas)",
                ),
            )
        for _ in self.kids(element, "Coding"):
            self.warn(
                QualError.UNSUPPORTED_ELEMENT,
                element="Coding",
                name=name,
                detail=Reason(
                    en=" (a coding of a whole source without a selection)",
                    fr=" (un codage de toute la source, sans sélection)",
                ),
            )
        for selection in self.kids(element, "PlainTextSelection"):
            self.read_selection(selection, source_id, name, text, codings)
        for ref in self.refs(element, "NoteRef"):
            self.note_refs.append((ref, MemoTarget("source", source_id)))
        return Source(
            id=source_id,
            name=name,
            text=text,
            description=self.text_of(element, "Description"),
            values=self.read_values(element),
            created_by=self.opt_guid(element, "creatingUser"),
            created_at=self.when(element, "creationDateTime"),
            modified_by=self.opt_guid(element, "modifyingUser"),
            modified_at=self.when(element, "modifiedDateTime"),
            text_path=text_path,
        )

    def read_selection(
        self,
        element: etree._Element,
        source_id: str,
        name: str,
        text: str | None,
        codings: list[Coding],
    ) -> None:
        """Read a ``PlainTextSelection``: one coding per ``Coding`` on its span.

        A span outside the text is skipped with a ``QUAL_133`` warning (a
        coding with wrong offsets would show the wrong words); a selection
        with neither coding, description nor note gets a ``QUAL_135`` warning.
        """
        self.unknown(element, ("Description", "Coding", "NoteRef"))
        selection_id = self.guid(element)
        start = self.integer(element, "startPosition")
        end = self.integer(element, "endPosition")
        if text is not None and not 0 <= start < end <= len(text):
            self.warn(
                QualError.SPAN_OUTSIDE_TEXT,
                name=name,
                start=start,
                end=end,
                length=len(text),
            )
            return
        # The writer derives a selection's GUID from its span; only a GUID it
        # would not derive (another tool's) is kept, so that a project written
        # again gets the same GUIDs.
        kept_id = (
            None
            if selection_id == selection_guid(source_id, start, end)
            else selection_id
        )
        span = MemoTarget("span", source_id, start, end)
        self.selection_spans[selection_id] = span
        description = self.text_of(element, "Description")
        found = self.kids(element, "Coding")
        selection_by = self.opt_guid(element, "creatingUser")
        selection_at = self.when(element, "creationDateTime")
        if description:
            # resolved in read_notes, once the coding memos are known: a
            # coding's memo (QualCoder, MAXQDA, sociaparis), a note's copy
            # (sociaparis) or a comment on the span (ATLAS.ti quotations)
            self.selection_descriptions.append(
                (
                    selection_id,
                    description,
                    [self.guid(c) for c in found],
                    span,
                    selection_by,
                    selection_at,
                )
            )
        note_refs = self.refs(element, "NoteRef")
        for ref in note_refs:
            self.note_refs.append((ref, span))
        if (
            not found
            and not description
            and not note_refs
            and selection_id not in self.case_selections
        ):
            self.warn(QualError.EMPTY_SELECTION, name=name, start=start, end=end)
        for coding in found:
            self.unknown(coding, ("CodeRef", "NoteRef"))
            coding_id = self.guid(coding)
            coding_by = self.opt_guid(coding, "creatingUser") or selection_by
            ref = self.kid(coding, "CodeRef")
            if ref is None:
                raise self.missing(coding, "CodeRef")
            codings.append(
                Coding(
                    id=coding_id,
                    source_id=source_id,
                    code_id=self.guid(ref, "targetGUID"),
                    start=start,
                    end=end,
                    # QualCoder dates the selection, not the coding
                    created_by=coding_by,
                    created_at=self.when(coding, "creationDateTime") or selection_at,
                    selection_id=(
                        None
                        if selection_id
                        == split_selection_guid(
                            source_id, start, end, coding_by, description or None
                        )
                        else kept_id
                    ),
                )
            )
            for note in self.refs(coding, "NoteRef"):
                self.note_refs.append((note, MemoTarget("coding", coding_id)))

    def read_case(self, element: etree._Element) -> Case:
        """Read a ``Case``: its values, member sources and member selections (a
        focus-group participant's turns); codes as members are reported, not
        held."""
        self.unknown(
            element,
            ("Description", "CodeRef", "VariableValue", "SourceRef", "SelectionRef"),
        )
        for _ in self.kids(element, "CodeRef"):
            self.warn(
                QualError.UNSUPPORTED_ELEMENT,
                element="CodeRef",
                name=element.get("name", ""),
                detail=Reason(
                    en=" (inside <Case>; only sources and selections are held as case "
                    "members)",
                    fr=" (dans <Case> ; seules les sources et les sélections sont "
                    "conservées comme membres d'un cas)",
                ),
            )
        selections = []
        for ref in self.refs(element, "SelectionRef"):
            span = self.selection_spans.get(ref)
            if span is None or span.start is None or span.end is None:
                self.warn(QualError.DROPPED_REFERENCE, element="Case", ref=ref)
                continue
            selections.append((span.id, span.start, span.end))
        return Case(
            id=self.guid(element),
            name=element.get("name", ""),
            description=self.text_of(element, "Description"),
            values=self.read_values(element),
            source_ids=tuple(self.refs(element, "SourceRef")),
            selections=tuple(selections),
        )

    def read_notes(
        self, notes: list[etree._Element], codings: list[Coding], raw_sets: list[Any]
    ) -> tuple[list[Memo], list[Coding]]:
        """Turn the notes into memos on what refers to them; return the memos and
        the codings, some now with their ``memo``.

        A note whose only reference is from one coding, with no name, no
        description and in no set, is that coding's memo (the shape the writer
        gives :attr:`Coding.memo`); any other note is a :class:`Memo` on every
        target that refers to it; a note holding one ``PlainTextSelection`` and
        referred to by a text source (QualCoder's annotations) is a memo on that
        span of the source.  The selections' descriptions are read last
        (:meth:`description_memos`).  A reference to a note that does not exist
        is dropped with a ``QUAL_132`` warning.
        """
        refs_by_note: dict[str, list[MemoTarget]] = {}
        for note_id, target in self.note_refs:
            refs_by_note.setdefault(note_id, []).append(target)
        in_sets = Counter(n for *_, members in raw_sets for n in members)
        memos: list[Memo] = []
        coding_memos: dict[str, str] = {}
        known = set()
        note_texts: dict[str, str] = {}
        for note in notes:
            self.unknown(note, ("Description", "PlainTextContent", "PlainTextSelection"))
            note_id = self.guid(note)
            known.add(note_id)
            content = self.kid(note, "PlainTextContent")
            if content is not None:
                text = content.text or ""
            else:
                path = note.get("plainTextPath")
                loaded = self.load_text(path) if path else None
                text = loaded or ""
                if path and loaded is None:
                    self.warn(
                        QualError.SOURCE_TEXT_MISSING,
                        name=note.get("name", ""),
                        ref=path,
                    )
            note_texts[note_id] = text
            # QualCoder writes an annotation as a note that holds the span and
            # is referred to by its text source: it is a memo on that span
            spans = self.kids(note, "PlainTextSelection")
            if spans:
                refs_by_note[note_id] = [
                    MemoTarget(
                        "span",
                        t.id,
                        self.integer(spans[0], "startPosition"),
                        self.integer(spans[0], "endPosition"),
                    )
                    if t.kind == "source" and len(spans) == 1
                    else t
                    for t in refs_by_note.get(note_id, [])
                ]
            # one target once, even if referred to by a NoteRef and a Link
            targets = tuple(dict.fromkeys(refs_by_note.get(note_id, [])))
            name = note.get("name", "")
            description = self.text_of(note, "Description")
            if (
                len(targets) == 1
                and targets[0].kind == "coding"
                and not name
                and not description
                and not in_sets[note_id]
                and targets[0].id not in coding_memos
            ):
                coding_memos[targets[0].id] = text
                continue
            memos.append(
                Memo(
                    id=note_id,
                    text=text,
                    name=name,
                    description=description,
                    targets=targets,
                    created_by=self.opt_guid(note, "creatingUser"),
                    created_at=self.when(note, "creationDateTime"),
                    modified_by=self.opt_guid(note, "modifyingUser"),
                    modified_at=self.when(note, "modifiedDateTime"),
                )
            )
        for note_id in refs_by_note:
            if note_id not in known:
                self.warn(QualError.DROPPED_REFERENCE, element="NoteRef", ref=note_id)
        description_memos = self.description_memos(coding_memos, refs_by_note, note_texts)
        codings = [
            replace(c, memo=coding_memos[c.id]) if c.id in coding_memos else c
            for c in codings
        ]
        return [*description_memos, *memos], codings

    def description_memos(
        self,
        coding_memos: dict[str, str],
        refs_by_note: dict[str, list[MemoTarget]],
        note_texts: dict[str, str],
    ) -> list[Memo]:
        """Read the ``Description`` of each selection, without duplicates.

        A description that repeats the memo of one of the selection's codings, or
        a note on the span, is that memo (sociaparis writes both).  On a
        selection with one coding and no other memo it is the coding's memo
        (QualCoder and MAXQDA keep coding memos there), except in an ATLAS.ti
        export, where it is the comment of a quotation.  Anything else becomes
        a memo on the span, with a GUID derived from the selection so that a
        re-import finds the same memo.  ``coding_memos`` is completed in place.
        """
        span_notes: dict[MemoTarget, set[str]] = {}
        for note_id, targets in refs_by_note.items():
            for target in targets:
                if target.kind == "span" and note_id in note_texts:
                    span_notes.setdefault(target, set()).add(note_texts[note_id])
        out: list[Memo] = []
        atlas = "atlas" in self.origin.lower()
        for selection_id, text, coding_ids, span, by, at in self.selection_descriptions:
            if text in span_notes.get(span, set()) or any(
                coding_memos.get(c) == text for c in coding_ids
            ):
                continue
            if len(coding_ids) == 1 and coding_ids[0] not in coding_memos and not atlas:
                coding_memos[coding_ids[0]] = text
                continue
            out.append(
                Memo(
                    id=derived_guid("selection-description", selection_id),
                    text=text,
                    targets=(span,),
                    created_by=by,
                    created_at=at,
                )
            )
        return out

    def read_sets(self, raw_sets: list[Any], project: Project) -> list[CodeSet]:
        """The sets, keeping the members the project has (a ``QUAL_132`` warning
        for each other one)."""
        codes = {c.id for c in project.codes}
        sources = {s.id for s in project.sources}
        memos = {m.id for m in project.memos}
        out = []
        for element, code_ids, source_ids, memo_ids in raw_sets:
            self.unknown(
                element, ("Description", "MemberCode", "MemberSource", "MemberNote")
            )
            kept = []
            # each member by its element's name, which a warning names
            for ids, known, tag in (
                (code_ids, codes, "MemberCode"),
                (source_ids, sources, "MemberSource"),
                (memo_ids, memos, "MemberNote"),
            ):
                for ref in ids:
                    if ref not in known:
                        self.warn(QualError.DROPPED_REFERENCE, element=tag, ref=ref)
                kept.append(tuple(ref for ref in ids if ref in known))
            out.append(
                CodeSet(
                    id=self.guid(element),
                    name=element.get("name", ""),
                    description=self.text_of(element, "Description"),
                    code_ids=kept[0],
                    source_ids=kept[1],
                    memo_ids=kept[2],
                )
            )
        return out

    def clean(self, project: Project) -> Project:
        """Drop references to things that were not imported, with a warning each."""
        codes = {c.id for c in project.codes}
        sources = {s.id for s in project.sources}
        variables = {v.id for v in project.variables}
        users = {u.id for u in project.users}
        codings = []
        for coding in project.codings:
            if coding.code_id not in codes:
                self.warn(
                    QualError.DROPPED_REFERENCE, element="Coding", ref=coding.code_id
                )
            else:
                codings.append(coding)
        cases = []
        for case in project.cases:
            for ref in [
                r
                for r in (*case.values, *case.source_ids)
                if r not in variables | sources
            ]:
                self.warn(QualError.DROPPED_REFERENCE, element="Case", ref=ref)
            cases.append(
                replace(
                    case,
                    values={k: v for k, v in case.values.items() if k in variables},
                    source_ids=tuple(s for s in case.source_ids if s in sources),
                )
            )
        kept_sources = []
        for source in project.sources:
            for ref in [r for r in source.values if r not in variables]:
                self.warn(QualError.DROPPED_REFERENCE, element="TextSource", ref=ref)
            values = {k: v for k, v in source.values.items() if k in variables}
            kept_sources.append(replace(source, values=values))
        coding_ids = {c.id for c in codings}
        memos = tuple(
            replace(
                memo,
                targets=tuple(
                    t for t in memo.targets if t.kind != "coding" or t.id in coding_ids
                ),
            )
            for memo in project.memos
        )
        referenced = {
            *(c.created_by for c in codings),
            *(s.created_by for s in project.sources),
            *(s.modified_by for s in project.sources),
            *(m.created_by for m in project.memos),
            *(m.modified_by for m in project.memos),
            project.created_by,
            project.modified_by,
        } - {None}
        # An author that the file names but does not declare becomes a user,
        # so that the project's references stay whole (validate checks them).
        extra = tuple(User(u) for u in sorted(referenced - users))  # type: ignore[arg-type]
        for user in extra:
            self.warn(QualError.USER_ADDED, ref=user.id)
        return replace(
            project,
            users=project.users + extra,
            codings=tuple(codings),
            cases=tuple(cases),
            sources=tuple(kept_sources),
            memos=memos,
        )


def _turn_time(value: Any) -> float | None:
    """A turn's start or end in seconds; ``ValueError`` past 1,000 hours."""
    if value is None:
        return None
    return check_seconds(value if isinstance(value, int | float) else float(value))


def apply_extension(result: ImportResult, data: bytes, path: str) -> ImportResult:
    """Read the speaker turns that sociaparis stores next to ``project.qde``.

    ``data`` is ``sociaparis.json``: ``{"turns": {source GUID: [[speaker, start,
    end, start_s, end_s], ...]}, "filled": [[kind, id, "by" | "at"], ...],
    "moderators": {source GUID: [speaker, ...]}}``
    (offsets in code points, times in seconds or null; ``filled`` lists the
    authors and dates the export filled in, cleared again here).  Sources it
    does not name keep their turns; a malformed file is ``QUAL_110``.
    """
    try:
        payload = json.loads(data.decode("utf-8"))
        turns = {
            source_id.upper(): tuple(
                Turn(
                    None if t[0] is None else str(t[0]),
                    _turn_time(t[3]),
                    _turn_time(t[4]),
                    int(t[1]),
                    int(t[2]),
                )
                for t in items
            )
            for source_id, items in payload.get("turns", {}).items()
        }
        filled = [
            [str(kind), str(key), str(what)]
            for kind, key, what in payload.get("filled", [])
        ]
        moderators = {
            source_id.upper(): tuple(str(m) for m in names)
            for source_id, names in payload.get("moderators", {}).items()
        }
    except (ValueError, TypeError, IndexError, AttributeError, OverflowError) as exc:
        raise SociaparisError(
            QualError.ARCHIVE_UNREADABLE, path=path, reason=f"{EXTENSION_NAME}: {exc}"
        ) from None
    sources = tuple(
        replace(
            s,
            turns=turns.get(s.id, s.turns),
            moderators=moderators.get(s.id, s.moderators),
        )
        for s in result.project.sources
    )
    project = replace(result.project, sources=sources)
    return replace(result, project=without_authorship(project, filled))
