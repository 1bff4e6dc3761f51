"""Choosing a report's sections and its weighting; the builds kept with their
parameters (on SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import LOCAL_ADMIN, create_user
from sociaparis.core.errors import SociaparisError
from sociaparis.reports.build import build_report
from sociaparis.reports.builds import build_file, keep_build, list_builds, remove_build
from sociaparis.reports.content import Report
from sociaparis.reports.errors import ReportError
from sociaparis.reports.render import render_html
from sociaparis.reports.sections import report_outline
from sociaparis.reports.service import form_outline, form_report
from sociaparis.survey.io.errors import ExportError
from sociaparis.survey.study import load_study
from tests.reports.conftest import STUDY_DIR, Demo
from tests.reports.test_service import FORM, _load_demo

CHOSEN = ["participation", "q-use", "q-tool", "methods"]


def _built(demo: Demo, report_fr: Report, **options) -> Report:
    return build_report(
        demo.table,
        instrument=demo.instrument,
        margins=demo.study.population,
        min_cell_count=demo.study.min_cell_count,
        lang="fr",
        repeats=demo.repeats,
        today=report_fr.generated_on,
        **options,
    )


def test_outline_names_every_section_of_a_full_report(demo: Demo, report_fr) -> None:
    full = _built(demo, report_fr)
    outline = [choice.id for choice in report_outline(demo.instrument, "fr")]
    assert [section.id for section in full.sections] == outline
    assert full.parameters["sections"] == outline
    titles = {c.id: c.title for c in report_outline(demo.instrument, "fr")}
    assert all(titles[s.id] == s.title for s in full.sections)


def test_only_the_chosen_sections_with_the_same_figures(demo: Demo, report_fr) -> None:
    full = _built(demo, report_fr)
    chosen = _built(demo, report_fr, sections=CHOSEN)
    assert [section.id for section in chosen.sections] == CHOSEN
    assert chosen.parameters["sections"] == CHOSEN
    for section_id in CHOSEN:
        assert chosen.section(section_id) == full.section(section_id)
    html = render_html(chosen)
    for section_id in CHOSEN:
        assert f'<section id="{section_id}"' in html
    for left_out in ("weighting", "q-profile", "comparisons"):
        assert f'<section id="{left_out}"' not in html
        assert f'href="#{left_out}"' not in html  # nor in the contents


def test_sections_left_out_keep_the_participation_rule(demo: Demo, report_fr) -> None:
    """Without the participation section, the comparisons still hide the groups
    its table hides (the small directorate)."""
    full = _built(demo, report_fr)
    alone = _built(demo, report_fr, sections=["comparisons"])
    assert [s.id for s in alone.sections] == ["comparisons"]
    assert alone.section("comparisons") == full.section("comparisons")


@pytest.mark.parametrize(
    ("sections", "error"),
    [(["q-nothing"], ReportError.UNKNOWN_SECTION), ([], ReportError.NO_SECTION)],
)
def test_bad_sections(demo: Demo, report_fr, sections, error) -> None:
    with pytest.raises(SociaparisError) as caught:
        _built(demo, report_fr, sections=sections)
    assert caught.value.error is error


@pytest.mark.storage
def test_weighting_choice_changes_the_figures(session: Session) -> None:
    _load_demo(session)
    study = load_study(STUDY_DIR)
    options = {"session": session, "actor": LOCAL_ADMIN, "form_id": FORM}
    raked = form_report(**options, study=study, weighting="raked")
    default = form_report(**options, study=study)
    design = form_report(**options, study=study, weighting="design")
    plain = form_report(**options)
    assert raked.parameters["weighting"] == default.parameters["weighting"] == "raked"
    assert design.parameters["weighting"] == plain.parameters["weighting"] == "design"
    assert raked.section("q-use") == default.section("q-use")
    assert design.section("q-use") == plain.section("q-use")
    assert raked.section("q-use") != design.section("q-use")
    assert [t.kind for t in raked.section("weighting").tables][0] == "weights"
    assert design.section("weighting").tables == ()
    # the study's threshold holds under either weighting
    assert design.min_cell_count == raked.min_cell_count == study.min_cell_count
    for weighting, study_given, error in (
        ("raked", None, ReportError.NO_MARGINS),
        ("both", study, ReportError.BAD_WEIGHTING),
    ):
        with pytest.raises(SociaparisError) as caught:
            form_report(**options, study=study_given, weighting=weighting)
        assert caught.value.error is error


@pytest.mark.storage
def test_kept_builds(session: Session, tmp_path: Path) -> None:
    _load_demo(session)
    ana, bob, vic = (
        create_user(session=session, username=name, password="x" * 16, role=role)
        for name, role in (
            ("ana", Role.RESEARCHER),
            ("bob", Role.RESEARCHER),
            ("vic", Role.VIEWER),
        )
    )
    outline = form_outline(session=session, actor=ana, form_id=FORM, lang="en")
    assert [c.id for c in outline][:2] == ["participation", "weighting"]
    report = form_report(
        session=session, actor=ana, form_id=FORM, sections=["q-use", "methods"]
    )
    written = tmp_path / "job" / "r.html"
    written.parent.mkdir()
    written.write_text(render_html(report), encoding="utf-8")
    data = tmp_path / "data"
    kept = keep_build(
        session=session, actor=ana, report=report, source=written, data_dir=data
    )
    written.unlink()  # the job's copy may go: the kept one stays
    assert (kept.form_id, kept.built_by, kept.fmt, kept.lang) == (
        FORM,
        "ana",
        "html",
        "fr",
    )
    assert (kept.weighting, kept.sections) == ("design", ("q-use", "methods"))
    assert kept.n_responses == report.n_responses
    assert [b.id for b in list_builds(session=session, actor=bob, form_id=FORM)] == [
        kept.id
    ]
    assert list_builds(session=session, actor=bob, form_id="other") == []
    path, media_type = build_file(
        session=session, actor=bob, build_id=kept.id, data_dir=data
    )
    assert media_type.startswith("text/html")
    assert 'id="q-use"' in path.read_text(encoding="utf-8")
    for refused, call in (
        (ExportError.NOT_ALLOWED, lambda: list_builds(session=session, actor=vic)),
        (
            ExportError.NOT_ALLOWED,
            lambda: build_file(
                session=session, actor=vic, build_id=kept.id, data_dir=data
            ),
        ),
        (
            ReportError.NOT_ALLOWED,
            lambda: remove_build(
                session=session, actor=bob, build_id=kept.id, data_dir=data
            ),
        ),
        (
            ReportError.BUILD_NOT_FOUND,
            lambda: build_file(session=session, actor=ana, build_id=999, data_dir=data),
        ),
    ):
        with pytest.raises(SociaparisError) as caught:
            call()
        assert caught.value.error is refused
    path.unlink()
    with pytest.raises(SociaparisError) as caught:
        build_file(session=session, actor=ana, build_id=kept.id, data_dir=data)
    assert caught.value.error is ReportError.BUILD_FILE_MISSING
    remove_build(session=session, actor=ana, build_id=kept.id, data_dir=data)
    assert list_builds(session=session, actor=ana) == []
    assert not (data / "reports" / str(kept.id)).exists()
