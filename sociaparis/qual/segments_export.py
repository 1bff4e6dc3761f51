"""Retrieved segments as files: CSV for spreadsheets, HTML to read or print, DOCX
to quote in a report.  Pure: they take a
:class:`~sociaparis.qual.retrieval.SegmentsResult` and return bytes.

Every format is safe to open: CSV cells that a spreadsheet would run as a
formula get a leading apostrophe
(:func:`~sociaparis.core.spreadsheets.neutralize_formula`), HTML is escaped and
carries no script, and DOCX holds only text.
"""

from __future__ import annotations

import csv
import io
import re
from html import escape

from sociaparis.core.errors import SociaparisError
from sociaparis.core.spreadsheets import neutralize_formula
from sociaparis.qual.errors import QualError
from sociaparis.qual.retrieval import SEGMENT_COLUMNS, Segment, SegmentsResult

#: export formats and their media types
SEGMENT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _filters(result: SegmentsResult) -> list[str]:
    """The filters that selected the segments, one line each (for the headers)."""
    lines = [f"code: {result.code}" + (" (+ sub-codes)" if result.include_subcodes
                                        else "")]  # fmt: skip
    if result.cases:
        lines.append("cases: " + ", ".join(result.cases))
    for name, value in result.attributes.items():
        values = value if isinstance(value, list | tuple) else [value]
        lines.append(f"{name}: " + ", ".join(str(v) for v in values))
    if result.coder:
        lines.append(f"coder: {result.coder}")
    if result.with_code:
        lines.append(f"with: {result.with_code} ({result.mode})")
    return lines


def _provenance(segment: Segment) -> str:
    """Who proposed a model's coding and who accepted it, in one line."""
    return f"origin: model ({segment.model}), accepted by: {segment.accepted_by or '?'}"


def segments_csv(result: SegmentsResult) -> bytes:
    """One row per segment, columns :data:`SEGMENT_COLUMNS`; UTF-8 with BOM.

    The last three say whether a model proposed the coding (``origin``), which
    (``model``) and who accepted it (``accepted_by``).
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(SEGMENT_COLUMNS)
    for segment in result.segments:
        writer.writerow(
            [neutralize_formula(getattr(segment, c)) for c in SEGMENT_COLUMNS]
        )
    return buffer.getvalue().encode("utf-8-sig")


def segments_html(result: SegmentsResult, *, title: str = "Segments") -> bytes:
    """A standalone HTML page: the filters, then each segment in its context."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="fr"><head><meta charset="utf-8">',
        f"<title>{escape(title)} – {escape(result.code)}</title>",
        "<style>body{font-family:sans-serif;max-width:50rem;margin:auto}"
        "mark{background:#fff3b0}blockquote{border-left:4px solid #666;"
        "margin:0 0 1rem;padding-left:1rem}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        "<ul>" + "".join(f"<li>{escape(x)}</li>" for x in _filters(result)) + "</ul>",
        f"<p>{len(result.segments)} segments</p>",
    ]
    for s in result.segments:
        who = " · ".join(
            escape(x) for x in (s.title, s.code, s.speaker or "", s.coder or "") if x
        )
        parts.append(
            f"<h2>{who} [{s.start}:{s.end}]</h2><blockquote><p>…{escape(s.before)}"
            f"<mark>{escape(s.text)}</mark>{escape(s.after)}…</p></blockquote>"
        )
        if s.origin == "model":
            parts.append(f"<p>{escape(_provenance(s))}</p>")
        if s.memo:
            parts.append(f"<p><em>{escape(s.memo)}</em></p>")
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8")


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str | None) -> str:
    """Text Word can hold: XML 1.0 forbids most control characters."""
    return _NOT_XML.sub("", text or "")


def segments_docx(result: SegmentsResult, *, title: str = "Segments") -> bytes:
    """A Word document: the filters, then each segment (coded words in bold)."""
    import docx

    document = docx.Document()
    document.add_heading(_xml(title), level=1)
    for line in _filters(result):
        document.add_paragraph(_xml(line), style="List Bullet")
    document.add_paragraph(f"{len(result.segments)} segments")
    for s in result.segments:
        who = " · ".join(x for x in (s.title, s.code, s.speaker, s.coder) if x)
        document.add_heading(_xml(f"{who} [{s.start}:{s.end}]"), level=2)
        paragraph = document.add_paragraph()
        paragraph.add_run("…" + _xml(s.before))
        paragraph.add_run(_xml(s.text)).bold = True
        paragraph.add_run(_xml(s.after) + "…")
        if s.origin == "model":
            document.add_paragraph(_xml(_provenance(s)))
        if s.memo:
            paragraph = document.add_paragraph()
            paragraph.add_run(_xml(s.memo)).italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def export_segments(
    result: SegmentsResult, fmt: str, *, title: str = "Segments"
) -> bytes:
    """The segments as ``csv``, ``html`` or ``docx`` bytes.

    Raises
    ------
    SociaparisError
        ``QUAL_343`` for another format.
    """
    if fmt == "csv":
        return segments_csv(result)
    if fmt == "html":
        return segments_html(result, title=title)
    if fmt == "docx":
        return segments_docx(result, title=title)
    raise SociaparisError(
        QualError.SEGMENTS_FORMAT, value=fmt[:20], choices=", ".join(SEGMENT_FORMATS)
    )
