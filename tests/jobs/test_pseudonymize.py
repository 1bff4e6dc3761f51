"""The pseudonymization of a document as a background job (kind
``pseudonymize``), on SQLite and PostgreSQL: its checks, its run, its summary
without personal data, and a document that goes under review meanwhile."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from sociaparis.accounts.roles import Role
from sociaparis.core.config import Settings
from sociaparis.core.db import ensure_schema, make_engine, transaction
from sociaparis.core.errors import SociaparisError
from sociaparis.jobs.runner import run_job
from sociaparis.jobs.service import get_job, job_result, start_job
from sociaparis.qual import corpus
from sociaparis.qual import pseudonymize_service as ps
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.models import ReviewReplacement
from sociaparis.qual.pseudonymization import PseudonymizationConfig
from tests.factories import add_role_accounts
from tests.jobs.test_service import RecordingQueue, _account

TEXT = (
    "Enquêtrice : Bonjour Mme Durand, merci.\n\n"
    "Agent : Appelez-moi au 01 42 76 40 40, je suis à la DSIN avec Copilot."
)


@pytest.fixture
def study(tmp_path: Path, database_url: str) -> Iterator[tuple[Engine, Settings, int]]:
    """A fresh database with one account per role and one imported interview."""
    settings = Settings(
        data_dir=tmp_path / "data", database_url=database_url, secret_key="x" * 32
    )
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    with transaction(engine) as session:
        add_role_accounts(session)
        document = corpus.import_document(
            session=session,
            actor=_account(session, Role.RESEARCHER),
            data=TEXT.encode(),
            filename="e1.txt",
            detect_speakers=True,
        ).id
    yield engine, settings, document
    engine.dispose()


def _start(engine: Engine, role: Role, **parameters) -> int:
    with transaction(engine) as session:
        return start_job(
            session=session,
            actor=_account(session, role),
            kind="pseudonymize",
            parameters=parameters,
            queue=RecordingQueue(),
        ).id


def _replacements(engine: Engine, document: int) -> int:
    with transaction(engine) as session:
        return session.scalar(
            select(func.count())
            .select_from(ReviewReplacement)
            .where(ReviewReplacement.document_id == document)
        )


def _second_document(engine: Engine) -> int:
    """A second imported document, with one e-mail address to replace."""
    with transaction(engine) as session:
        return corpus.import_document(
            session=session,
            actor=_account(session, Role.RESEARCHER),
            data="Agent : Écrivez à paul.vidal@paris.fr.".encode(),
            filename="e2.txt",
        ).id


def _review_in_one_request(engine: Engine, role: Role, document: int) -> None:
    """The review of ``document`` started in one request, as the CLI does."""
    with transaction(engine) as session:
        ps.start_review(
            session=session,
            actor=_account(session, role),
            document=document,
            config=PseudonymizationConfig(use_ner=False),
        )


def test_the_job_opens_the_reviews_and_keeps_a_summary_without_names(study) -> None:
    engine, settings, document = study
    other = _second_document(engine)
    job_id = _start(
        engine, Role.RESEARCHER, documents=[document, "e2.txt"], use_ner=False
    )
    assert run_job(engine, settings.data_dir, job_id) == "done"
    with transaction(engine) as session:
        researcher = _account(session, Role.RESEARCHER)
        review = ps.get_review(session=session, actor=researcher, document=document)
        second = ps.get_review(session=session, actor=researcher, document=other)
        job = get_job(session=session, actor=researcher, job_id=job_id)
        path, media = job_result(
            session=session, actor=researcher, job_id=job_id, data_dir=settings.data_dir
        )
    # The same proposals as the review started in one request (rules only).
    assert [(r.original, r.label) for r in review.replacements] == [
        ("Durand", "[PERSONNE-1]"),
        ("01 42 76 40 40", "[TELEPHONE-1]"),
    ]
    assert [r.original for r in second.replacements] == ["paul.vidal@paris.fr"]
    assert (job.status, job.percent, job.title) == ("done", 100, "e1.txt (+1)")
    assert job.parameters["documents"] == [document, other]  # ids, in order
    assert media == "application/json"
    summary = path.read_text(encoding="utf-8")
    assert [d["proposed"] for d in json.loads(summary)["documents"]] == [
        {"PERSONNE": 1, "TELEPHONE": 1},
        {"EMAIL": 1},
    ]
    for original in ("Durand", "01 42", "vidal"):
        assert original not in summary


@pytest.mark.parametrize(
    ("role", "parameters", "code"),
    [
        (Role.CODER, {}, CorpusError.NOT_ALLOWED.code),
        (Role.RESEARCHER, {"documents": [999]}, CorpusError.UNKNOWN_DOCUMENT.code),
        (Role.RESEARCHER, {"documents": None}, "JOB_004"),
        (Role.RESEARCHER, {"documents": []}, "JOB_004"),
        (Role.RESEARCHER, {"documents": [True]}, "JOB_004"),
        (Role.RESEARCHER, {"documents": list(range(1, 52))}, "JOB_004"),
        (Role.RESEARCHER, {"use_ner": "yes"}, "JOB_004"),
    ],
)
def test_start_refusals(study, role, parameters, code) -> None:
    engine, _settings, document = study
    with pytest.raises(SociaparisError) as caught:
        _start(engine, role, **{"documents": [document], **parameters})
    assert caught.value.code == code


def test_a_document_under_review_is_refused_when_the_job_starts(study) -> None:
    engine, _settings, document = study
    _review_in_one_request(engine, Role.RESEARCHER, document)
    with pytest.raises(SociaparisError) as caught:
        _start(engine, Role.RESEARCHER, documents=[document], use_ner=False)
    assert caught.value.code == CorpusError.WRONG_STATUS.code


def test_a_review_opened_while_the_job_searched_is_kept_and_the_job_goes_on(
    study, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Someone starts the first document's review in one request while the job
    # is finding its entities: the job's write finds it no longer imported,
    # keeps the other review and goes on with the second document.
    engine, settings, document = study
    other = _second_document(engine)
    job_id = _start(engine, Role.RESEARCHER, documents=[document, other], use_ner=False)
    search = ps.pseudo.start_review
    searches: list[None] = []

    def search_while_another_opens_it(*args, **kwargs):
        found = search(*args, **kwargs)
        searches.append(None)
        if len(searches) == 1:  # the job's search; then the other request's own
            _review_in_one_request(engine, Role.ADMIN, document)
        return found

    monkeypatch.setattr(ps.pseudo, "start_review", search_while_another_opens_it)
    assert run_job(engine, settings.data_dir, job_id) == "done"
    with transaction(engine) as session:
        researcher = _account(session, Role.RESEARCHER)
        path, _media = job_result(
            session=session, actor=researcher, job_id=job_id, data_dir=settings.data_dir
        )
        second = ps.get_review(session=session, actor=researcher, document=other)
    first, done = json.loads(path.read_text(encoding="utf-8"))["documents"]
    assert first["skipped"] == CorpusError.WRONG_STATUS.code
    assert done["proposed"] == {"EMAIL": 1}
    assert [r.original for r in second.replacements] == ["paul.vidal@paris.fr"]
    assert _replacements(engine, document) == 2  # the other review's, once
