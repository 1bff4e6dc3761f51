"""The report's own texts in French and English, and number formatting per language.

Question and choice labels come from the instrument's translations; everything
else a report says comes from :data:`TEXTS`.
"""

from __future__ import annotations

import math
from typing import Any

LANGUAGES = ("fr", "en")

TEXTS: dict[str, dict[str, str]] = {
    "report": {"fr": "Rapport d'enquête", "en": "Survey report"},
    "generated": {"fr": "Rapport produit le {date}", "en": "Report produced on {date}"},
    "contents": {"fr": "Sommaire", "en": "Contents"},
    "summary": {"fr": "En bref", "en": "Summary"},
    "summary_text": {
        "fr": "{n} réponses complètes analysées ({form}). Les résultats sont pondérés "
        "et accompagnés d'intervalles de confiance à {level} %. Aucun résultat portant "
        "sur moins de {min} répondants n'est publié.",
        "en": "{n} completed responses analysed ({form}). Results are weighted and "
        "come with {level}% confidence intervals. No result about fewer than {min} "
        "respondents is published.",
    },
    "synthetic_warning": {
        "fr": "Données synthétiques : {k} des {n} réponses ont été générées pour la "
        "démonstration. Ces résultats ne décrivent aucune population réelle.",
        "en": "Synthetic data: {k} of the {n} responses were generated for the "
        "demonstration. These results describe no real population.",
    },
    "synthetic_margins": {
        "fr": "Les effectifs de population utilisés pour la pondération sont fictifs.",
        "en": "The population counts used for weighting are invented.",
    },
    "participation": {"fr": "Participation", "en": "Participation"},
    "participation_text": {
        "fr": "{n} réponses complètes pour une population de {pop} agents, soit un "
        "taux de réponse de {rate}.",
        "en": "{n} completed responses for a population of {pop} staff: a response "
        "rate of {rate}.",
    },
    "participation_nopop": {
        "fr": "{n} réponses complètes. Aucun effectif de population n'est connu : "
        "les taux de réponse et la pondération ne sont pas calculés.",
        "en": "{n} completed responses. No population count is known: response rates "
        "and weighting are not computed.",
    },
    "respondents_by": {
        "fr": "Répondants par {row} et {col}",
        "en": "Respondents by {row} and {col}",
    },
    "rates_by": {
        "fr": "Taux de réponse (répondants / population) par {row} et {col}",
        "en": "Response rate (respondents / population) by {row} and {col}",
    },
    "total": {"fr": "Ensemble", "en": "Total"},
    "weighting": {"fr": "Pondération", "en": "Weighting"},
    "weighting_text": {
        "fr": "Les répondants d'une enquête à participation libre ne sont pas un "
        "échantillon aléatoire. Chaque réponse reçoit un poids tel que les répondants "
        "pondérés reproduisent la population par {dims} (calage par raking, "
        "ajustement proportionnel itératif, {iterations} itérations).",
        "en": "The respondents of a voluntary survey are not a random sample. Each "
        "response gets a weight so that the weighted respondents reproduce the "
        "population by {dims} (raking, iterative proportional fitting, {iterations} "
        "iterations).",
    },
    "weighting_none": {
        "fr": "Sans effectifs de population, les résultats ne sont pas pondérés.",
        "en": "Without population counts, results are not weighted.",
    },
    "weighting_not_converged": {
        "fr": "Le calage n'a pas convergé : les marges ne sont reproduites "
        "qu'approximativement.",
        "en": "Raking did not converge: the margins are only approximately reproduced.",
    },
    "weights_summary": {"fr": "Résumé des poids", "en": "Summary of the weights"},
    "statistic": {"fr": "Indicateur", "en": "Statistic"},
    "value": {"fr": "Valeur", "en": "Value"},
    "w_n": {"fr": "Répondants pondérés", "en": "Weighted respondents"},
    "w_neff": {
        "fr": "Taille d'échantillon effective (Kish)",
        "en": "Effective sample size (Kish)",
    },
    "w_deff": {
        "fr": "Effet de plan dû à la pondération (Kish)",
        "en": "Design effect of the weighting (Kish)",
    },
    "w_min": {"fr": "Poids minimum", "en": "Smallest weight"},
    "w_max": {"fr": "Poids maximum", "en": "Largest weight"},
    "w_ratio": {"fr": "Rapport maximum / minimum", "en": "Largest / smallest"},
    "w_cv": {"fr": "Coefficient de variation des poids", "en": "CV of the weights"},
    "margins_of": {
        "fr": "Marges de calage : {dim}",
        "en": "Weighting margins: {dim}",
    },
    "population": {"fr": "Population", "en": "Population"},
    "weighted": {"fr": "Estimation pondérée", "en": "Weighted estimate"},
    "respondents": {"fr": "Répondants", "en": "Respondents"},
    "excluded_rows": {
        "fr": "{k} réponses sans {dim} connu(e) ou hors population sont exclues de "
        "l'analyse.",
        "en": "{k} responses with no known {dim}, or outside the population, are left "
        "out of the analysis.",
    },
    "absent_levels": {
        "fr": "Aucun répondant pour {levels} ({dim}) : ces groupes ne sont pas "
        "représentés et les estimations ne les couvrent pas.",
        "en": "No respondent in {levels} ({dim}): these groups are not represented and "
        "the estimates do not cover them.",
    },
    "unknown_dimension": {
        "fr": "Aucune réponse n'indique {dims} : les effectifs de population ne "
        "peuvent pas servir, les résultats ne sont pas pondérés.",
        "en": "No response records {dims}: the population counts cannot be used, "
        "results are not weighted.",
    },
    "general": {"fr": "Questions générales", "en": "General questions"},
    "n_answered": {"fr": "{n} répondants", "en": "{n} respondents"},
    "n_hidden": {
        "fr": "Moins de {min} répondants : résultats non publiés.",
        "en": "Fewer than {min} respondents: results not published.",
    },
    "base_answered": {
        "fr": "Pourcentages pondérés parmi les répondants à la question, avec "
        "intervalle de confiance à {level} %.",
        "en": "Weighted percentages among those who answered the question, with "
        "{level}% confidence intervals.",
    },
    "base_instances": {
        "fr": "Pourcentages pondérés parmi les occurrences renseignées, avec "
        "intervalle de confiance à {level} %.",
        "en": "Weighted percentages among the instances answered, with {level}% "
        "confidence intervals.",
    },
    "base_multiple_instances": {
        "fr": "Part des occurrences pour lesquelles chaque réponse a été cochée "
        "(plusieurs réponses possibles : le total dépasse 100 %).",
        "en": "Share of the instances for which each answer was ticked (several "
        "answers allowed: the total exceeds 100%).",
    },
    "base_multiple": {
        "fr": "Part des répondants ayant coché chaque réponse (plusieurs réponses "
        "possibles : le total dépasse 100 %).",
        "en": "Share of respondents who ticked each answer (several answers allowed: "
        "the total exceeds 100%).",
    },
    "suppressed_bars": {
        "fr": "« < {min} » : moins de {min} répondants, non publié ; « x » : masqué "
        "pour qu'une petite case ne puisse pas être recalculée.",
        "en": '"< {min}": fewer than {min} respondents, not published; "x": hidden '
        "so that a small cell cannot be worked out.",
    },
    "likert_hidden": {
        "fr": "Distribution non publiée pour les items dont une modalité compte moins "
        "de {min} répondants.",
        "en": "Distribution not published for items where an answer was given by fewer "
        "than {min} respondents.",
    },
    "mean_scores": {
        "fr": "Score moyen (de {low} à {high})",
        "en": "Mean score ({low} to {high})",
    },
    "item": {"fr": "Item", "en": "Item"},
    "mean": {"fr": "Moyenne", "en": "Mean"},
    "median": {"fr": "Médiane", "en": "Median"},
    "ci": {"fr": "IC à {level} %", "en": "{level}% CI"},
    "n": {"fr": "n", "en": "n"},
    "answer": {"fr": "Réponse", "en": "Answer"},
    "share": {"fr": "Part", "en": "Share"},
    "base_numeric": {
        "fr": "Moyenne et médiane pondérées parmi les répondants à la question, avec "
        "intervalle de confiance à {level} %.",
        "en": "Weighted mean and median among those who answered the question, with "
        "{level}% confidence intervals.",
    },
    "histogram": {"fr": "Répartition des réponses", "en": "Distribution of answers"},
    "count": {"fr": "Répondants", "en": "Respondents"},
    "hist_hidden": {
        "fr": "Les classes de moins de {min} répondants ne sont pas représentées.",
        "en": "Bins with fewer than {min} respondents are not drawn.",
    },
    "text_answers": {
        "fr": "{n} réponses libres. Pour protéger les répondants, les réponses libres "
        "ne sont pas publiées dans ce rapport : elles sont analysées séparément "
        "(regroupement thématique).",
        "en": "{n} open answers. To protect respondents, open answers are not published "
        "in this report: they are analysed separately (thematic grouping).",
    },
    "text_hidden": {
        "fr": "Moins de {min} réponses libres. Les réponses libres ne sont pas "
        "publiées dans ce rapport.",
        "en": "Fewer than {min} open answers. Open answers are not published in this "
        "report.",
    },
    "weighting_question": {
        "fr": "Variable de pondération : voir la section « Pondération ».",
        "en": 'Weighting variable: see the "Weighting" section.',
    },
    "comparisons": {"fr": "Comparaisons entre groupes", "en": "Comparisons by group"},
    "comparisons_text": {
        "fr": "Pourcentages pondérés en ligne. Le test de Rao-Scott (correction du "
        "second ordre, statistique F) éprouve l'indépendance en tenant compte de la "
        "pondération.",
        "en": "Weighted row percentages. The Rao-Scott test (second-order correction, F "
        "statistic) tests independence while taking the weighting into account.",
    },
    "crosstab_caption": {"fr": "{q} selon {by}", "en": "{q} by {by}"},
    "p_value": {
        "fr": "Test de Rao-Scott : F = {f}, p = {p}",
        "en": "Rao-Scott test: F = {f}, p = {p}",
    },
    "p_failed": {
        "fr": "Test de Rao-Scott non calculable sur ce tableau.",
        "en": "The Rao-Scott test cannot be computed on this table.",
    },
    "methods": {"fr": "Notes de méthode", "en": "Notes on method"},
    "m_weighting": {
        "fr": "Pondération : poids initiaux égaux, calés par raking (ajustement "
        "proportionnel itératif) sur les effectifs de population par {dims}{date}.",
        "en": "Weighting: equal starting weights, raked (iterative proportional "
        "fitting) to the population counts by {dims}{date}.",
    },
    "m_variance": {
        "fr": "Variance : linéarisation de Taylor, en tenant compte du calage (résidus "
        "des marges, comme le package R survey). Les intervalles de confiance à "
        "{level} % suivent la loi normale ; ceux des médianes sont ceux de Woodruff.",
        "en": "Variance: Taylor linearisation, accounting for the raking (residuals on "
        "the margins, as R's survey package). The {level}% confidence intervals are "
        "normal-theory; medians use Woodruff intervals.",
    },
    "m_missing": {
        "fr": "Non-réponse partielle : chaque question est analysée parmi les "
        "répondants concernés qui y ont répondu (estimation sur un domaine, sans "
        "retirer les autres répondants du plan).",
        "en": "Item non-response: each question is analysed among the respondents it "
        "applied to who answered it (a domain estimate that keeps the whole design).",
    },
    "m_suppression": {
        "fr": "Secret statistique : aucune case, barre ou classe comptant moins de "
        "{min} répondants n'est publiée (« < {min} ») ; dans les tableaux avec "
        "totaux, d'autres cases sont masquées (« x ») pour qu'une case cachée ne "
        "puisse pas être retrouvée par différence.",
        "en": "Disclosure control: no cell, bar or bin counting fewer than {min} "
        'respondents is published ("< {min}"); in tables with totals, other cells '
        'are hidden ("x") so that a hidden cell cannot be recovered by subtraction.',
    },
    "m_text": {
        "fr": "Les réponses libres ne sont pas publiées ici ; elles sont analysées "
        "séparément.",
        "en": "Open answers are not published here; they are analysed separately.",
    },
    "m_repeats": {
        "fr": "Questions posées pour chaque occurrence d'une répétition ({names}) : "
        "non analysées dans ce rapport (voir l'export des données).",
        "en": "Questions asked for each instance of a repeat ({names}): not analysed "
        "in this report (see the data export).",
    },
    "repeat_text": {
        "fr": "Questions posées pour chaque occurrence ({k} réponses de {n} "
        "répondants) : pourcentages pondérés parmi les occurrences, chacune avec le "
        "poids de son répondant ; seuil de diffusion compté en répondants.",
        "en": "Questions asked for each instance ({k} answers from {n} respondents): "
        "weighted percentages among the instances, each with its respondent's "
        "weight; the disclosure threshold counts respondents.",
    },
    "m_repeat_units": {
        "fr": "Questions répétées (une réponse par occurrence, par exemple par outil) : "
        "l'unité est l'occurrence, pondérée par le poids final de son répondant ; la "
        "variance traite les répondants comme des grappes et tient les poids pour "
        "fixes (le calage n'y est pas répercuté, ce qui est plutôt prudent).",
        "en": "Repeated questions (one answer per instance, e.g. per tool): the unit "
        "is the instance, weighted by its respondent's final weight; the variance "
        "treats respondents as clusters and the weights as fixed (the raking is not "
        "carried into it, which tends to be conservative).",
    },
    "m_synthetic": {
        "fr": "Les réponses synthétiques sont générées aléatoirement par sociaparis "
        "pour tester et démontrer l'outil.",
        "en": "Synthetic responses are generated at random by sociaparis to test and "
        "demonstrate the tool.",
    },
    "m_software": {
        "fr": "Produit par sociaparis {version} ; les estimations concordent avec le "
        "package R survey.",
        "en": "Produced by sociaparis {version}; estimates agree with R's survey "
        "package.",
    },
    "figure": {"fr": "Graphique : {title}", "en": "Chart: {title}"},
    "desc_bar": {"fr": "{label} : {value}", "en": "{label}: {value}"},
    "hidden_label": {"fr": "< {min}", "en": "< {min}"},
    "masked_label": {"fr": "x", "en": "x"},
    "disagree": {"fr": "désaccord", "en": "disagree"},
    "agree": {"fr": "accord", "en": "agree"},
}


