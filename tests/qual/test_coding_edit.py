"""Changing codings, undoing, several codes at once, memos, the coding view's blocks.

Runs on SQLite and PostgreSQL (the ``session`` fixture).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.core.errors import SociaparisError
from sociaparis.qual import codebook_service as cb
from sociaparis.qual import coding_service as cs
from sociaparis.qual import corpus
from sociaparis.qual.coding_view import coding_view, text_blocks
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.errors import QualError
from sociaparis.web.i18n import error_text
from tests.qual.test_service import make_actor

# "Enquêtrice : " is 13 code points; the utterance "Vous utilisez 🤖 Albert ?"
# holds one emoji (one code point, two UTF-16 units).
TEXT = (
    "Enquêtrice : Vous utilisez 🤖 Albert ?\n\n"
    "Agent : Oui. Albert aide beaucoup ! Parfois il se trompe.\n\n"
    "Un paragraphe sans locuteur."
)


@pytest.fixture
def study(session: Session) -> dict[str, Any]:
    boss = make_actor(session, Role.RESEARCHER, "boss")
    ana = make_actor(session, Role.CODER, "ana")
    ben = make_actor(session, Role.CODER, "ben")
    viewer = make_actor(session, Role.VIEWER, "vic")
    doc = corpus.import_document(
        session=session, actor=boss, data=TEXT.encode(), filename="e1.txt",
        detect_speakers=True, case="Agent A", needs_pseudonymization=False,
    )  # fmt: skip
    other = corpus.import_document(
        session=session, actor=boss, data=b"Autre texte.", filename="e2.txt",
        needs_pseudonymization=False,
    )  # fmt: skip
    held = corpus.import_document(
        session=session, actor=boss, data=b"Texte en relecture.", filename="e3.txt"
    )
    codes = {
        name: cb.add_code(session=session, actor=boss, name=name).guid
        for name in ("Outils", "Confiance", "Erreurs")
    }
    return {"boss": boss, "ana": ana, "ben": ben, "viewer": viewer, "doc": doc.id,
            "other": other.id, "held": held.id, "codes": codes}  # fmt: skip


def _state(session: Session, doc: int) -> list[tuple[str, int, int, str | None]]:
    names = {c.guid: c.name for c in cb.list_codes(session=session)}
    return [
        (names[c.code_guid], c.start, c.end, c.memo)
        for c in cs.codings_of(session=session, document=doc)
    ]


def _apply(session: Session, s: dict, who: str, code: str, start: int, end: int) -> str:
    return cs.apply_coding(
        session=session, actor=s[who], document=s["doc"], code=s["codes"][code],
        start=start, end=end,
    ).guid  # fmt: skip


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"start": 30, "end": 36}, ("Outils", 30, 36, None)),
        ({"code": "Confiance"}, ("Confiance", 13, 36, None)),
        ({"memo": "à revoir"}, ("Outils", 13, 36, "à revoir")),
        ({"end": 20, "code": "Erreurs", "memo": "x"}, ("Erreurs", 13, 20, "x")),
    ],
)
def test_edit_coding_changes_and_records_before_and_after(
    session: Session, study: dict, change: dict, expected: tuple
) -> None:
    guid = _apply(session, study, "ana", "Outils", 13, 36)
    info = cs.edit_coding(session=session, actor=study["ana"], coding=guid, **change)
    assert (info.start, info.end, info.memo) == expected[1:]
    assert info.text == TEXT[expected[1] : expected[2]]
    assert _state(session, study["doc"]) == [expected]
    event = corpus.history(session=session, kind="recode")[-1]
    assert event.details["before"]["start"] == 13
    assert event.details["before"]["end"] == 36
    assert event.details["coding"]["start"] == expected[1]


@pytest.mark.parametrize(
    ("who", "change", "error", "context"),
    [
        ("ana", {"end": 999}, CorpusError.BAD_SPAN, {"start": 13, "end": 999}),
        ("ana", {"start": 36}, CorpusError.BAD_SPAN, {"start": 36, "end": 36}),
        ("ana", {"start": 13}, QualError.NOTHING_TO_CHANGE, {}),
        ("ana", {"memo": None}, QualError.NOTHING_TO_CHANGE, {}),
        ("ben", {"end": 20}, CorpusError.NOT_ALLOWED,
         {"action": "change another coder's coding"}),
        ("viewer", {"end": 20}, CorpusError.NOT_ALLOWED, {"action": "code documents"}),
        ("ana", {"code": "Inconnu"}, CorpusError.UNKNOWN_CODE, {"ref": "Inconnu"}),
        ("ana", {"document": "other"}, QualError.CODING_ELSEWHERE, {"title": "e2.txt"}),
    ],
)  # fmt: skip
def test_edit_coding_refuses(
    session: Session, study: dict, who: str, change: dict, error: Any, context: dict
) -> None:
    guid = _apply(session, study, "ana", "Outils", 13, 36)
    if "document" in change:
        change = {"document": study[change["document"]], "end": 20}
    with pytest.raises(SociaparisError) as raised:
        cs.edit_coding(session=session, actor=study[who], coding=guid, **change)
    assert raised.value.code == error.code
    for key, value in context.items():
        assert raised.value.context[key] == value
    assert _state(session, study["doc"]) == [("Outils", 13, 36, None)]


def test_a_researcher_may_change_a_coders_coding(session: Session, study: dict) -> None:
    guid = _apply(session, study, "ana", "Outils", 13, 36)
    cs.edit_coding(session=session, actor=study["boss"], coding=guid, end=20)
    assert _state(session, study["doc"]) == [("Outils", 13, 20, None)]


def test_undo_walks_back_through_every_action(session: Session, study: dict) -> None:
    a = _apply(session, study, "ana", "Outils", 13, 36)
    b = _apply(session, study, "ana", "Confiance", 46, 71)
    cs.edit_coding(session=session, actor=study["ana"], coding=a, memo="m")
    cs.remove_coding(session=session, actor=study["ana"], coding=b)
    cs.edit_coding(
        session=session, actor=study["ana"], coding=a, start=27, code="Erreurs"
    )
    # another coder's action is not ana's to undo
    _apply(session, study, "ben", "Erreurs", 0, 10)
    ben = ("Erreurs", 0, 10, None)
    steps = [
        ("recode", [ben, ("Outils", 13, 36, "m")]),
        ("remove", [ben, ("Outils", 13, 36, "m"), ("Confiance", 46, 71, None)]),
        ("recode", [ben, ("Outils", 13, 36, None), ("Confiance", 46, 71, None)]),
        ("apply", [ben, ("Outils", 13, 36, None)]),
        ("apply", [ben]),
    ]
    for undone, state in steps:
        result = cs.undo_last(session=session, actor=study["ana"], document=study["doc"])
        assert result.undone == undone
        assert _state(session, study["doc"]) == state
    with pytest.raises(SociaparisError) as raised:
        cs.undo_last(session=session, actor=study["ana"])
    assert raised.value.code == QualError.NOTHING_TO_UNDO.code
    with pytest.raises(SociaparisError) as raised:
        cs.undo_last(session=session, actor=study["ana"], document=study["doc"])
    assert "ana has nothing to undo on document 'e1.txt':" in raised.value.message
    assert error_text(raised.value, "fr").startswith(
        "ana n'a rien à annuler dans le document « e1.txt » :"
    )
    assert len(corpus.history(session=session, kind="undo", actor="ana")) == 5


def test_undo_of_a_removal_gives_back_the_same_coding(
    session: Session, study: dict
) -> None:
    guid = _apply(session, study, "ana", "Outils", 13, 36)
    before = cs.codings_of(session=session, document=study["doc"])[0]
    cs.remove_coding(session=session, actor=study["boss"], coding=guid)
    result = cs.undo_last(session=session, actor=study["boss"])
    assert result.restored is not None
    assert cs.codings_of(session=session, document=study["doc"]) == [before]
    assert before.coder == "ana"


def test_undo_refuses_when_someone_changed_the_coding_since(
    session: Session, study: dict
) -> None:
    guid = _apply(session, study, "ana", "Outils", 13, 36)
    cs.edit_coding(session=session, actor=study["boss"], coding=guid, end=20)
    with pytest.raises(SociaparisError) as raised:
        cs.undo_last(session=session, actor=study["ana"])
    assert raised.value.code == QualError.UNDO_CONFLICT.code
    assert str(raised.value.context["reason"]) == "the coding was changed since"
    assert _state(session, study["doc"]) == [("Outils", 13, 20, None)]


def test_undo_needs_a_role_that_codes(session: Session, study: dict) -> None:
    with pytest.raises(SociaparisError) as raised:
        cs.undo_last(session=session, actor=study["viewer"])
    assert raised.value.code == CorpusError.NOT_ALLOWED.code


@pytest.mark.parametrize(
    ("codes", "error", "state"),
    [
        (["Outils", "Confiance"], None,
         [("Outils", 13, 36, "m"), ("Confiance", 13, 36, "m")]),
        (["Outils", "Outils"], None, [("Outils", 13, 36, "m")]),
        (["Outils", "Inconnu"], CorpusError.UNKNOWN_CODE, []),
        ([], QualError.NO_CODE_GIVEN, []),
    ],
)  # fmt: skip
def test_apply_codes_stores_all_or_nothing(
    session: Session, study: dict, codes: list[str], error: Any, state: list
) -> None:
    refs = [study["codes"].get(c, c) for c in codes]
    if error is None:
        out = cs.apply_codes(session=session, actor=study["ana"], document=study["doc"],
                             codes=refs, start=13, end=36, memo="m")  # fmt: skip
        assert [c.text for c in out] == [TEXT[13:36]] * len(state)
    else:
        with pytest.raises(SociaparisError) as raised:
            cs.apply_codes(session=session, actor=study["ana"], document=study["doc"],
                           codes=refs, start=13, end=36)  # fmt: skip
        assert raised.value.code == error.code
    assert sorted(_state(session, study["doc"])) == sorted(state)


def test_recent_codes_newest_first_without_repeats(session: Session, study: dict) -> None:
    for code in ("Outils", "Confiance", "Outils", "Erreurs"):
        _apply(session, study, "ana", code, 0, 5)
    recent = cs.recent_codes(session=session, actor=study["ana"])
    assert recent == [study["codes"][c] for c in ("Erreurs", "Outils", "Confiance")]
    assert cs.recent_codes(session=session, actor=study["ben"]) == []


def test_memos_on_a_document_a_case_a_code_and_a_coding(
    session: Session, study: dict
) -> None:
    guid = _apply(session, study, "ana", "Outils", 13, 36)
    targets = [("document", study["doc"]), ("case", "Agent A"),
               ("code", study["codes"]["Outils"]), ("coding", guid)]  # fmt: skip
    for on, target in targets:
        cs.add_memo(session=session, actor=study["ana"], text=f"sur {on}", on=on,
                    target=target)  # fmt: skip
    for on, target in targets:
        notes = cs.memo_notes(session=session, on=on, target=target)
        assert [(n.text, n.author) for n in notes] == [(f"sur {on}", "ana")]


def test_the_coding_view_loads_a_released_document_only(
    session: Session, study: dict
) -> None:
    _apply(session, study, "ana", "Outils", 13, 36)
    view = coding_view(session=session, actor=study["viewer"], document=study["doc"])
    assert [(b.label, b.speaker) for b in view.blocks] == [
        ("Enquêtrice : ", "Enquêtrice"), ("Agent : ", "Agent"), ("", None),
    ]  # fmt: skip
    assert all(b.label + b.body == TEXT[b.start : b.end] for b in view.blocks)
    assert view.can_code is False
    data = view.page_data()
    assert [row[2:4] for row in data["codings"]] == [[13, 36]]
    with pytest.raises(SociaparisError) as raised:
        coding_view(session=session, actor=study["boss"], document=study["held"])
    assert raised.value.code == CorpusError.NOT_RELEASED.code


@pytest.mark.parametrize(
    ("text", "paragraphs", "turns", "blocks"),
    [
        ("A: oui\n\nB: non", [(0, 6), (8, 14)],
         [("A", None, 3, 6), ("B", 2.5, 11, 14)],
         [(0, 6, "A: ", "oui", "A", None), (8, 14, "B: ", "non", "B", 2.5)]),
        # a turn over two paragraphs: the second shows no label
        ("A: un\n\ndeux", [(0, 5), (7, 11)], [("A", None, 3, 11)],
         [(0, 5, "A: ", "un", "A", None), (7, 11, "", "deux", None, None)]),
        # no stored paragraphs: cut at blank lines
        ("un\n\n\ndeux\n\n", [], [],
         [(0, 2, "", "un", None, None), (5, 9, "", "deux", None, None)]),
        # timed segments without speaker keep their text whole
        ("bonjour", [(0, 7)], [(None, 1.0, 0, 7)],
         [(0, 7, "", "bonjour", None, 1.0)]),
    ],
)  # fmt: skip
def test_text_blocks(text: str, paragraphs: list, turns: list, blocks: list) -> None:
    got = text_blocks(text, paragraphs, turns)
    rows = [(b.start, b.end, b.label, b.body, b.speaker, b.start_s) for b in got]
    assert rows == blocks
    assert all(b.label + b.body == text[b.start : b.end] for b in got)
