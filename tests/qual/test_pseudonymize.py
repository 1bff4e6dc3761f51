"""find_entities, labels across documents, allow-list, offsets, apply, the table."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sociaparis.core.errors import SociaparisError
from sociaparis.qual.errors import QualError
from sociaparis.qual.pseudonymization import (
    EntityKind,
    PseudonymizationConfig,
    PseudonymizationTable,
    Replacement,
    TermGroup,
    apply,
    entity_key,
    find_entities,
    parse_terms,
    pseudonymize,
)
from sociaparis.qual.pseudonymization.evaluation import (
    GoldSpan,
    parse_annotated,
    score,
)
from sociaparis.qual.pseudonymization.files import load_terms, read_text

DATA = Path(__file__).parent / "data" / "pseudonymization"
RULES = PseudonymizationConfig(use_ner=False)
P, L, ORG = EntityKind.PERSONNE, EntityKind.LIEU, EntityKind.ORGANISATION


def replaced(text: str, config: PseudonymizationConfig = RULES) -> list[tuple[str, str]]:
    return [(r.original, r.label) for r in find_entities(text, config=config)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the City, AI products and vendors, job categories and speaker labels stay
        (
            "S01 : À la Ville de Paris, la Mairie de Paris et la Ville on a Copilot, "
            "ChatGPT, Mistral, Le Chat, Gemini, Claude, Albert, OpenAI et Google.",
            [],
        ),
        ("[SPEAKER_00]: Enquêteur et agents de catégorie B, des cadres A+", []),
        ("I: bonjour\nE : oui", []),
        # ... but people named like products are replaced in full
        ("Albert Ndiaye utilise Albert.", [("Albert Ndiaye", "[PERSONNE-1]")]),
        ("Jean-Claude Dupuis préfère Claude.", [("Jean-Claude Dupuis", "[PERSONNE-1]")]),
        # contact details inside sentences
        (
            "Écrivez-moi à c.durand@paris.fr ou au 06 12 34 56 78 si besoin.",
            [("c.durand@paris.fr", "[EMAIL-1]"), ("06 12 34 56 78", "[TELEPHONE-1]")],
        ),
        # one phone in two formats is one entity
        (
            "le 01 42 76 40 40, soit +33 1 42 76 40 40",
            [("01 42 76 40 40", "[TELEPHONE-1]"), ("+33 1 42 76 40 40", "[TELEPHONE-1]")],
        ),
        # variants of one person share a label; titles stay in the text
        (
            "Mme Durand, puis Claire Durand, puis Durand et claire.",
            [
                ("Durand", "[PERSONNE-1]"),
                ("Claire Durand", "[PERSONNE-1]"),
                ("Durand", "[PERSONNE-1]"),
            ],
        ),
        # two people with one surname stay apart; a lone surname is then ambiguous
        (
            "Paul Vidal et Agnès Vidal travaillent ensemble.",
            [("Paul Vidal", "[PERSONNE-1]"), ("Agnès Vidal", "[PERSONNE-2]")],
        ),
        # a first name alone takes the label of the one person with that first name
        (
            "Karim Benali est arrivé. Karim a tout repris.",
            [("Karim Benali", "[PERSONNE-1]"), ("Karim", "[PERSONNE-1]")],
        ),
        # lower-case transcript: a detected name is found again in lower case
        (
            "Mme Garnier est là. j'ai vu garnier hier.",
            [("Garnier", "[PERSONNE-1]"), ("garnier", "[PERSONNE-1]")],
        ),
        # names that are words: the word stays
        (
            "Pierre Lacombe a jeté une pierre. Pierre rit.",
            [
                ("Pierre Lacombe", "[PERSONNE-1]"),
                ("Pierre", "[PERSONNE-1]"),
            ],
        ),
        (
            "au 5, rue Lobau, 75004 Paris, mairie du 4e",
            [("5, rue Lobau, 75004 Paris", "[ADRESSE-1]"), ("4e", "[LIEU-1]")],
        ),
    ],
)
def test_rules_without_model(text: str, expected: list[tuple[str, str]]) -> None:
    assert replaced(text) == expected


def test_pseudonymizing_twice_changes_nothing_more() -> None:
    text, _ = parse_annotated(read_text(DATA / "annotated.txt"))
    once = pseudonymize(text).text.text
    assert "[PERSONNE-" in once
    assert find_entities(once) == []


def test_a_title_ends_a_name() -> None:
    assert replaced("Mme Durand Mme Durand M. Petit") == [
        ("Durand", "[PERSONNE-1]"),
        ("Durand", "[PERSONNE-1]"),
        ("Petit", "[PERSONNE-2]"),
    ]


def test_terms_win_share_a_label_and_ignore_case_and_accents() -> None:
    config = RULES.with_terms(
        [TermGroup(("Direction des systèmes d'information", "DSIN")), "Lab Paris"]
    )
    text = "La DIRECTION DES SYSTEMES D’INFORMATION (la dsin) et le Lab Paris."
    assert replaced(text, config) == [
        ("DIRECTION DES SYSTEMES D’INFORMATION", "[TERME-1]"),
        ("dsin", "[TERME-1]"),
        ("Lab Paris", "[TERME-2]"),
    ]


def test_longest_term_wins() -> None:
    config = RULES.with_terms(["finances", "Direction des finances"])
    assert replaced("la Direction des finances et les finances", config) == [
        ("Direction des finances", "[TERME-1]"),
        ("finances", "[TERME-2]"),
    ]


def test_allow_list_is_configurable() -> None:
    text = "Il utilise Copilot avec Tchap."
    assert replaced(text, RULES.with_terms(["Copilot"])) == [("Copilot", "[TERME-1]")]
    config = PseudonymizationConfig(use_ner=False, allow=("Tchap",))
    assert replaced("Tchap, et chez Copilot", config) == [("Copilot", "[PERSONNE-1]")]


def test_kinds_can_be_switched_off() -> None:
    config = PseudonymizationConfig(use_ner=False, kinds=frozenset({EntityKind.EMAIL}))
    assert replaced("Mme Durand : a@b.fr, 01 42 76 40 40", config) == [
        ("a@b.fr", "[EMAIL-1]")
    ]


def test_labels_are_stable_across_documents() -> None:
    first = pseudonymize(
        "Claire Durand (claire.durand@paris.fr) et M. Okafor.", config=RULES
    )
    second = pseudonymize(
        "Mme Durand a écrit à CLAIRE.DURAND@PARIS.FR ; Jean Okafor et Lucie Brun.",
        config=RULES,
        table=first.table,
    )
    assert first.text.text == "[PERSONNE-1] ([EMAIL-1]) et M. [PERSONNE-2]."
    assert second.text.text == (
        "Mme [PERSONNE-1] a écrit à [EMAIL-1] ; [PERSONNE-2] et [PERSONNE-3]."
    )
    assert second.table.counters()[P] == 3
    assert second.table.label_of(P, "Claire Durand") == "[PERSONNE-1]"
    assert second.table.label_of(P, "Lucie Brun") == "[PERSONNE-3]"


def test_new_labels_follow_the_text_order() -> None:
    text = "Mme Lefèvre, puis Jean-Pierre Martin."
    assert replaced(text) == [
        ("Lefèvre", "[PERSONNE-1]"),
        ("Jean-Pierre Martin", "[PERSONNE-2]"),
    ]


def test_offsets_are_code_points() -> None:
    text = "👍🏽 «Mme Hélène Durand» 😀 écrit à h.durand@paris.fr 🇫🇷 \u00e9t\u00e9"
    found = find_entities(text, config=RULES)
    assert [(r.start, r.end) for r in found] == [
        (text.index("Hélène"), text.index("»")),
        (text.index("h.durand"), text.index(" 🇫🇷")),
    ]
    for r in found:
        assert text[r.start : r.end] == r.original


def test_decomposed_accents_keep_their_marks() -> None:
    text = "Le service de He\u0301le\u0300ne et le Bureau Pe\u0301riphe\u0301rie."
    config = RULES.with_terms(["Bureau Périphérie"])
    found = find_entities(text, config=config)
    assert [r.original for r in found][-1] == "Bureau Pe\u0301riphe\u0301rie"


def test_apply_and_offset_map() -> None:
    text = "A 😀 Durand, B 01 42 76 40 40."
    items = [
        Replacement(4, 10, "Durand", P, "[PERSONNE-1]", "title"),
        Replacement(
            14, 28, "01 42 76 40 40", EntityKind.TELEPHONE, "[TELEPHONE-1]", "phone"
        ),
    ]
    result = apply(text, items)
    assert result.text == "A 😀 [PERSONNE-1], B [TELEPHONE-1]."
    offsets = result.offsets
    # hand-derived: label 1 is new 4..16 for original 4..10; label 2 new 20..33 for 14..28
    assert [
        (s.new_start, s.new_end, s.original_start, s.original_end)
        for s in offsets.segments
    ] == [(4, 16, 4, 10), (20, 33, 14, 28)]
    assert offsets.to_original(2) == 2
    assert offsets.to_original(17) == 11
    assert offsets.to_original(8, side="start") == 4
    assert offsets.to_original(8, side="end") == 10
    assert offsets.original_span(18, 34) == (12, 29)
    assert offsets.to_new(29) == 34
    assert offsets.to_new(6, side="end") == 16


@pytest.mark.parametrize(
    ("items", "error"),
    [
        (
            [Replacement(3, 40, "x", P, "[PERSONNE-1]", "t")],
            QualError.PSEUDO_SPAN_INVALID,
        ),
        ([Replacement(0, 3, "Bob", P, "[PERSONNE-1]", "t")], QualError.PSEUDO_STALE),
        (
            [
                Replacement(0, 5, "Alice", P, "[PERSONNE-1]", "t"),
                Replacement(2, 5, "ice", P, "[PERSONNE-2]", "t"),
            ],
            QualError.PSEUDO_SPAN_OVERLAP,
        ),
    ],
)
def test_apply_refuses_bad_replacements(
    items: list[Replacement], error: QualError
) -> None:
    with pytest.raises(SociaparisError) as caught:
        apply("Alice et Bob", items)
    assert caught.value.error is error


@pytest.mark.parametrize(
    ("kind", "original", "key"),
    [
        (EntityKind.TELEPHONE, "+33 (0)1 42.76.40.40", "0142764040"),
        (EntityKind.TELEPHONE, "0033 6 12 34 56 78", "0612345678"),
        (EntityKind.TELEPHONE, "06-12-34-56-78", "0612345678"),
        (EntityKind.EMAIL, "Jean.Dupont@Paris.FR", "jean.dupont@paris.fr"),
        (EntityKind.EMAIL, "jp (at) lyon (point) fr", "jp@lyon.fr"),
        (P, "Mme Jean-Pierre  DURAND", "jean pierre durand"),
        (P, "M. Lefèvre", "lefevre"),
        (L, "Hôtel  de Ville", "hotel de ville"),
    ],
)
def test_entity_key(kind: EntityKind, original: str, key: str) -> None:
    assert entity_key(kind, original) == key


def test_table_round_trip_and_frame() -> None:
    result = pseudonymize("Mme Durand et Claire Durand, a@b.fr", config=RULES)
    data = result.table.to_dict()
    assert data["counters"] == {"PERSONNE": 1, "EMAIL": 1}
    assert PseudonymizationTable.from_dict(data) == result.table
    frame = result.table.to_frame()
    assert list(frame.columns) == ["kind", "number", "label", "keys", "forms"]
    assert frame.loc[0, "forms"] == "Durand | Claire Durand"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"format": "other"},
        {"format": "sociaparis-pseudonymization-table", "version": 9},
    ],
)
def test_table_from_dict_refuses_other_data(data: dict) -> None:
    with pytest.raises(ValueError):
        PseudonymizationTable.from_dict(data)


@pytest.mark.parametrize(
    ("text", "error", "row"),
    [
        ("# rien\n\n", QualError.PSEUDO_TERMS_EMPTY, None),
        ("Mission IA\nX\n", QualError.PSEUDO_TERM_TOO_SHORT, 2),
        ("Mission IA | - \n", QualError.PSEUDO_TERM_TOO_SHORT, 1),
    ],
)
def test_parse_terms_errors(text: str, error: QualError, row: int | None) -> None:
    with pytest.raises(SociaparisError) as caught:
        parse_terms(text, source="t.txt")
    assert caught.value.error is error
    assert (caught.value.location.row if caught.value.location else None) == row


def test_parse_annotated_and_score_by_hand() -> None:
    plain, gold = parse_annotated("{{PER:Ana}} et {{TEL:01 42 76 40 40}} à {{LOC:Lyon}}")
    assert plain == "Ana et 01 42 76 40 40 à Lyon"
    assert gold == [
        GoldSpan(0, 3, P),
        GoldSpan(7, 21, EntityKind.TELEPHONE),
        GoldSpan(24, 28, L),
    ]
    predicted = [
        Replacement(0, 3, "Ana", P, "[PERSONNE-1]", "t"),
        Replacement(24, 28, "Lyon", ORG, "[ORGANISATION-1]", "t"),
        Replacement(4, 6, "et", ORG, "[ORGANISATION-2]", "t"),
    ]
    by_kind = {s.kind: s for s in score(gold, predicted)}
    # ORGANISATION: 2 predicted, one hits gold (Lyon), none of kind ORG expected
    assert (by_kind[ORG].predicted, by_kind[ORG].precision) == (2, 0.5)
    # LIEU: Lyon replaced (by the wrong kind): recall 1, same-kind recall 0
    assert (by_kind[L].recall, by_kind[L].recall_same_kind) == (1.0, 0.0)
    assert by_kind[EntityKind.TELEPHONE].recall == 0.0


@pytest.mark.parametrize(
    ("text", "terms", "people"),
    [("annotated.txt", "terms.txt", 10), ("annotated_2.txt", "terms_2.txt", 15)],
)
def test_annotated_interviews_reach_the_targets(
    text: str, terms: str, people: int
) -> None:
    """Texts written for the tests only (the benchmark uses another one)."""
    plain, gold = parse_annotated(read_text(DATA / text))
    config = PseudonymizationConfig().with_terms(load_terms(DATA / terms))
    by_kind = {s.kind: s for s in score(gold, find_entities(plain, config=config))}
    assert by_kind[P].expected == people
    assert by_kind[P].recall >= 0.98
    assert by_kind[EntityKind.EMAIL].recall == 1.0
    assert by_kind[EntityKind.TELEPHONE].recall == 1.0
    assert by_kind[P].precision >= 0.9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # found by the statistical model only (first name not in the shipped list)
        ("Yasmina Belkacem travaille à Lyon.", ["Yasmina Belkacem", "Lyon"]),
        # the model's organisations and places that are allowed stay
        ("Microsoft, Google, OpenAI et Mistral AI. La Ville de Paris aussi.", []),
        # a first name that is also a word, at the start of a sentence
        ("Rose ou pas rose, on apprend sur le tas.", []),
        ("Rose, tu en penses quoi ?", ["Rose"]),
        ("Pierre Lacombe arrive. Pierre est en retard.", ["Pierre Lacombe", "Pierre"]),
    ],
)
def test_with_the_model(text: str, expected: list[str]) -> None:
    assert [r.original for r in find_entities(text)] == expected


@st.composite
def texts_and_replacements(draw):
    text = draw(st.text(alphabet="ab é👍🏽\n", min_size=1, max_size=40))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=8))))
    items = []
    for number, (start, end) in enumerate(zip(cuts[::2], cuts[1::2], strict=False)):
        if start < end:
            label = f"[PERSONNE-{number + 1}]"
            items.append(Replacement(start, end, text[start:end], P, label, "t"))
    return text, items


@given(texts_and_replacements())
def test_offset_map_round_trips_outside_replacements(case) -> None:
    text, items = case
    result = apply(text, items)
    inside = {i for r in items for i in range(r.start + 1, r.end)}
    replaced_chars = {i for r in items for i in range(r.start, r.end)}
    for position in range(len(text) + 1):
        if position in inside:
            continue
        new = result.offsets.to_new(position)
        assert result.offsets.to_original(new) == position
        if position < len(text) and position not in replaced_chars:
            assert result.text[new] == text[position]
    for r in items:
        start = result.offsets.to_new(r.start)
        assert result.text[start : start + len(r.label)] == r.label
        assert result.offsets.original_span(start, start + len(r.label)) == (
            r.start,
            r.end,
        )


class _CountedSegments(tuple):
    """Segments that count how often they are read through."""

    reads = 0

    def __iter__(self):
        type(self).reads += 1
        return super().__iter__()


def test_offset_maps_read_their_segments_once() -> None:
    text = "Mme Durand. " * 1_000
    result = apply(
        text,
        [
            Replacement(i + 4, i + 10, "Durand", P, "[PERSONNE-1]", "title")
            for i in range(0, len(text), 12)
        ],
    )
    offsets = type(result.offsets)(_CountedSegments(result.offsets.segments))
    _CountedSegments.reads = 0
    positions = range(0, len(text), 7)
    moved = [offsets.to_new(i) for i in positions]
    back = [offsets.to_original(n) for n in moved]
    assert _CountedSegments.reads == 0  # bisection on starts built once
    assert moved == [result.offsets.to_new(i) for i in positions]
    assert back == [result.offsets.to_original(n) for n in moved]
    assert moved[:3] == [0, 4, 20]  # 7 is inside "Durand": the label's start
