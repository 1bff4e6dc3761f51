"""The pure project model: codebook operations and validation."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime

import pytest

from sociaparis.core.errors import SociaparisError
from sociaparis.qual.document import ImportedDocument
from sociaparis.qual.errors import QualError
from sociaparis.qual.project import (
    Case,
    Code,
    CodeSet,
    Coding,
    Memo,
    MemoTarget,
    Project,
    Source,
    Turn,
    User,
    Variable,
    check,
    derived_guid,
    merge_codes,
    move_code,
    nest_code_names,
    new_guid,
    split_code,
    validate,
)
from sociaparis.web.i18n import error_text

TEXT = "Enquêteur : vous utilisez ChatGPT ? Agent : oui, tous les jours 🙂 au bureau."
# code points: "Enquêteur" is 0..9; "ChatGPT" is 26..33; the emoji is one code point at 64


def _project() -> Project:
    """A small hand-built project: codes A > (A1, A2), B; two coders."""
    codes = (
        Code("A", "Outils"),
        Code("A1", "Outils généralistes", parent="A"),
        Code("A2", "Outils de la Ville", parent="A"),
        Code("B", "Confiance"),
    )
    codings = (
        Coding("c1", "S", "A1", 26, 33, created_by="U1"),
        Coding("c2", "S", "A1", 44, 63, created_by="U2"),
        Coding("c3", "S", "A2", 0, 9, created_by="U1"),
        Coding("c4", "S", "B", 64, 65, created_by="U1"),
    )
    return Project(
        name="p",
        users=(User("U1", "Alice"), User("U2", "Bob")),
        codes=codes,
        variables=(Variable("V", "direction"),),
        cases=(Case("K", "agent 1", values={"V": "DSIN"}, source_ids=("S",)),),
        sources=(
            Source(
                "S", "entretien", TEXT, turns=(Turn("Agent", None, None, 36, len(TEXT)),)
            ),
        ),
        codings=codings,
        memos=(Memo("M", "à revoir", targets=(MemoTarget("code", "A2"),)),),
        sets=(CodeSet("Z", "set", code_ids=("A2", "B")),),
    )


def test_offsets_are_code_points() -> None:
    assert TEXT[26:33] == "ChatGPT"
    assert TEXT[64] == "🙂"
    assert TEXT[44:63] == "oui, tous les jours"
    assert validate(_project()) == []


@pytest.mark.parametrize(
    ("sources", "target", "codings_of_target", "codes_left", "set_codes"),
    [
        (["A2"], "A1", {"c1", "c2", "c3"}, ["A", "A1", "B"], ("A1", "B")),
        (["A1", "A2"], "B", {"c1", "c2", "c3", "c4"}, ["A", "B"], ("B",)),
        (["B"], "A", {"c4"}, ["A", "A1", "A2"], ("A2", "A")),
    ],
)
def test_merge_keeps_every_coding(
    sources: list[str],
    target: str,
    codings_of_target: set[str],
    codes_left: list[str],
    set_codes: tuple[str, ...],
) -> None:
    before = _project()
    after = merge_codes(before, sources=sources, target=target)
    assert {c.id for c in after.codings_for(target)} == codings_of_target
    assert len(after.codings) == len(before.codings)
    assert [c.id for c in after.codes] == codes_left
    assert after.sets[0].code_ids == set_codes
    assert validate(after) == []


def test_merge_moves_children_and_memos() -> None:
    after = merge_codes(_project(), sources=["A"], target="B")
    assert {c.id for c in after.children("B")} == {"A1", "A2"}
    after = merge_codes(_project(), sources=["A2"], target="B")
    assert after.memos[0].targets == (MemoTarget("code", "B"),)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (
            lambda p: merge_codes(p, sources=["A1"], target="A1"),
            QualError.MERGE_INTO_ITSELF,
        ),
        (lambda p: merge_codes(p, sources=["A"], target="A1"), QualError.CODE_CYCLE),
        (lambda p: merge_codes(p, sources=["nope"], target="A"), QualError.UNKNOWN_CODE),
        (lambda p: move_code(p, code_id="A", parent="A1"), QualError.CODE_CYCLE),
        (lambda p: move_code(p, code_id="A", parent="A"), QualError.CODE_CYCLE),
        (lambda p: move_code(p, code_id="A", parent="zz"), QualError.UNKNOWN_CODE),
        (
            lambda p: split_code(
                p, code_id="A1", coding_ids=["c3"], new_code=Code("N", "n")
            ),
            QualError.CODING_NOT_OF_CODE,
        ),
        (
            lambda p: split_code(
                p, code_id="A1", coding_ids=["c1"], new_code=Code("B", "n")
            ),
            QualError.DUPLICATE_ID,
        ),
    ],
)
def test_operation_errors(call: Callable[[Project], Project], error: QualError) -> None:
    with pytest.raises(SociaparisError) as caught:
        call(_project())
    assert caught.value.error is error


def test_split_moves_selected_codings() -> None:
    new = Code("N", "Outils grand public", parent="A")
    after = split_code(_project(), code_id="A1", coding_ids=["c2"], new_code=new)
    assert [c.id for c in after.codings_for("A1")] == ["c1"]
    assert [c.id for c in after.codings_for("N")] == ["c2"]
    assert after.codings_for("N")[0].start == 44
    assert after.path("N") == ("Outils", "Outils grand public")
    assert validate(after) == []


@pytest.mark.parametrize(
    ("code_id", "parent", "path"),
    [
        ("A1", None, ("Outils généralistes",)),
        ("B", "A2", ("Outils", "Outils de la Ville", "Confiance")),
        ("A", "B", ("Confiance", "Outils")),
    ],
)
def test_move(code_id: str, parent: str | None, path: tuple[str, ...]) -> None:
    after = move_code(_project(), code_id=code_id, parent=parent)
    assert after.path(code_id) == path
    assert validate(after) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            lambda p: replace(p, codings=(*p.codings, Coding("x", "S", "B", 5, 5))),
            "QUAL_106",
        ),
        (
            lambda p: replace(p, codings=(*p.codings, Coding("x", "S", "B", 70, 79))),
            "QUAL_106",
        ),
        (
            lambda p: replace(p, codings=(*p.codings, Coding("x", "S", "B", -1, 3))),
            "QUAL_106",
        ),
        (
            lambda p: replace(p, codings=(*p.codings, Coding("x", "S", "Q", 1, 3))),
            "QUAL_105",
        ),
        (
            lambda p: replace(p, codings=(*p.codings, Coding("x", "T", "B", 1, 3))),
            "QUAL_105",
        ),
        (
            lambda p: replace(p, codings=(*p.codings, Coding("c1", "S", "B", 1, 3))),
            "QUAL_103",
        ),
        (
            lambda p: replace(p, codings=(*p.codings, Coding("x", "S", "B", 1, 3, "U9"))),
            "QUAL_105",
        ),
        (lambda p: replace(p, codes=(*p.codes, Code("Y", "y", parent="Q"))), "QUAL_105"),
        (
            lambda p: replace(
                p,
                codes=(*p.codes, Code("X", "x", parent="Y"), Code("Y", "y", parent="X")),
            ),
            "QUAL_102 QUAL_102",
        ),
        (
            lambda p: replace(
                p, memos=(Memo("m", "t", targets=(MemoTarget("span", "S", 3, 200),)),)
            ),
            "QUAL_106",
        ),
        (
            lambda p: replace(
                p, memos=(Memo("m", "t", targets=(MemoTarget("case", "Q"),)),)
            ),
            "QUAL_105",
        ),
        (
            lambda p: replace(
                p, memos=(Memo("m", "t", targets=(MemoTarget("x", "Q"),)),)
            ),  # type: ignore[arg-type]
            "QUAL_107",
        ),
        (lambda p: replace(p, cases=(Case("K", "k", values={"W": 1}),)), "QUAL_105"),
        (
            lambda p: replace(
                p, sources=(replace(p.sources[0], turns=(Turn("A", 1.5, 2.0, 10, 500),)),)
            ),
            "QUAL_106",
        ),
    ],
)
def test_validate_finds(change: Callable[[Project], Project], code: str) -> None:
    issues = validate(change(_project()))
    assert [i.code for i in issues] == code.split()
    with pytest.raises(SociaparisError) as caught:
        check(change(_project()))
    assert caught.value.error is QualError.INVALID_PROJECT


def test_an_inconsistent_project_lists_its_problems_in_the_page_language() -> None:
    """Each problem whole (its code, its message in French, the kind of item
    in French); the English as the catalogue always wrote it."""
    p = _project()
    bad = replace(
        p,
        codings=(*p.codings, Coding("c1", "S", "B", 1, 3), Coding("x", "S", "Q", 1, 3)),
        sources=(replace(p.sources[0], turns=(Turn("A", 1.5, 2.0, 10, 500),)),),
        cases=(Case("K", "k", values={"V": 3}),),
        sets=(CodeSet("Z", "z", memo_ids=("nope",)),),
    )
    with pytest.raises(SociaparisError) as caught:
        check(bad)
    error = caught.value
    assert error.message == "The project is not consistent: " + "; ".join(
        map(str, validate(bad))
    )
    assert error.message.startswith(
        "The project is not consistent: QUAL_103: Two codings share the id c1; ids "
        "must be unique.; QUAL_106: The turn A on source"
    )
    french = (
        "Le projet n'est pas cohérent : QUAL_103 : Deux éléments (codage) partagent "
        "l'identifiant c1 ; les identifiants doivent être uniques. ; QUAL_106 : "
        "L'élément A (tour de parole) de la source « entretien » couvre 10..500, hors "
        "de son texte (0..76 points de code, le début avant la fin). ; QUAL_105 : "
        "L'élément x (codage) fait référence à Q, qui n'est pas dans le projet. ; "
        "QUAL_109 : L'élément K (cas) a la valeur 3 pour la variable V, qui est de "
        "type Text. ; QUAL_105 : L'élément Z (ensemble) fait référence à nope, qui "
        "n'est pas dans le projet."
    )
    assert error_text(error, "fr") == french
    assert error_text(error, "en") == error.message
    # as an export run in a worker process hands it back
    assert error_text(pickle.loads(pickle.dumps(error)), "fr") == french


def test_unknown_text_skips_offset_checks() -> None:
    p = _project()
    p = replace(p, sources=(replace(p.sources[0], text=None),))
    p = replace(p, codings=(*p.codings, Coding("x", "S", "B", 500, 900)))
    assert validate(p) == []


def test_guids() -> None:
    import re

    pattern = re.compile(
        r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$"
    )
    assert pattern.match(new_guid())
    assert new_guid() != new_guid()
    assert derived_guid("a", "b") == derived_guid("a", "b") != derived_guid("ab")
    assert pattern.match(derived_guid("x"))


@pytest.mark.parametrize(
    ("variable_type", "value", "ok"),
    [
        ("Text", "DSIN", True),
        ("Text", 3, False),
        ("Boolean", True, True),
        ("Boolean", 1, False),
        ("Integer", 12, True),
        ("Integer", True, False),
        ("Integer", 1.5, False),
        ("Float", 0.25, True),
        ("Float", 2, True),
        ("Float", float("nan"), False),
        ("Date", date(2025, 1, 2), True),
        ("Date", datetime(2025, 1, 2), False),
        ("DateTime", datetime(2025, 1, 2, 3, 4), True),
        ("DateTime", "2025-01-02", False),
        ("Colour", "red", False),
    ],
)
def test_variable_values_must_fit_their_type(
    variable_type: str, value: object, ok: bool
) -> None:
    p = _project()
    p = replace(
        p,
        variables=(Variable("V", "direction", variable_type),),  # type: ignore[arg-type]
        cases=(Case("K", "agent 1", values={"V": value}, source_ids=("S",)),),
    )
    codes = [i.code for i in validate(p)]
    if variable_type == "Colour":
        assert codes == ["QUAL_123", "QUAL_109"]
    else:
        assert codes == ([] if ok else ["QUAL_109"])


def test_selection_must_keep_one_span() -> None:
    p = _project()
    p = replace(
        p,
        codings=(
            Coding("x", "S", "A", 0, 9, selection_id="Q"),
            Coding("y", "S", "B", 0, 10, selection_id="Q"),
        ),
    )
    assert [i.code for i in validate(p)] == ["QUAL_122"]


def test_set_members_must_exist() -> None:
    p = _project()
    p = replace(p, sets=(CodeSet("Z", "z", memo_ids=("nope",)),))
    assert [i.code for i in validate(p)] == ["QUAL_105"]


def test_validate_lists_the_issues_check_by_check() -> None:
    p = _project()
    p = replace(
        p,
        codes=(
            *p.codes,
            Code("Y", "y", parent="Q"),
            Code("X1", "x", parent="Y1"),
            Code("Y1", "y", parent="X1"),
        ),
        sources=(replace(p.sources[0], turns=(Turn("A", 1.5, 2.0, 10, 500),)),),
        codings=(
            *p.codings,
            Coding("c1", "S", "B", -1, 3),
            Coding("x", "S", "Q", 1, 3),
            Coding("y", "T", "B", 1, 3, "U9"),
            Coding("z", "S", "A", 0, 9, selection_id="Q"),
            Coding("w", "S", "B", 0, 10, selection_id="Q"),
        ),
        variables=(Variable("V", "v", "Colour"), Variable("I", "i", "Integer")),
        cases=(Case("K", "k", values={"W": 1, "I": 1.5}, source_ids=("ZZ",)),),
        memos=(Memo("m", "t", targets=(MemoTarget("span", "S", 3, 200),)),),
        sets=(CodeSet("Z", "z", memo_ids=("nope",)),),
    )
    assert [i.code for i in validate(p)] == [
        "QUAL_103",  # ids: coding c1 twice
        "QUAL_105",  # code parents
        "QUAL_102",  # code cycles, one per code that reaches it
        "QUAL_102",
        "QUAL_106",  # turn spans
        "QUAL_106",  # codings: c1's span, then x's code, y's source and user
        "QUAL_105",
        "QUAL_105",
        "QUAL_105",
        "QUAL_122",  # selections
        "QUAL_123",  # variable types
        "QUAL_105",  # case sources
        "QUAL_105",  # values: unknown variable W, then I not an integer
        "QUAL_109",
        "QUAL_106",  # memo targets
        "QUAL_105",  # set members
    ]


def test_source_from_imported_document() -> None:
    text = "S01: Bonjour.\n\nS02: Oui ?"
    turns = (Turn("S01", 0.0, 1.5, 5, 13), Turn("S02", 1.5, 2.0, 20, 25))
    document = ImportedDocument(text, turns, ((0, 13), (15, 25)), "vtt", "0" * 64)
    source = Source.from_document(document, name="Entretien", id="S")
    assert source == Source("S", "Entretien", text, turns=turns)
    assert [text[t.start : t.end] for t in source.turns] == ["Bonjour.", "Oui ?"]
    assert validate(Project(name="p", sources=(source,))) == []


def test_nest_code_names() -> None:
    flat = Project(
        name="p",
        codes=(
            Code("1", "Coke::full-fat Coke"),
            Code("2", "Coke::diet Coke"),
            Code("3", "Coke"),
            Code("4", "Food::Cereal::cornflakes"),
            Code("5", "milk"),
            Code("6", "a::"),
        ),
        codings=(Coding("c", "S", "2", 0, 1),),
    )
    nested = nest_code_names(flat)
    assert nested.path("1") == ("Coke", "full-fat Coke")
    assert nested.path("2") == ("Coke", "diet Coke")
    assert nested.path("4") == ("Food", "Cereal", "cornflakes")
    assert nested.code("6").name == "a::"
    assert [c.name for c in nested.children(None)] == ["Coke", "milk", "a::", "Food"]
    assert len(nested.codes) == 8  # "Food" and "Food::Cereal" were created
    assert nested.codings == flat.codings
    assert nest_code_names(nested) == nested
