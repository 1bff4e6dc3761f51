"""noScribe HTML transcripts (and, as a fallback, plain HTML paragraphs).

noScribe (https://github.com/kaixxx/noScribe) writes one ``<p>`` per speaker turn;
inside it every Whisper segment is an anchor ``<a name="ts_START_END_SPEAKER">``
with START and END in milliseconds and SPEAKER ``S00``, ``S01``… (empty without
speaker detection, ``//S01`` for overlapping speech).  The first segment of a turn
begins with ``S01:``, and optional timestamps appear as ``[hh:mm:ss]`` spans;
both are dropped from the utterance, the turn keeping speaker and times.
"""

from __future__ import annotations

import re

from lxml import etree, html

from sociaparis.core.errors import Issue, Location, SociaparisError
from sociaparis.qual.document import (
    DEFAULT_MAX_BYTES,
    Block,
    ImportedDocument,
    assemble,
    blocks_from_paragraphs,
    merge_turns,
)
from sociaparis.qual.errors import QualError
from sociaparis.qual.io._safety import check_size, refuse_binary
from sociaparis.qual.io.text import decode_document_text

_ENTITY_RE = re.compile(r"<!\s*entity", re.IGNORECASE)
_TIMESTAMP_RE = re.compile(r"^\s*\[\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\]\s*$")
_BLOCK_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li")


def _parse(text: str, *, path: str) -> etree._Element:
    """Parse HTML without network access; refuse entity declarations."""
    if _ENTITY_RE.search(text):
        raise SociaparisError(QualError.DOCUMENT_DTD, path=path, name=path, format="HTML")
    parser = html.HTMLParser(
        no_network=True, remove_comments=True, remove_pis=True, huge_tree=False
    )
    try:
        return html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise SociaparisError(
            QualError.MALFORMED, path=path, format="HTML", reason=str(exc)
        ) from None


def _outer_blocks(scope: etree._Element) -> list[etree._Element]:
    """Paragraph-like elements that are not inside another one (no text twice)."""
    return [
        element
        for element in scope.iter(*_BLOCK_TAGS)
        if not any(a.tag in _BLOCK_TAGS for a in element.iterancestors())
    ]


def _clean(text: str) -> str:
    """Collapse ASCII white space (non-breaking spaces are kept, as French uses them)."""
    return re.sub(r"[ \t\r\n\f]+", " ", text).strip(" ")


def _segment(anchor: etree._Element) -> tuple[str | None, float, float, str]:
    """(speaker, start_s, end_s, utterance) of a ``ts_`` anchor; ``ValueError`` if bad."""
    parts = anchor.get("name", "").split("_", 3)
    start_ms, end_ms = int(parts[1]), int(parts[2])
    raw_speaker = parts[3] if len(parts) > 3 else ""
    speaker = raw_speaker.lstrip("/").strip() or None
    for span in list(anchor.iter("span")):
        if _TIMESTAMP_RE.match(span.text_content() or ""):
            span.drop_tree()
    text = anchor.text_content()
    if speaker:
        text = re.sub(rf"^\s*(?://)?\s*{re.escape(speaker)}\s*:", "", text)
    text = re.sub(r"^\s*//|//\s*$", "", text)
    return speaker, start_ms / 1000, end_ms / 1000, _clean(text)


def _turn_blocks(root: etree._Element, *, path: str) -> tuple[list[Block], list[Issue]]:
    """Blocks of a noScribe body: plain paragraphs, and turns from the anchors."""
    blocks: list[Block] = []
    warnings: list[Issue] = []
    for paragraph in _outer_blocks(root):
        anchors = paragraph.xpath(".//a[starts-with(@name, 'ts_')]")
        if not anchors:
            text = _clean(paragraph.text_content())
            if text:
                blocks.append(Block(text))
            continue
        runs: list[list] = []
        for anchor in anchors:
            try:
                speaker, start_s, end_s, text = _segment(anchor)
            except (ValueError, IndexError):
                warnings.append(
                    Issue(
                        QualError.SKIPPED_BLOCK.code,
                        QualError.SKIPPED_BLOCK.format(
                            path=path,
                            reason=f"anchor name '{anchor.get('name')}' is not "
                            "ts_START_END_SPEAKER",
                        ),
                        Location(row=anchor.sourceline),
                    )
                )
                continue
            if runs and runs[-1][0] == speaker:
                runs[-1][2] = end_s
                runs[-1][3].append(text)
            else:
                runs.append([speaker, start_s, end_s, [text]])
        for speaker, start_s, end_s, texts in runs:
            body = _clean(" ".join(texts))
            prefix = f"{speaker}: " if speaker else ""
            blocks.append(Block(body, speaker, start_s, end_s, prefix))
    return blocks, warnings


def read_noscribe_html(
    data: bytes,
    *,
    path: str = "transcript.html",
    detect_speakers: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ImportedDocument:
    """Read a noScribe HTML transcript; other HTML is read as paragraphs.

    Parameters
    ----------
    data
        The ``.html`` bytes.
    path
        File name for messages and the stored filename.
    detect_speakers
        For HTML that is not from noScribe: treat ``NAME: `` labels as turns.
    max_bytes
        Size limit (``QUAL_001``).

    Returns
    -------
    ImportedDocument
        Format ``noscribe_html`` with one turn per speaker turn (times in
        seconds), the title and header paragraphs kept as plain paragraphs; or
        format ``html`` with the ``p``, ``h1``-``h6`` and ``li`` paragraphs.

    Examples
    --------
    >>> page = ('<html><body><p>interview</p><p><a name="ts_0_1500_S00">S00: Bonjour.'
    ...         '</a><a name="ts_1500_2000_S00"> Ça va ?</a></p><p>'
    ...         '<a name="ts_2000_3000_S01">S01: Oui.</a></p></body></html>')
    >>> doc = read_noscribe_html(page.encode())
    >>> [(t.speaker, t.start_s, t.end_s, doc.text[t.start:t.end]) for t in doc.turns]
    [('S00', 0.0, 2.0, 'Bonjour. Ça va ?'), ('S01', 2.0, 3.0, 'Oui.')]
    """
    check_size(data, path=path, max_bytes=max_bytes)
    refuse_binary(data, path=path, declared="an HTML file")
    text, warnings = decode_document_text(data, path=path)
    if "<" not in text:
        raise SociaparisError(
            QualError.CONTENT_MISMATCH,
            path=path,
            declared="an HTML file",
            found="plain text without any HTML tag",
        )
    root = _parse(text, path=path)
    body = root.find("body")
    scope = body if body is not None else root
    for line_break in scope.iter("br"):
        line_break.tail = " " + (line_break.tail or "")
    if scope.xpath(".//a[starts-with(@name, 'ts_')]"):
        blocks, more = _turn_blocks(scope, path=path)
        blocks, fmt = merge_turns(blocks), "noscribe_html"
    else:
        paragraphs = [_clean(p.text_content()) for p in _outer_blocks(scope)]
        blocks = blocks_from_paragraphs(
            [p for p in paragraphs if p], detect_speakers=detect_speakers
        )
        more, fmt = [], "html"
    return assemble(
        blocks, data=data, format=fmt, path=path, warnings=warnings + more, filename=path
    )
