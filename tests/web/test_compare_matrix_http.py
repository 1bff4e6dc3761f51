"""The case-matrix pages over real HTTP on the real app: a viewer reads the grid
and the evidence but cannot edit or import (403) and never sees a response's
answer; a researcher edits a hand entry with a reason (CSRF required), imports
CSV and XLSX with a report of what changed or why nothing was, and exports
formula-safe files (these two on SQLite and PostgreSQL); any frame name works."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

import openpyxl
import pytest

from sociaparis.compare.matrix.service import (
    MAX_IMPORT_BYTES,
    cell_history,
    get_cell,
    matrix_frame,
)
from sociaparis.core.db import transaction
from tests.web.compare_matrix_study import build_matrix_study
from tests.web.qual_workbench import hidden, log_in


@pytest.fixture
def study(live_server) -> dict[str, object]:
    return build_matrix_study(live_server)


@pytest.fixture
def study_any(live_server_any) -> dict[str, object]:
    """The study on SQLite, then on PostgreSQL."""
    return build_matrix_study(live_server_any)


def cell(case: str, dimension: str, frame: str = "cities") -> str:
    return "/compare/cell?" + urlencode(
        {"frame": frame, "case": case, "dimension": dimension}
    )


def _engine(server):
    return server.app.state.engine


def test_a_viewer_reads_the_grid_and_evidence_but_cannot_edit(live_server, study) -> None:
    http = log_in(live_server, "vera")
    frames = http.get("/compare")
    assert frames.status_code == 200
    assert 'aria-current="page">Comparaison' in frames.text
    assert 'href="/compare/frame?frame=cities&amp;lang=fr">cities</a>' in frames.text
    assert 'id="import-form"' not in frames.text
    grid = http.get("/compare/frame?frame=cities")
    assert grid.status_code == 200
    # 15 cases and 9 + driver + Charte dimensions: one link per cell
    assert grid.text.count('href="/compare/cell?') == 15 * 11
    lyon = re.search(r'<th scope="row">Lyon</th>(.*?)</tr>', grid.text, re.S).group(1)
    assert ">82<" in lyon and "source-hand" in lyon
    assert "source-survey" in lyon and "source-codes" in lyon
    # a survey cell: the reference, never the answer
    page = http.get(cell("Lyon", "driver"))
    assert page.status_code == 200
    assert 'id="answer-withheld"' in page.text and study["response"] in page.text
    assert 'id="answer"' not in page.text and 'id="edit-form"' not in page.text
    # codings: the segments, with a link into the coding view
    page = http.get(cell("Lyon", "Charte"))
    assert page.text.count('class="segment"') == 2
    assert re.search(r'href="/qual/documents/\d+\?lang=fr#c\d+"', page.text)
    token = hidden(page.text, "csrf_token")
    # Wien has no qualitative case: no value from codes, a cell without value
    empty = http.get(cell("Wien", "Charte"))
    assert empty.status_code == 200 and 'id="cell-empty"' in empty.text
    assert 'id="edit-form"' not in empty.text
    refused = http.post(
        cell("Lyon", "adoption_score"),
        data={"csrf_token": token, "value": "1", "reason": "try"},
    )
    assert refused.status_code == 403
    upload = http.post(
        "/compare/import",
        data={"csrf_token": token, "frame": "cities"},
        files={"file": ("m.csv", b"case,x\nLyon,1\n", "text/csv")},
    )
    assert upload.status_code == 403
    with transaction(_engine(live_server)) as session:
        assert get_cell(session=session, frame="cities", case="Lyon",
                        dimension="adoption_score").value == 82  # fmt: skip
    assert http.get("/compare/frame?frame=nowhere").status_code == 404
    assert http.get(cell("Paris", "country")).status_code == 404


def test_a_researcher_changes_a_hand_entry_with_a_reason(
    live_server_any, study_any
) -> None:
    live_server = live_server_any
    http = log_in(live_server, "boss")
    grid = http.get("/compare/frame?frame=cities")
    assert '<input type="hidden" name="frame" value="cities">' in grid.text
    page = http.get(cell("lyon", "adoption_score"))
    assert page.status_code == 200 and "<h1>Lyon · adoption_score</h1>" in page.text
    token = hidden(page.text, "csrf_token")
    target = cell("Lyon", "adoption_score")
    # no CSRF token, a wrong one: refused, nothing written
    for data in ({"value": "40", "reason": "x"},
                 {"csrf_token": "0" * 64, "value": "40", "reason": "x"}):  # fmt: skip
        assert http.post(target, data=data).status_code == 403
    missing = http.post(target, data={"csrf_token": token, "value": "40"})
    assert missing.status_code == 422 and "CASES_050" in missing.text
    assert 'value="40"' in missing.text  # what was typed is kept
    text = http.post(target, data={"csrf_token": token, "value": "high", "reason": "r"})
    assert text.status_code == 422 and "CASES_010" in text.text
    saved = http.post(
        target,
        data={"csrf_token": token, "value": "40", "reason": "rapport de mars 2026",
              "note": "vérifié"},
    )  # fmt: skip
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("&done=saved")
    page = http.get(saved.headers["location"])
    assert 'id="done"' in page.text and '<dd id="cell-value">40</dd>' in page.text
    rows = re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", page.text, re.S)
    assert len(rows) == 2  # the import, then the correction (newest first)
    assert re.findall(r"<td>(.*?)</td>", rows[0]) == [
        "boss", "82", "40", "rapport de mars 2026"
    ]  # fmt: skip
    with transaction(_engine(live_server)) as session:
        history = cell_history(session=session, frame="cities", case="Lyon",
                               dimension="adoption_score")  # fmt: skip
    assert [(h.old_value, h.new_value, h.reason, h.changed_by) for h in history] == [
        ("82", "40", "rapport de mars 2026", "boss"),
        (None, "82", "import of cities.csv, row 5", "boss"),
    ]
    # an empty cell takes a first value without a reason
    first = http.post(cell("Bordeaux", "driver"),
                      data={"csrf_token": token, "value": "modernisation"})  # fmt: skip
    assert first.status_code == 303
    # a researcher reads the response behind a survey value, all its answers
    survey = http.get(cell("Lyon", "driver"))
    assert 'id="answer-value"' in survey.text and 'id="answers"' in survey.text
    assert re.search(r"\(city/city_name\)</span></th><td>Lyon</td>", survey.text)
    # the page edits the grid's cells: no case or dimension is created from it
    for case, dimension in (("Paris", "country"), ("Lyon", "budget")):
        data = {"csrf_token": token, "value": "1", "reason": "r"}
        made = http.post(cell(case, dimension), data=data)
        assert made.status_code == 404


def test_import_and_export_from_the_page(live_server_any, study_any) -> None:
    live_server = live_server_any
    http = log_in(live_server, "boss")
    token = hidden(http.get("/compare").text, "csrf_token")
    with transaction(_engine(live_server)) as session:
        from sociaparis.compare.matrix.service import set_cell

        set_cell(session=session, actor=_boss(session), frame="cities", case="Wien",
                 dimension="country", value="=1+1", reason="formula test")  # fmt: skip
    exported = http.get("/compare/export?frame=cities&format=csv")
    assert exported.status_code == 200
    assert exported.headers["content-disposition"] == 'attachment; filename="cities.csv"'
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert next(r for r in rows if r[0] == "Wien")[1] == "'=1+1"
    book_bytes = http.get("/compare/export?frame=cities&format=xlsx").content
    book = openpyxl.load_workbook(io.BytesIO(book_bytes))
    sheet = book["case matrix"]
    header = [c.value for c in sheet[1]]
    lyon = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "Lyon")
    lyon[header.index("adoption_score")].value = 79
    changed = io.BytesIO()
    book.save(changed)
    report = http.post(
        "/compare/import",
        data={"csrf_token": token, "frame": "cities"},
        files={"file": ("cities.xlsx", changed.getvalue(), "application/octet-stream")},
    )
    assert report.status_code == 200, report.text
    assert '<dd id="changed-count">1</dd>' in report.text
    changes = re.search(r'<table id="changes">.*?</table>', report.text, re.S).group(0)
    assert re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", changes.split("<tbody>")[1]) == [
        "Lyon", "adoption_score", "82", "79"
    ]  # fmt: skip
    with transaction(_engine(live_server)) as session:
        matrix = matrix_frame(session=session, frame="cities")
    assert matrix.loc["Lyon", "adoption_score"] == 79
    assert matrix.loc["Wien", "country"] == "=1+1"  # the apostrophe came off
    # a refused file: the report says why, nothing is written
    bad = http.post(
        "/compare/import",
        data={"csrf_token": token, "frame": "new frame"},
        files={"file": ("m.csv", b"city,score\nLyon,1\nlyon,2\n", "text/csv")},
    )
    assert bad.status_code == 422 and "CASES_007" in bad.text
    assert http.get("/compare/frame?frame=new frame").status_code == 404
    ods = http.post(
        "/compare/import",
        data={"csrf_token": token, "frame": "cities"},
        files={"file": ("m.ods", b"x", "application/octet-stream")},
    )
    assert ods.status_code == 422 and "CASES_052" in ods.text
    big = http.post(
        "/compare/import",
        data={"csrf_token": token, "frame": "cities"},
        files={"file": ("m.csv", b"x" * (MAX_IMPORT_BYTES + 200_000), "text/csv")},
    )
    assert big.status_code == 413
    no_token = http.post(
        "/compare/import",
        data={"frame": "cities"},
        files={"file": ("m.csv", b"case,x\nLyon,1\n", "text/csv")},
    )
    assert no_token.status_code == 403


def test_any_frame_name_makes_working_pages(live_server, study) -> None:
    http = log_in(live_server, "boss")
    token = hidden(http.get("/compare").text, "csrf_token")
    name = "transport / réseaux?#1"
    report = http.post(
        "/compare/import",
        data={"csrf_token": token, "frame": name, "description": "repeats"},
        files={"file": ("t.csv", "outil,ville,score\nCaméra A,Lyon,3\n".encode(),
                        "text/csv")},
    )  # fmt: skip
    assert report.status_code == 200
    grid_link = re.search(r'<a href="(/compare/frame\?[^"]+)">', report.text).group(1)
    grid = http.get(grid_link.replace("&amp;", "&"))
    assert grid.status_code == 200 and "<h1>transport / réseaux?#1</h1>" in grid.text
    link = re.search(r'href="(/compare/cell\?[^"]+)"', grid.text).group(1)
    page = http.get(link.replace("&amp;", "&"))
    assert page.status_code == 200 and "<h1>Caméra A · ville</h1>" in page.text
    exported = http.get("/compare/export?" + urlencode({"frame": name, "format": "csv"}))
    assert exported.headers["content-disposition"] == (
        'attachment; filename="transport-r-seaux-1.csv"'
    )


def _boss(session):
    from sociaparis.qual.corpus import acting_account

    return acting_account(session=session, username="boss")
