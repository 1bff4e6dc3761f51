"""What the coding view shows of a document: its text by turns, codebook, codings.

:func:`text_blocks` is pure: it cuts a text into the blocks (speaker turns or
paragraphs) the page lays out, each with its code-point offsets, so that the
page can turn a selection back into offsets of the stored text.
:func:`coding_view` loads everything one page needs in a handful of queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.errors import SociaparisError
from sociaparis.qual.codebook_service import CodeInfo, list_codes
from sociaparis.qual.coding_service import (
    CodingInfo,
    MemoInfo,
    document_codings,
    memo_notes,
    recent_codes,
)
from sociaparis.qual.corpus import DocumentInfo, document_row, get_document, turns_of
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.document import BLOCK_SEPARATOR


@dataclass(frozen=True, slots=True)
class TextBlock:
    """A speaker turn or paragraph of the text, as the page shows it.

    Attributes
    ----------
    start, end
        Code-point offsets of the whole block in the text (end exclusive).
    label
        The speaker label as written in the text (``"S01: "``), or ``""``;
        it fills ``text[start:start + len(label)]``.
    body
        The rest of the block: ``text[start + len(label):end]``.
    speaker
        The speaker, if the block starts a turn.
    start_s
        The turn's start in the recording, in seconds, if known.
    """

    start: int
    end: int
    label: str
    body: str
    speaker: str | None = None
    start_s: float | None = None

    @property
    def body_start(self) -> int:
        """Offset of the first code point after the label."""
        return self.start + len(self.label)


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    position = 0
    for part in text.split(BLOCK_SEPARATOR):
        stripped = part.strip("\n")
        if stripped:
            lead = len(part) - len(part.lstrip("\n"))
            spans.append((position + lead, position + lead + len(stripped)))
        position += len(part) + len(BLOCK_SEPARATOR)
    return spans


def text_blocks(
    text: str,
    paragraphs: Sequence[Sequence[int]],
    turns: Sequence[tuple[str | None, float | None, int, int]] = (),
) -> list[TextBlock]:
    """Cut ``text`` into the blocks the coding view lays out.

    Parameters
    ----------
    text
        The stored document text.
    paragraphs
        ``(start, end)`` offsets of its paragraphs, as stored; when empty the
        text is cut at its blank lines.
    turns
        ``(speaker, start_s, start, end)`` of its speaker turns: a paragraph in
        which a turn's utterance starts shows that turn's label and speaker.

    Returns
    -------
    list of TextBlock
        In text order; ``label + body == text[start:end]`` for each.

    Examples
    --------
    >>> [(b.label, b.body) for b in text_blocks("A: oui\\n\\nB: non", [(0, 6), (8, 14)],
    ...                                         [("A", None, 3, 6), ("B", None, 11, 14)])]
    [('A: ', 'oui'), ('B: ', 'non')]
    """
    spans = [(int(p[0]), int(p[1])) for p in paragraphs] or _paragraph_spans(text)
    starts = sorted(turns, key=lambda t: t[2])
    blocks: list[TextBlock] = []
    index = 0
    for start, end in spans:
        while index < len(starts) and starts[index][2] < start:
            index += 1
        turn = None
        if index < len(starts) and starts[index][2] < end:
            turn = starts[index]
            index += 1
        cut = turn[2] if turn is not None and turn[0] is not None else start
        blocks.append(
            TextBlock(
                start,
                end,
                text[start:cut],
                text[cut:end],
                turn[0] if turn is not None else None,
                turn[1] if turn is not None else None,
            )
        )
    return blocks


@dataclass(frozen=True, slots=True)
class CodingView:
    """Everything the coding view of one document shows.

    Attributes
    ----------
    document
        The document (without its text).
    blocks
        Its text by turns or paragraphs.
    codes
        The codebook, depth first.
    codings
        The codings the actor sees, by start.
    recent
        GUIDs of the codes the actor applied last, newest first.
    memos
        The memos on the document.
    can_code
        Whether the actor's role may code (else the page only reads).
    """

    document: DocumentInfo
    blocks: tuple[TextBlock, ...]
    codes: tuple[CodeInfo, ...]
    codings: tuple[CodingInfo, ...]
    recent: tuple[str, ...]
    memos: tuple[MemoInfo, ...]
    can_code: bool

    def page_data(self) -> dict[str, Any]:
        """The compact JSON the page's script reads (codes and codings as rows)."""
        return {
            "document": self.document.id,
            "length": self.document.length,
            "can_code": self.can_code,
            "recent": list(self.recent),
            "codes": [
                [c.guid, c.name, " > ".join(c.path), c.parent_guid, c.color]
                for c in self.codes
            ],
            "codings": [coding_row(c) for c in self.codings],
        }


def coding_row(coding: CodingInfo) -> list[Any]:
    """A coding as the page's script reads it:
    ``[guid, code, start, end, coder, created_at, memo]``."""
    return [
        coding.guid,
        coding.code_guid,
        coding.start,
        coding.end,
        coding.coder,
        coding.created_at.isoformat(timespec="seconds") if coding.created_at else None,
        coding.memo,
    ]


def coding_view(*, session: Session, actor: Account, document: str | int) -> CodingView:
    """Load the coding view of a released document for ``actor``.

    Raises
    ------
    SociaparisError
        ``QUAL_202`` for an unknown document, ``QUAL_205`` for a document not
        released yet (only released texts are coded).
    """
    row = document_row(session, document)
    if row.status != "released":
        raise SociaparisError(
            CorpusError.NOT_RELEASED, title=row.title, status=row.status
        )
    turns = [
        (t.speaker, t.start_s, t.start, t.end)
        for t in turns_of(session=session, document_id=row.id)
    ]
    return CodingView(
        get_document(session=session, ref=row.id),
        tuple(text_blocks(row.text, row.paragraphs or [], turns)),
        tuple(list_codes(session=session)),
        tuple(document_codings(session=session, actor=actor, document=row.id)),
        tuple(recent_codes(session=session, actor=actor)),
        tuple(memo_notes(session=session, on="document", target=row.id)),
        Role(actor.role).can_code(),
    )
