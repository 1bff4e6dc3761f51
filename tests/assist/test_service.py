"""Runs of a suggester and the review of its suggestions (SQLite and PostgreSQL).

The suggester is a test double that proposes fixed passages, so every count
below is derived by hand from :data:`TEXT`.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.assist import service as svc
from sociaparis.assist.briefs import (
    CallRecord,
    CodeBrief,
    Rejection,
    Suggestion,
    SuggestionResult,
)
from sociaparis.assist.energy import estimate_wh, wh_per_output_token
from sociaparis.core.errors import SociaparisError
from sociaparis.qual import codebook_service as cb
from sociaparis.qual import coding_service as cs
from sociaparis.qual import corpus
from sociaparis.qual.blind import set_blind
from sociaparis.qual.interchange import export_qdpx
from sociaparis.qual.matrices import code_case_matrix
from sociaparis.qual.models import QualCode
from sociaparis.qual.retrieval import segments
from sociaparis.qual.segments_export import segments_csv, segments_html
from tests.qual.test_service import make_actor

TEXT = "Agent : Albert aide beaucoup. Parfois il se trompe et invente des sources."
#: (code, quote, confidence) proposed for every document
PROPOSALS = (
    ("Outils", "Albert aide beaucoup", 0.9),
    ("Erreurs", "il se trompe", 0.4),
    ("Erreurs", "invente des sources", None),
    ("Inconnu", "Parfois", 0.8),  # not among the chosen codes
)


@dataclass
class Double:
    """A suggester that proposes :data:`PROPOSALS`, as a real one would locate them."""

    coder_name: str = "ai:test-model"
    seen: list[tuple[str, tuple[CodeBrief, ...], tuple[tuple[int, int], ...]]] = field(
        default_factory=list
    )
    fail: bool = False

    def suggest(
        self,
        text: str,
        codes: Sequence[CodeBrief],
        turns: Sequence[tuple[int, int]] = (),
    ) -> SuggestionResult:
        if self.fail:
            raise RuntimeError("endpoint gone")
        self.seen.append((text, tuple(codes), tuple(turns)))
        found = [
            Suggestion(code, text.index(q), text.index(q) + len(q), q, "parce que", conf)
            for code, q, conf in PROPOSALS
            if q in text
        ]
        call = CallRecord(
            "http://llm.local/v1", "test-model", {"temperature": 0},
            {"messages": []}, '{"passages": []}', 200, 100, 20, 0.5,
        )  # fmt: skip
        return SuggestionResult(
            found, [Rejection("Outils", "absent du texte", "not_in_text")], [call]
        )


@pytest.fixture
def study(session: Session) -> dict[str, Any]:
    boss = make_actor(session, Role.RESEARCHER, "boss")
    ana = make_actor(session, Role.CODER, "ana")
    vic = make_actor(session, Role.VIEWER, "vic")
    doc = corpus.import_document(
        session=session, actor=boss, data=TEXT.encode(), filename="e1.txt",
        detect_speakers=True, case="Agent A", needs_pseudonymization=False,
    )  # fmt: skip
    held = corpus.import_document(
        session=session, actor=boss, data=b"Texte en relecture.", filename="e2.txt"
    )
    codes = {
        name: cb.add_code(
            session=session, actor=boss, name=name, description=f"déf {name}"
        )
        for name in ("Outils", "Erreurs", "Autre")
    }
    # a human coding: the example the suggester is shown for "Outils"
    cs.apply_coding(session=session, actor=boss, document=doc.id,
                    code=codes["Outils"].guid, start=0, end=5)  # fmt: skip
    return {"boss": boss, "ana": ana, "vic": vic, "doc": doc.id, "held": held.id,
            "codes": {k: v.id for k, v in codes.items()}}  # fmt: skip


def _run(session: Session, s: dict[str, Any], suggester: Any = None) -> Any:
    return svc.start_run(
        session,
        s["boss"],
        suggester or Double(),
        documents=[s["doc"]],
        codes=[s["codes"]["Outils"], s["codes"]["Erreurs"]],
    )


def test_a_run_stores_suggestions_calls_rejections_tokens_energy(
    session: Session, study: dict[str, Any]
) -> None:
    double = Double()
    ticks: list[tuple[int, int]] = []
    run = svc.start_run(
        session, study["boss"], double, documents=[study["doc"]],
        codes=[study["codes"]["Outils"], study["codes"]["Erreurs"]],
        progress=lambda n, total, _t: ticks.append((n, total)),
    )  # fmt: skip
    assert ticks == [(1, 1)]
    text, briefs, turns = double.seen[0]
    assert text == TEXT and turns == ((len("Agent : "), len(TEXT)),)
    assert [(b.name, b.definition, b.examples) for b in briefs] == [
        ("Outils", "déf Outils", ("Agent",)),
        ("Erreurs", "déf Erreurs", ()),
    ]
    assert (run.status, run.kind, run.model, run.calls) == (
        "done",
        "llm",
        "test-model",
        1,
    )
    assert (run.prompt_tokens, run.completion_tokens) == (100, 20)
    assert run.endpoint == "http://llm.local/v1"
    assert run.energy_wh == pytest.approx(20 * wh_per_output_token())
    assert run.report["rejected_by_reason"] == {"not_in_text": 1, "unknown_code": 1}
    listed = svc.list_suggestions(session=session, viewer=study["vic"], run=run.id)
    assert [(s.code, s.quote, s.confidence, s.model) for s in listed] == [
        ("Outils", "Albert aide beaucoup", 0.9, "ai:test-model"),
        ("Erreurs", "il se trompe", 0.4, "ai:test-model"),
        ("Erreurs", "invente des sources", None, "ai:test-model"),
    ]
    assert all(TEXT[s.start : s.end] == s.quote for s in listed)
    assert listed[0].before == "Agent : " and listed[0].after.startswith(". Parfois")
    confident = svc.list_suggestions(
        session=session, viewer=study["boss"], min_confidence=0.5
    )
    assert [s.quote for s in confident] == ["Albert aide beaucoup"]
    by_code = svc.list_suggestions(
        session=session, viewer=study["boss"], code=study["codes"]["Erreurs"]
    )
    assert len(by_code) == 2
    info = svc.get_run(session=session, viewer=study["boss"], run=run.id)
    assert info.counts == {"proposed": 3, "accepted": 0, "rejected": 0}
    assert info.coder == "ai:test-model" and info.started_by == "boss"


def test_energy_factor_is_the_ecologits_one_worked_by_hand() -> None:
    # 24 B params, 1 GPU: GPU 8.91e-5*24 + 1.43e-3 = 3.5684e-3 Wh; server
    # (8.02e-4*24 + 2.23e-2) s / 3600 * 1000 W / 8 = 1.44264e-3 Wh; x PUE 1.2
    assert wh_per_output_token() == pytest.approx(1.2 * (3.5684e-3 + 1.442639e-3))
    assert estimate_wh(5_000, 0) == 0


@pytest.mark.parametrize(
    ("who", "documents", "code"),
    [
        ("ana", "doc", "ASSIST_030"),  # a coder may not run a suggester
        ("vic", "doc", "ASSIST_030"),
        ("boss", "held", "ASSIST_031"),  # not released: nothing is sent
    ],
)
def test_runs_are_refused_before_anything_is_sent(
    session: Session, study: dict[str, Any], who: str, documents: str, code: str
) -> None:
    double = Double()
    with pytest.raises(SociaparisError) as caught:
        svc.start_run(session, study[who], double, documents=[study[documents]],
                      codes=[study["codes"]["Outils"]])  # fmt: skip
    assert caught.value.code == code and double.seen == []


def test_a_failing_suggester_leaves_a_failed_run(
    session: Session, study: dict[str, Any]
) -> None:
    with pytest.raises(SociaparisError) as caught:
        _run(session, study, Double(fail=True))
    assert caught.value.code == "ASSIST_042" and "endpoint gone" in caught.value.message
    assert [r.status for r in svc.list_runs(session=session, viewer=study["boss"])] == [
        "failed"
    ]


def test_accept_edit_reject_and_their_idempotence(
    session: Session, study: dict[str, Any]
) -> None:
    run = _run(session, study)
    first, second, third = svc.list_suggestions(session=session, viewer=study["boss"])
    accepted = svc.accept_suggestion(
        session=session, actor=study["boss"], suggestion=first.id
    )
    assert (accepted.status, accepted.decided_by) == ("accepted", "boss")
    again = svc.accept_suggestion(
        session=session, actor=study["boss"], suggestion=first.id
    )
    assert again.coding_id == accepted.coding_id  # no second coding
    start = TEXT.index("se trompe")
    edited = svc.accept_suggestion(
        session=session, actor=study["boss"], suggestion=second.id,
        start=start, end=start + len("se trompe"), code=study["codes"]["Autre"],
    )  # fmt: skip
    assert (edited.quote, edited.code) == ("se trompe", "Autre")
    assert edited.edited_from == {"start": second.start, "end": second.end,
                                  "code": "Erreurs", "quote": "il se trompe"}  # fmt: skip
    assert accepted.edited_from is None
    rejected = svc.reject_suggestion(
        session=session, actor=study["boss"], suggestion=third.id
    )
    assert rejected.status == "rejected"
    assert svc.reject_suggestion(session=session, actor=study["boss"],
                                 suggestion=third.id).status == "rejected"  # fmt: skip
    for call, ref in (
        (svc.accept_suggestion, third.id),
        (svc.reject_suggestion, first.id),
    ):
        with pytest.raises(SociaparisError) as caught:
            call(session=session, actor=study["boss"], suggestion=ref)
        assert caught.value.code == "ASSIST_036"
    with pytest.raises(SociaparisError) as caught:
        svc.accept_suggestion(session=session, actor=study["ana"], suggestion=first.id)
    assert caught.value.code == "ASSIST_030"
    codings = cs.codings_of(session=session, document=study["doc"])
    assert sorted((c.coder, c.text) for c in codings) == [
        ("ai:test-model", "Albert aide beaucoup"),
        ("ai:test-model", "se trompe"),
        ("boss", "Agent"),
    ]
    info = svc.get_run(session=session, viewer=study["boss"], run=run.id)
    assert info.counts == {"proposed": 0, "accepted": 2, "rejected": 1}
    # the accepting person can undo the acceptance like any coding of theirs
    undone = cs.undo_last(session=session, actor=study["boss"], document=study["doc"])
    assert undone.undone == "apply"


def test_bad_edits_and_unknown_suggestions_are_refused(
    session: Session, study: dict[str, Any]
) -> None:
    _run(session, study)
    first = svc.list_suggestions(session=session, viewer=study["boss"])[0]
    for start, end in ((10, 5), (0, len(TEXT) + 1)):
        with pytest.raises(SociaparisError) as caught:
            svc.accept_suggestion(session=session, actor=study["boss"],
                                  suggestion=first.id, start=start, end=end)  # fmt: skip
        assert caught.value.code == "ASSIST_040"
    session.get(QualCode, study["codes"]["Autre"]).codable = False  # a category
    with pytest.raises(SociaparisError) as caught:
        svc.accept_suggestion(session=session, actor=study["boss"], suggestion=first.id,
                              code=study["codes"]["Autre"])  # fmt: skip
    assert caught.value.code == "ASSIST_041"
    with pytest.raises(SociaparisError) as caught:
        svc.start_run(session, study["boss"], Double(), documents=[study["doc"]],
                      codes=[study["codes"]["Autre"]])  # fmt: skip
    assert caught.value.code == "ASSIST_041"
    with pytest.raises(SociaparisError) as caught:
        svc.reject_suggestion(session=session, actor=study["boss"], suggestion=99999)
    assert caught.value.code == "ASSIST_035"
    assert (
        svc.list_suggestions(session=session, viewer=study["boss"])[0].status
        == "proposed"
    )


def test_batch_decisions(session: Session, study: dict[str, Any]) -> None:
    _run(session, study)
    ids = [s.id for s in svc.list_suggestions(session=session, viewer=study["boss"])]
    svc.reject_suggestion(session=session, actor=study["boss"], suggestion=ids[2])
    result = svc.decide_many(session=session, actor=study["boss"], suggestions=ids,
                             decision="accept")  # fmt: skip
    assert result.decided == (ids[0], ids[1])
    assert result.refused == ((ids[2], "ASSIST_036"),)
    again = svc.decide_many(session=session, actor=study["boss"], suggestions=ids[:2],
                            decision="accept")  # fmt: skip
    assert again.unchanged == (ids[0], ids[1]) and again.decided == ()


def test_proposed_suggestions_are_never_counted_accepted_ones_are(
    session: Session, study: dict[str, Any], tmp_path: Any
) -> None:
    _run(session, study)
    outils = study["codes"]["Outils"]
    first = svc.list_suggestions(session=session, viewer=study["boss"], code=outils)[0]

    def seen() -> dict[str, Any]:
        matrix = code_case_matrix(session=session)
        found = segments(session=session, code=outils)
        buffer = io.BytesIO()
        export_qdpx(session=session, actor=study["boss"], target=buffer)
        with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
            xml = archive.read("project.qde").decode()
        return {
            "matrix": int(matrix.codings.loc["Outils", "Agent A"]),
            "segments": [s.text for s in found.segments],
            "csv": segments_csv(found).decode("utf-8-sig").splitlines(),
            "html": segments_html(found).decode(),
            "qdpx": xml,
        }

    before = seen()
    assert before["matrix"] == 1 and before["segments"] == ["Agent"]
    assert len(before["csv"]) == 2  # the header and the human coding
    assert before["qdpx"].count("<Coding ") == 1 and "proposed by" not in before["qdpx"]
    assert before["csv"][0].endswith(",origin,model,accepted_by")
    assert before["csv"][1].endswith(",human,,")

    svc.accept_suggestion(session=session, actor=study["boss"], suggestion=first.id)
    after = seen()
    assert after["matrix"] == 2
    assert after["segments"] == ["Agent", "Albert aide beaucoup"]
    assert after["csv"][2].endswith(",model,ai:test-model,boss")
    assert "origin: model (ai:test-model), accepted by: boss" in after["html"]
    assert (
        after["qdpx"].count("<Coding ") == 2 and 'name="ai:test-model"' in after["qdpx"]
    )
    assert (
        "Coding proposed by the model ai:test-model and accepted by boss" in after["qdpx"]
    )


def test_blind_mode_hides_runs_and_suggestions_from_coders(
    session: Session, study: dict[str, Any]
) -> None:
    _run(session, study)
    set_blind(session=session, actor=study["boss"], blind=True)
    assert svc.list_suggestions(session=session, viewer=study["ana"]) == []
    assert svc.list_runs(session=session, viewer=study["ana"]) == []
    assert len(svc.list_suggestions(session=session, viewer=study["boss"])) == 3


def test_the_run_export_has_the_recording_layout(
    session: Session, study: dict[str, Any]
) -> None:
    run = _run(session, study)
    first = svc.list_suggestions(session=session, viewer=study["boss"])[0]
    svc.accept_suggestion(session=session, actor=study["boss"], suggestion=first.id)
    exported = svc.export_run(session=session, actor=study["boss"], run=run.id)
    assert exported["format"] == "sociaparis-assist-run/1"
    assert exported["run"]["tokens"] == {"prompt": 100, "completion": 20}
    assert set(exported["calls"][0]) == set(CallRecord.__dataclass_fields__)
    assert CallRecord(**exported["calls"][0]).status == 200
    assert [(s["quote"], s["status"]) for s in exported["suggestions"]] == [
        ("Albert aide beaucoup", "accepted"),
        ("il se trompe", "proposed"),
        ("invente des sources", "proposed"),
    ]
    assert exported["suggestions"][0]["decided_by"] == "boss"
    assert {r["reason"] for r in exported["rejected"]} == {"not_in_text", "unknown_code"}
    with pytest.raises(SociaparisError) as caught:
        svc.export_run(session=session, actor=study["vic"], run=run.id)
    assert caught.value.code == "ASSIST_030"
