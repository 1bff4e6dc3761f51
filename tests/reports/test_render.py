"""The rendered report: self-contained HTML checked with CSS selectors, and the PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import cssselect2
import pytest
import tinyhtml5

from sociaparis.core.errors import SociaparisError
from sociaparis.reports.build import build_report
from sociaparis.reports.content import Report
from sociaparis.reports.errors import ReportError
from sociaparis.reports.render import chart_count, check_output, html_to_pdf, render_html
from tests.reports.conftest import SMALL, Demo

SVG = "{http://www.w3.org/2000/svg}"


def query(html: str):
    """A CSS-selector wrapper around the parsed document."""
    return cssselect2.ElementWrapper.from_html_root(tinyhtml5.parse(html))


def text_of(wrapper) -> str:
    return "".join(wrapper.etree_element.itertext()).strip()


def test_document_head_and_language(html_fr: str) -> None:
    root = query(html_fr)
    assert root.etree_element.get("lang") == "fr"
    assert text_of(root.query("head title")).startswith("Les agents de la Ville")
    assert root.query('meta[charset="utf-8"]') is not None
    assert len(list(root.query_all("h1"))) == 1


@pytest.mark.parametrize(
    ("selector", "title"),
    [
        ("section#participation > h2", "Participation"),
        ("section#weighting > h2", "Pondération"),
        ("section#q-effects_work > h2", "Effets sur votre travail"),
        ("section#comparisons > h2", "Comparaisons entre groupes"),
        ("section#methods > h2", "Notes de méthode"),
    ],
)
def test_sections(html_fr: str, selector: str, title: str) -> None:
    assert text_of(query(html_fr).query(selector)) == title


def test_tables_have_captions_and_headers(html_fr: str) -> None:
    root = query(html_fr)
    tables = list(root.query_all("table.data"))
    assert len(tables) >= 10
    for table in tables:
        assert text_of(table.query("caption"))
        assert list(table.query_all('thead th[scope="col"]'))
        assert list(table.query_all('tbody th[scope="row"]'))


def test_charts_are_inline_accessible_svg(report_fr: Report, html_fr: str) -> None:
    root = query(html_fr)
    svgs = list(root.query_all("figure svg"))
    assert len(svgs) == chart_count(report_fr) >= 20
    for svg in svgs:
        assert svg.etree_element.get("role") == "img"
        children = [child.tag for child in svg.etree_element][:2]
        assert children == [f"{SVG}title", f"{SVG}desc"]
    likert = root.query('article[data-question="effects_work:eff_quality"] svg')
    desc = text_of(likert.query("desc"))
    assert "Tout à fait d'accord" in desc and "La qualité de mon travail" in desc


def test_self_contained(html_fr: str) -> None:
    root = query(html_fr)
    assert not list(root.query_all("link, script, img, iframe, object"))
    for element in root.query_all("[src], [href]"):
        target = element.etree_element.get("src") or element.etree_element.get("href")
        assert target.startswith("#"), target
    assert not re.search(r"url\((?!#)", html_fr) and "@import" not in html_fr
    ids = re.findall(r'\bid="([^"]+)"', html_fr)
    assert len(ids) == len(set(ids))


def test_small_directorate_rows_show_no_number(demo: Demo, html_fr: str) -> None:
    label = next(
        c.labels["fr"] for c in demo.instrument.choices["directorate"] if c.name == SMALL
    )
    rows = [
        row
        for row in query(html_fr).query_all("table.data tbody tr")
        if text_of(row.query("th")) == label
    ]
    assert len(rows) == 4  # respondents, rates, weighting margins, comparison
    for row in rows:
        table = row.parent.parent.etree_element.get("class")
        cells = [text_of(td) for td in row.query_all("td")]
        if "margins" in table:
            assert cells[-1] == "< 10"
        else:
            assert set(cells) <= {"< 10", "x"}, (table, cells)


def test_text_questions_only_counted(html_fr: str) -> None:
    article = query(html_fr).query('article[data-question="open_city_role"]')
    assert article.query("svg") is None
    assert "ne sont pas publiées" in text_of(article.query("p.note"))


def test_english_report(demo: Demo) -> None:
    report = build_report(
        demo.table,
        instrument=demo.instrument,
        margins=demo.study.population,
        lang="en",
        key_questions=[],
    )
    root = query(render_html(report))
    assert root.etree_element.get("lang") == "en"
    assert text_of(root.query("section#weighting > h2")) == "Weighting"
    question = demo.instrument.item("tools_used").labels["en"]
    assert text_of(root.query('article[data-question="tools_used"] h3')) == question
    assert root.query("section#comparisons") is None


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_pdf(html_fr: str, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(html_to_pdf(html_fr))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(
        next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1]
    )
    assert 8 <= pages <= 40
    words = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True
    ).stdout
    for expected in (
        "Participation",
        "Pondération",
        "Notes de méthode",
        "Effets sur votre métier",
        "Quel est votre âge ?",
        "Données synthétiques",
    ):
        assert expected in words, expected


@pytest.mark.parametrize(
    ("name", "kind"),
    [("r.html", "html"), ("r.PDF", "pdf"), ("r.docx", None), ("report", None)],
)
def test_output_suffix(name: str, kind: str | None) -> None:
    if kind is None:
        with pytest.raises(SociaparisError) as info:
            check_output(Path(name))
        assert info.value.code == ReportError.BAD_SUFFIX.code
    else:
        assert check_output(Path(name)) == kind
