"""What the model is told, in French (the default) or English.

The wording may change between versions; the JSON the model is asked for does
not (:mod:`sociaparis.assist.answers`).  Every prompt is recorded with its call,
so a run says exactly what its model read.
"""

from __future__ import annotations

from collections.abc import Sequence

from sociaparis.assist.briefs import CodeBrief

LANGUAGES = ("fr", "en")

_PASSAGES_JSON = '{"passages": [{"code": "NOM", "quote": "…", "rationale": "…"}]}'
_CODES_JSON = '{"codes": [{"name": "NOM", "definition": "…", "quotes": ["…"]}]}'

_TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "colon": " :",
        "open": "« ",
        "close": " »",
        "role": (
            "Tu assistes une équipe de recherche en sciences sociales qui code des "
            "entretiens qualitatifs (textes pseudonymisés, en français le plus "
            "souvent). Une personne relira chacune de tes propositions."
        ),
        "rules": (
            "Règles :\n"
            "- recopie chaque passage mot pour mot, exactement comme dans l'extrait "
            "(mêmes mots, même orthographe, même ponctuation), sans le résumer, le "
            "corriger, le traduire ni le couper par « […] » ;\n"
            "- un passage est une phrase ou quelques phrases qui se suivent, assez "
            "long pour être compris seul ;\n"
            "- n'invente rien : si rien ne correspond, donne une liste vide ;\n"
            "- la justification tient en une phrase."
        ),
        "deductive": (
            "Pour chaque code du livre de codes ci-dessous, relève les passages de "
            "l'extrait qui y correspondent selon sa définition et ses critères. "
            "N'utilise que ces noms de codes, écrits exactement comme ici."
        ),
        "answer": "Réponds uniquement par un objet JSON de cette forme : ",
        "codebook": "Livre de codes",
        "code": "Code",
        "definition": "Définition",
        "inclusion": "À inclure",
        "exclusion": "À exclure",
        "examples": "Passages codés ainsi par l'équipe",
        "excerpt": "Extrait",
        "find_more": (
            "L'équipe a codé les passages ci-dessous avec le code « {name} ». "
            "Trouve dans l'extrait d'autres passages semblables, qui relèvent du "
            "même code ; ne redonne pas les passages déjà codés. Dans le JSON, "
            "« code » vaut toujours « {name} »."
        ),
        "propose": (
            "Lis l'extrait et propose au plus {count} codes nouveaux pour l'analyser "
            "(thèmes, pratiques, représentations qui reviennent), chacun avec un "
            "nom court, une définition d'une ou deux phrases et un à trois passages "
            "de l'extrait qui l'illustrent."
        ),
        "existing": "Codes qui existent déjà (ne les propose pas de nouveau)",
        "retry": (
            "Ta réponse n'était pas l'objet JSON demandé. Réponds de nouveau, "
            "uniquement par l'objet JSON, sans texte autour."
        ),
    },
    "en": {
        "colon": ":",
        "open": '"',
        "close": '"',
        "role": (
            "You assist a social-science research team coding qualitative "
            "interviews (pseudonymized texts, mostly in French). A person will read "
            "every proposal you make."
        ),
        "rules": (
            "Rules:\n"
            "- copy each passage word for word, exactly as in the excerpt (same "
            "words, spelling and punctuation, in the excerpt's language), without "
            "summarising, correcting, translating or cutting it with '[…]';\n"
            "- a passage is one sentence or a few consecutive sentences, long "
            "enough to be understood alone;\n"
            "- invent nothing: if nothing fits, give an empty list;\n"
            "- the rationale is one sentence."
        ),
        "deductive": (
            "For each code of the codebook below, find the passages of the excerpt "
            "that fit its definition and criteria. Use only these code names, "
            "spelled exactly as here."
        ),
        "answer": "Answer only with a JSON object of this form: ",
        "codebook": "Codebook",
        "code": "Code",
        "definition": "Definition",
        "inclusion": "Include",
        "exclusion": "Exclude",
        "examples": "Passages the team coded with it",
        "excerpt": "Excerpt",
        "find_more": (
            "The team coded the passages below with the code '{name}'. Find other "
            "passages of the excerpt like them, that belong to the same code; do "
            "not give the passages already coded. In the JSON, 'code' is always "
            "'{name}'."
        ),
        "propose": (
            "Read the excerpt and propose at most {count} new codes to analyse it "
            "(recurring themes, practices, views), each with a short name, a "
            "definition of one or two sentences and one to three passages of the "
            "excerpt that illustrate it."
        ),
        "existing": "Codes that already exist (do not propose them again)",
        "retry": (
            "Your answer was not the JSON object asked for. Answer again, only with "
            "the JSON object, with no text around it."
        ),
    },
}


def texts(language: str) -> dict[str, str]:
    """The prompt texts of ``language`` (``fr`` or ``en``)."""
    if language not in _TEXTS:
        raise ValueError(f"language {language!r}: use one of {', '.join(LANGUAGES)}")
    return _TEXTS[language]


def _brief(code: CodeBrief, t: dict[str, str], examples: int = 3) -> str:
    c = t["colon"]
    lines = [f"## {t['code']}{c} {code.name}"]
    for key, value in (
        ("definition", code.definition),
        ("inclusion", code.inclusion),
        ("exclusion", code.exclusion),
    ):
        if value.strip():
            lines.append(f"{t[key]}{c} {value.strip()}")
    shown = [e.strip() for e in code.examples if e.strip()][:examples]
    if shown:
        lines.append(f"{t['examples']}{c}")
        lines.extend(f"- {t['open']}{e}{t['close']}" for e in shown)
    return "\n".join(lines)


def _excerpt(excerpt: str, t: dict[str, str]) -> str:
    return f"{t['excerpt']}{t['colon']}\n<<<\n{excerpt}\n>>>"


def _system(t: dict[str, str], task: str, layout: str) -> str:
    return f"{t['role']}\n\n{task}\n\n{t['rules']}\n\n{t['answer']}{layout}"


def deductive(
    excerpt: str, codes: Sequence[CodeBrief], language: str = "fr"
) -> tuple[str, str]:
    """``(system, user)`` messages asking for the passages of ``codes``."""
    t = texts(language)
    system = _system(t, t["deductive"], _PASSAGES_JSON)
    book = "\n\n".join(_brief(code, t) for code in codes)
    user = f"# {t['codebook']}\n\n{book}\n\n{_excerpt(excerpt, t)}"
    return system, user


def find_more(excerpt: str, code: CodeBrief, language: str = "fr") -> tuple[str, str]:
    """``(system, user)`` asking for more passages like a code's human examples."""
    t = texts(language)
    task = t["find_more"].format(name=code.name)
    system = _system(t, task, _PASSAGES_JSON)
    user = f"{_brief(code, t, examples=10)}\n\n{_excerpt(excerpt, t)}"
    return system, user


def propose(
    excerpt: str, existing: Sequence[str], count: int, language: str = "fr"
) -> tuple[str, str]:
    """``(system, user)`` asking for new codes with illustrating quotes."""
    t = texts(language)
    task = t["propose"].format(count=count)
    system = _system(t, task, _CODES_JSON)
    user = _excerpt(excerpt, t)
    if existing:
        names = ", ".join(existing)
        user = f"{t['existing']}{t['colon']} {names}\n\n{user}"
    return system, user


def retry(language: str = "fr") -> str:
    """The message sent after an answer that was not the JSON asked for."""
    return texts(language)["retry"]
