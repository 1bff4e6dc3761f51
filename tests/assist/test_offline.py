"""The offline suggester: units, features, what it learns from people's codings,
its suggestions at unit bounds, "find more like these", and its refusals."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sqlalchemy.orm import Session

from benchmarks.assist_offline import run as benchmark_run
from sociaparis.assist.briefs import CodeBrief, Suggester
from sociaparis.assist.offline import (
    CALIBRATION_MIN,
    CODER_NAME,
    OfflineSuggester,
    find_more_offline,
    fit_offline,
    is_human,
    text_units,
    train_offline_suggester,
)
from sociaparis.assist.offline_errors import AssistOfflineError
from sociaparis.core.errors import SociaparisError
from tests.assist.study import BUDGET_WORDS, FILLER, IA_WORDS, build

RNG_SEED = 11


def _turn(rng: random.Random, theme: list[str] | None) -> str:
    words = rng.sample(FILLER, 10) + (rng.sample(theme, 3) if theme else [])
    rng.shuffle(words)
    return " ".join(words) + "."


def _corpus(n: int, seed: int = RNG_SEED) -> tuple[list[str], list[frozenset[str]]]:
    """Turns of which a third speak of AI, a third of money (coded so)."""
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        theme = ("IA", "Budget", None)[i % 3]
        words = {"IA": IA_WORDS, "Budget": BUDGET_WORDS}.get(theme or "")
        texts.append(_turn(rng, words))
        labels.append(frozenset({theme}) if theme else frozenset())
    return texts, labels


@pytest.fixture(scope="module")
def suggester() -> OfflineSuggester:
    texts, labels = _corpus(90)
    return fit_offline(texts, labels)


@pytest.mark.parametrize(
    ("text", "turns", "limit", "expected"),
    [
        ("Un.\n\nDeux. Trois.", (), 2000, [(0, 3), (5, 17)]),
        ("  Un.  \n \nDeux.\n", (), 2000, [(2, 5), (10, 15)]),
        ("Un. Deux. Trois.", (), 8, [(0, 3), (4, 9), (10, 16)]),
        ("Ana : oui.\n\nBen : non.", ((6, 10), (18, 22)), 2000, [(6, 10), (18, 22)]),
        ("\n\n  \n\n", (), 2000, []),
    ],
)
def test_units_are_turns_else_paragraphs_else_sentences(
    text: str, turns: tuple, limit: int, expected: list
) -> None:
    assert text_units(text, turns, max_unit_chars=limit) == expected


@pytest.mark.parametrize(
    ("coder", "human"),
    [("ana", True), ("ai:mistral-small", False), ("offline:tfidf", False),
     ("AI:Model", False), ("aina", True)],
)  # fmt: skip
def test_who_counts_as_a_person(coder: str, human: bool) -> None:
    assert is_human(coder) is human


def test_a_code_whose_passages_share_words_is_ranked_above_unrelated_turns(
    suggester: OfflineSuggester,
) -> None:
    rng = random.Random(5)
    ia = [_turn(rng, IA_WORDS) for _ in range(10)]
    budget = [_turn(rng, BUDGET_WORDS) for _ in range(10)]
    plain = [_turn(rng, None) for _ in range(10)]
    scores = suggester.scores([*ia, *budget, *plain], ["IA", "Budget"])
    assert scores.min() >= 0 and scores.max() <= 1
    # every AI turn scores above every other turn for IA, and likewise for Budget
    assert scores[:10, 0].min() > scores[10:, 0].max()
    assert scores[10:20, 1].min() > np.delete(scores[:, 1], range(10, 20)).max()
    assert scores[:10, 0].min() > 0.5 > scores[20:, 0].max()


def test_suggestions_are_whole_units_with_their_quote_and_score(
    suggester: OfflineSuggester,
) -> None:
    rng = random.Random(8)
    parts = [_turn(rng, None), _turn(rng, IA_WORDS), _turn(rng, BUDGET_WORDS)]
    text = "\n\n".join(parts)
    result = suggester.suggest(
        text, [CodeBrief("IA"), CodeBrief("Budget"), CodeBrief("Inconnu")]
    )
    found = {(s.code, s.quote) for s in result.suggestions}
    assert found == {("IA", parts[1]), ("Budget", parts[2])}
    for s in result.suggestions:
        assert text[s.start : s.end] == s.quote
        assert 0.5 <= s.confidence <= 1
        assert s.rationale.startswith(f"score {s.confidence:.2f}; terms: ")
    ia = next(s for s in result.suggestions if s.code == "IA")
    assert set(ia.rationale.split("terms: ")[1].split(", ")) & set(IA_WORDS)
    assert result.calls == [] and result.prompt_tokens == 0


def test_threshold_and_top_k_limit_the_suggestions(suggester: OfflineSuggester) -> None:
    rng = random.Random(9)
    text = "\n\n".join(_turn(rng, IA_WORDS) for _ in range(4))
    assert len(suggester.suggest(text, [CodeBrief("IA")]).suggestions) == 4
    suggester.top_k = 2
    try:
        best = suggester.suggest(text, [CodeBrief("IA")]).suggestions
    finally:
        suggester.top_k = None
    assert len(best) == 2 and best[0].confidence >= best[1].confidence
    suggester.threshold = 1.0
    try:
        assert suggester.suggest(text, [CodeBrief("IA")]).suggestions == []
    finally:
        suggester.threshold = 0.5


def test_it_is_a_suggester_and_names_its_coder(suggester: OfflineSuggester) -> None:
    typed: Suggester = suggester  # the protocol, checked by the type checker
    assert callable(typed.suggest)
    assert suggester.coder_name == CODER_NAME == "offline:tfidf"
    assert suggester.codes == ("Budget", "IA")
    assert all(m.calibrated for m in suggester.models.values())
    assert suggester.models["IA"].positives == 30
    assert suggester.models["IA"].negatives == 60


def test_codes_named_by_their_own_name_or_their_path() -> None:
    texts, labels = _corpus(60)
    labels = [frozenset(f"Thèmes > {c}" for c in lab) for lab in labels]
    model = fit_offline(texts, labels, vector_weight=0)
    assert model.learnt_codes(["IA", "Thèmes > Budget", "Autre"]) == {
        "IA": "Thèmes > IA", "Thèmes > Budget": "Thèmes > Budget",
    }  # fmt: skip
    text = _turn(random.Random(1), IA_WORDS)
    assert [s.code for s in model.suggest(text, [CodeBrief("IA")]).suggestions] == ["IA"]


def test_codes_with_too_few_examples_are_skipped_with_a_note() -> None:
    texts, labels = _corpus(30)
    labels = [*labels[:-1], frozenset({"Rare"})]
    model = fit_offline(texts, labels, min_examples=5)
    assert model.codes == ("Budget", "IA")
    assert model.skipped == {"Rare": 1}
    assert model.notes == ["code 'Rare' left out: 1 coded unit(s), 5 needed"]
    # fewer than CALIBRATION_MIN examples: the regression's own probability
    ia_units = sum("IA" in label for label in labels)
    assert ia_units < CALIBRATION_MIN and not model.models["IA"].calibrated


def test_no_code_learnable_is_a_clear_error() -> None:
    texts, labels = _corpus(9)
    with pytest.raises(SociaparisError) as caught:
        fit_offline(texts, labels, min_examples=5)
    assert caught.value.error is AssistOfflineError.TOO_FEW_EXAMPLES
    assert "at least 5 units coded with it" in caught.value.message
    assert "IA: 3 with, 6 without" in caught.value.message


def test_an_unknown_code_or_a_bad_threshold_is_refused(
    suggester: OfflineSuggester,
) -> None:
    with pytest.raises(SociaparisError) as caught:
        suggester.scores(["texte"], ["Inconnu"])
    assert caught.value.code == "ASSIST_062"
    with pytest.raises(SociaparisError) as caught:
        fit_offline(*_corpus(30), threshold=1.5)
    assert caught.value.code == "ASSIST_068"


def test_find_more_ranks_passages_like_the_examples_first() -> None:
    rng = random.Random(4)
    examples = [_turn(rng, IA_WORDS) for _ in range(2)]
    candidates = [_turn(rng, None) for _ in range(6)] + [_turn(rng, IA_WORDS)]
    candidates += [_turn(rng, BUDGET_WORDS) for _ in range(3)]
    found = find_more_offline(examples, candidates, top_k=3)
    assert found[0].index == 6
    assert [f.similarity for f in found] == sorted(
        (f.similarity for f in found), reverse=True
    )
    assert 0 < found[-1].similarity < found[0].similarity <= 1
    assert find_more_offline([], candidates) == []


def test_the_word_vectors_bring_synonyms_together() -> None:
    # "voiture" and "automobile" share no character trigram with the examples'
    # spelling of each other; only the spaCy vectors make them close
    examples = ["la voiture est garée devant la maison"]
    candidates = ["une automobile stationne devant chez nous", "le chat dort sur le lit"]
    with_vectors = find_more_offline(examples, candidates, top_k=2)
    assert with_vectors[0].index == 0


def test_train_on_the_studys_human_codings(session: Session) -> None:
    ids = build(session)
    model = train_offline_suggester(session)
    assert model.codes == ("Budget", "IA")
    # 10 interviews x 6 turns, 2 of each code per interview
    assert model.n_units == 60
    assert model.models["IA"].positives == 20 and model.models["IA"].negatives == 40
    assert ids and train_offline_suggester(session, coder="ana").n_units == 60
    with pytest.raises(SociaparisError) as caught:
        train_offline_suggester(session, coder="ai:model")
    assert caught.value.code == "ASSIST_063"
    with pytest.raises(SociaparisError) as caught:
        train_offline_suggester(session, min_examples=25)
    assert caught.value.code == "ASSIST_060"


def test_nothing_coded_by_people_is_a_clear_error(session: Session) -> None:
    with pytest.raises(SociaparisError) as caught:
        train_offline_suggester(session)
    assert caught.value.code == "ASSIST_061"
    assert "Code some passages first" in caught.value.message


def test_the_benchmark_runs_small_and_finds_its_themes() -> None:
    result = benchmark_run(codings=300, turns=600, codes=3)
    assert result["codes"] == 3
    assert result["top_precision"] == 1.0
    assert result["train_s"] > 0 and result["rank_s"] > 0