#: Short names of the usual breakdowns (table headers); others use their label.
BREAKDOWNS: dict[str, dict[str, str]] = {
    "directorate": {"fr": "Direction", "en": "Directorate"},
    "job_category": {"fr": "Catégorie d'emploi", "en": "Job category"},
    "age_band": {"fr": "Âge", "en": "Age"},
}
#: Longest question label used as is as a breakdown name.
SHORT_LABEL = 30


def breakdown_label(name: str, label: str, lang: str) -> str:
    """A short name for a breakdown variable (table header, caption)."""
    if name in BREAKDOWNS:
        return BREAKDOWNS[name].get(lang) or BREAKDOWNS[name]["fr"]
    return label if len(label) <= SHORT_LABEL else name.replace("_", " ")


def text(key: str, lang: str, **values: Any) -> str:
    """The report text ``key`` in ``lang`` (French if missing), filled with ``values``.

    Examples
    --------
    >>> text("n_answered", "en", n=12)
    '12 respondents'
    """
    entry = TEXTS[key]
    template = entry.get(lang) or entry["fr"]
    return template.format(**values) if values else template


def _group(digits: str, lang: str) -> str:
    """Thousands separated as the language writes them (narrow space in French)."""
    sep = "\u202f" if lang == "fr" else ","
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return sep.join(out)


def fmt_number(value: float, lang: str, decimals: int = 0) -> str:
    """A number with the language's decimal mark and thousands separator."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sign = "-" if value < 0 else ""
    rounded = f"{abs(value):.{decimals}f}"
    whole, _, frac = rounded.partition(".")
    mark = "," if lang == "fr" else "."
    body = _group(whole, lang) + (mark + frac if frac else "")
    return sign + body


def fmt_pct(share: float, lang: str, decimals: int = 0) -> str:
    """A share (0-1) as a percentage: ``43 %`` in French, ``43%`` in English.

    Examples
    --------
    >>> fmt_pct(0.4321, "en"), fmt_pct(0.00784, "fr", 1) == "0,8\u202f%"
    ('43%', True)
    """
    number = fmt_number(share * 100, lang, decimals)
    return f"{number}\u202f%" if lang == "fr" else f"{number}%"


def fmt_p(p: float, lang: str) -> str:
    """A p-value: three decimals, ``< 0.001`` below."""
    if p < 0.001:
        return "< " + fmt_number(0.001, lang, 3)
    return fmt_number(p, lang, 3)
