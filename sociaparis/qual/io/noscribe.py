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

from sociaparis.core.errors import Issue, Reason, SociaparisError
from sociaparis.qual.document import (
    DEFAULT_MAX_BYTES,
    Block,
    ImportedDocument,
    assemble,
    blocks_from_paragraphs,
    merge_turns,
)
from sociaparis.qual.errors import QualError
from sociaparis.qual.io._safety import (
    MAX_DEPTH,
    bounded_int,
    check_seconds,
    check_size,
    html_parser,
    nothing_read,
    reason_of,
    refuse_binary,
    skipped_block,
)
from sociaparis.qual.io.text import decode_document_text

_ENTITY_RE = re.compile(r"<!\s*entity", re.IGNORECASE)
_TIMESTAMP_RE = re.compile(r"^\s*\[\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\]\s*$")
_BLOCK_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li")
#: what the name of a noScribe transcript says it is (``declared`` of ``QUAL_004``)
_HTML_FILE = Reason(en="an HTML file", fr="un fichier HTML")
#: the times of an anchor name (``what`` of :func:`bounded_int`)
_START = Reason(en="start", fr="le début")
_END = Reason(en="end", fr="la fin")
#: what a transcript of speaker turns without text lacks (``what`` of ``QUAL_011``)
_NO_PARAGRAPH = Reason(en="paragraph", fr="aucun paragraphe")


def _parse(text: str, *, path: str) -> etree._Element:
    """Parse HTML without network access; refuse entity declarations."""
    if _ENTITY_RE.search(text):
        raise SociaparisError(QualError.DOCUMENT_DTD, path=path, name=path, format="HTML")
    parser = html_parser()
    try:
        root = html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        limit = _resource_limit(parser)
        raise SociaparisError(
            QualError.MALFORMED, path=path, format="HTML", reason=limit or str(exc)
        ) from None
    # the HTML parser recovers from errors: past a limit it stops and keeps what it
    # has read, so the rest of the file would be lost without a word
    limit = _resource_limit(parser)
    if limit is not None:
        raise SociaparisError(QualError.MALFORMED, path=path, format="HTML", reason=limit)
    return root


def _resource_limit(parser: html.HTMLParser) -> Reason | None:
    """Why the parser stopped at one of libxml2's limits, or ``None``."""
    for entry in parser.error_log:
        if entry.type_name != "ERR_RESOURCE_LIMIT":
            continue
        if "depth" in entry.message.lower():
            return Reason(
                en=f"its elements are nested more than {MAX_DEPTH} levels deep (line "
                f"{entry.line}), which no noScribe or other HTML transcript does; "
                "check that this is the transcript file",
                fr=f"ses éléments sont imbriqués sur plus de {MAX_DEPTH} niveaux "
                f"(ligne {entry.line}), ce que ne fait aucune transcription noScribe "
                "ni aucune autre transcription HTML ; vérifiez qu'il s'agit bien du "
                "fichier de transcription",
            )
        return Reason(
            en=f"it goes past the HTML parser's safety limits at line {entry.line} "
            f"({entry.message.strip()}); check that this is the transcript file",
            fr="il dépasse les limites de sécurité de l'analyseur HTML à la ligne "
            f"{entry.line} ({entry.message.strip()}) ; vérifiez qu'il s'agit bien du "
            "fichier de transcription",
        )
    return None


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


def _short(text: str | None, width: int = 40) -> str:
    """``text`` cut to ``width`` characters for a message."""
    text = text or ""
    return text if len(text) <= width else text[: width - 1] + "…"


def _segment(anchor: etree._Element) -> tuple[str | None, float, float, str]:
    """(speaker, start_s, end_s, utterance) of a ``ts_`` anchor; ``ValueError`` if bad."""
    parts = anchor.get("name", "").split("_", 3)
    start_ms = bounded_int(parts[1], what=_START)
    end_ms = bounded_int(parts[2], what=_END)
    raw_speaker = parts[3] if len(parts) > 3 else ""
    speaker = raw_speaker.lstrip("/").strip() or None
    for span in list(anchor.iter("span")):
        if _TIMESTAMP_RE.match(span.text_content() or ""):
            span.drop_tree()
    text = anchor.text_content()
    if speaker:
        text = re.sub(rf"^\s*(?://)?\s*{re.escape(speaker)}\s*:", "", text)
    text = re.sub(r"^\s*//|//\s*$", "", text)
    start_s, end_s = check_seconds(start_ms / 1000), check_seconds(end_ms / 1000)
    return speaker, start_s, end_s, _clean(text)


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
            except (ValueError, IndexError) as exc:
                name, why = _short(anchor.get("name")), reason_of(exc)
                reason = Reason(
                    en=f"anchor name '{name}' is not ts_START_END_SPEAKER ({why.en})",
                    fr=f"le nom d'ancre « {name} » n'est pas de la forme "
                    f"ts_DÉBUT_FIN_LOCUTEUR ({why.fr})",
                )
                warnings.append(
                    skipped_block(path=path, reason=reason, row=anchor.sourceline)
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
    refuse_binary(data, path=path, declared=_HTML_FILE)
    text, warnings = decode_document_text(data, path=path)
    if "<" not in text:
        raise SociaparisError(
            QualError.CONTENT_MISMATCH,
            path=path,
            declared=_HTML_FILE,
            found=Reason(
                en="plain text without any HTML tag",
                fr="du texte brut sans aucune balise HTML",
            ),
        )
    root = _parse(text, path=path)
    body = root.find("body")
    scope = body if body is not None else root
    for line_break in scope.iter("br"):
        line_break.tail = " " + (line_break.tail or "")
    if scope.xpath(".//a[starts-with(@name, 'ts_')]"):
        blocks, more = _turn_blocks(scope, path=path)
        if not blocks and more:
            raise nothing_read(
                path=path, format="noScribe HTML", what=_NO_PARAGRAPH, warnings=more
            )
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
