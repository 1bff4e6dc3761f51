"""The review step: accept, reject, add, relabel, finish."""

from __future__ import annotations

import pytest

from sociaparis.core.errors import SociaparisError
from sociaparis.qual.errors import QualError
from sociaparis.qual.pseudonymization import (
    EntityKind,
    PseudonymizationConfig,
    Status,
    accept,
    accept_all,
    add,
    add_everywhere,
    finish,
    reject,
    relabel,
    start_review,
)

RULES = PseudonymizationConfig(use_ner=False)
TEXT = "Mme Durand utilise Copilot. Karim Benali aussi. Copilot aide Lucas."
P = EntityKind.PERSONNE


@pytest.fixture
def state():
    return start_review(TEXT, config=RULES)


def test_start_review_proposes_everything(state) -> None:
    assert [(r.original, r.label, r.status) for r in state.replacements] == [
        ("Durand", "[PERSONNE-1]", Status.PROPOSED),
        ("Karim Benali", "[PERSONNE-2]", Status.PROPOSED),
        ("Lucas", "[PERSONNE-3]", Status.PROPOSED),
    ]
    assert state.pending == (0, 1, 2)


def test_finish_refuses_pending_replacements(state) -> None:
    with pytest.raises(SociaparisError) as caught:
        finish(accept(state, 0))
    assert caught.value.error is QualError.PSEUDO_REVIEW_PENDING
    assert caught.value.message == QualError.PSEUDO_REVIEW_PENDING.format(
        count=2, start=28, end=40, original="Karim Benali"
    )


def test_reject_keeps_the_text_and_stays_out_of_the_table(state) -> None:
    state = accept_all(reject(state, 2))
    result = finish(state)
    assert result.text.text == (
        "Mme [PERSONNE-1] utilise Copilot. [PERSONNE-2] aussi. Copilot aide Lucas."
    )
    assert result.table.label_of(P, "Lucas") is None
    assert result.table.label_of(P, "Karim Benali") == "[PERSONNE-2]"
    assert [r.status for r in result.replacements] == [
        Status.ACCEPTED,
        Status.ACCEPTED,
        Status.REJECTED,
    ]


def test_add_a_missed_span_gets_the_next_label(state) -> None:
    start = TEXT.index("Copilot")
    state = add(state, start=start, end=start + 7, kind=P)
    added = state.replacements[1]
    assert (added.original, added.label, added.detector, added.status) == (
        "Copilot",
        "[PERSONNE-4]",
        "manual",
        Status.ACCEPTED,
    )
    assert [r.start for r in state.replacements] == sorted(
        r.start for r in state.replacements
    )


def test_add_with_a_known_label_and_everywhere(state) -> None:
    state = add_everywhere(state, "copilot", kind=EntityKind.TERME)
    labels = [
        (r.original, r.label) for r in state.replacements if r.kind is EntityKind.TERME
    ]
    assert labels == [("Copilot", "[TERME-1]"), ("Copilot", "[TERME-1]")]
    start = TEXT.index("Lucas")
    state = add(
        reject(state, 4), start=start, end=start + 5, kind=P, label="[PERSONNE-1]"
    )
    result = finish(state, accept_pending=True)
    assert result.text.text == (
        "Mme [PERSONNE-1] utilise [TERME-1]. [PERSONNE-2] aussi. [TERME-1] aide "
        "[PERSONNE-1]."
    )
    assert result.table.label_of(P, "Lucas") == "[PERSONNE-1]"


def test_relabel_merges_two_variants(state) -> None:
    state = finish(relabel(state, 2, "[PERSONNE-1]"), accept_pending=True)
    assert state.text.text.endswith("aide [PERSONNE-1].")
    assert state.table.counters()[P] == 2


@pytest.mark.parametrize(
    ("operation", "error"),
    [
        (lambda s: add(s, start=5, end=5, kind=P), QualError.PSEUDO_SPAN_INVALID),
        (lambda s: add(s, start=60, end=90, kind=P), QualError.PSEUDO_SPAN_INVALID),
        (lambda s: add(s, start=0, end=6, kind=P), QualError.PSEUDO_SPAN_OVERLAP),
        (
            lambda s: add(s, start=0, end=3, kind=P, label="[LIEU-1]"),
            QualError.PSEUDO_LABEL_INVALID,
        ),
        (lambda s: relabel(s, 0, "PERSONNE-1"), QualError.PSEUDO_LABEL_INVALID),
        (lambda s: accept(s, 3), QualError.PSEUDO_NO_SUCH_REPLACEMENT),
        (lambda s: reject(s, -1), QualError.PSEUDO_NO_SUCH_REPLACEMENT),
    ],
)
def test_review_errors(state, operation, error: QualError) -> None:
    with pytest.raises(SociaparisError) as caught:
        operation(state)
    assert caught.value.error is error


def test_a_rejected_span_can_be_replaced_by_another(state) -> None:
    state = add(reject(state, 0), start=0, end=10, kind=P)
    assert [(r.original, r.status) for r in state.replacements[:2]] == [
        ("Mme Durand", Status.ACCEPTED),
        ("Durand", Status.REJECTED),
    ]
    assert finish(state, accept_pending=True).text.text.startswith("[PERSONNE-1] utilise")


def test_review_state_frames(state) -> None:
    frame = state.to_frame()
    assert list(frame.columns) == [
        "start",
        "end",
        "original",
        "kind",
        "label",
        "detector",
        "status",
    ]
    assert frame["status"].tolist() == ["proposed"] * 3
    assert state.to_dict()["replacements"][1]["label"] == "[PERSONNE-2]"
