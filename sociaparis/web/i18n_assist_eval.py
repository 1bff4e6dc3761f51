"""Texts of the page of the AI's agreement with people (``/qual/assist/evaluation``),
merged into :data:`sociaparis.web.i18n.MESSAGES` and ``ERROR_MESSAGES``."""

from __future__ import annotations

ASSIST_EVAL_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "ae_tab": "Accord de l'IA",
        "ae_title": "Accord de l'IA avec les codeurs",
        "ae_intro": (
            "L'IA est un codeur comme les autres : ses propositions sont comparées "
            "aux codages d'une personne, code par code, sur les mêmes unités que "
            "l'accord entre personnes. Ce tableau dit pour quels codes on peut se "
            "fier à elle."
        ),
        "ae_source": "Ce qui est évalué",
        "ae_source_offline": (
            "Le suggéreur hors ligne (sans modèle distant), par validation croisée "
            "par document"
        ),
        "ae_source_run": "Une exécution enregistrée (toutes ses propositions)",
        "ae_run": "Exécution",
        "ae_run_option": "n° {id} · {coder} · {date} · {n} propositions",
        "ae_no_runs": "Aucune exécution enregistrée.",
        "ae_coder": "Codeur de référence (une personne)",
        "ae_no_coders": "Aucune personne n'a encore codé.",
        "ae_folds": "Nombre de plis de la validation croisée",
        "ae_folds_hint": (
            "Les documents sont répartis en plis ; chaque pli est prédit par un "
            "suggéreur entraîné sur les autres."
        ),
        "ae_button": "Évaluer",
        "ae_summary": (
            "{ai} comparé à {human} : {source} ; {units} unités dans {documents} "
            "documents."
        ),
        "ae_table": "Accord de l'IA avec la personne, par code",
        "ae_code": "Code",
        "ae_kappa": "Kappa de Cohen [IC]",
        "ae_alpha": "Alpha de Krippendorff [IC]",
        "ae_precision": "Précision [IC]",
        "ae_recall": "Rappel [IC]",
        "ae_units": "Unités IA / personne / les deux",
        "ae_reading": "Lecture",
        "ae_overall": "Ensemble",
        "ae_trust_reliable": "fiable",
        "ae_trust_tentative": "à confirmer",
        "ae_trust_unreliable": "non fiable",
        "ae_trust_undefined": "non défini",
        "ae_not_settled": "borne basse de l'intervalle en dessous",
        "ae_trusted": "On peut se fier à l'IA (alpha ≥ 0,800) pour : {codes}.",
        "ae_trusted_none": (
            "Aucun code n'atteint alpha ≥ 0,800 : relisez chaque proposition."
        ),
        "ae_chart_title": "Alpha de Krippendorff par code, avec son intervalle",
        "ae_chart_desc": (
            "Un point par code à la valeur d'alpha, un trait pour son intervalle ; "
            "lignes verticales à 0,667 et 0,800. Les valeurs sont dans le tableau."
        ),
        "ae_how_title": "Comment lire ces chiffres",
        "ae_how_alpha": (
            "Kappa et alpha mesurent l'accord au-delà du hasard (1 : accord parfait, "
            "0 : pas mieux que le hasard). D'après Krippendorff, alpha ≥ 0,800 est "
            "fiable, 0,667 à 0,800 ne permet que des conclusions provisoires, en "
            "dessous l'IA ne doit pas coder ce code sans relecture."
        ),
        "ae_how_pr": (
            "Précision : part des unités proposées par l'IA que la personne a codées "
            "aussi. Rappel : part des unités codées par la personne que l'IA a "
            "trouvées."
        ),
        "ae_how_ci": (
            "Intervalles à {level} : kappa et alpha par bootstrap sur les documents "
            "({n} tirages, graine {seed}) ; précision et rappel par la méthode de "
            "Wilson. « – » : non défini (un des deux n'a jamais, ou toujours, "
            "appliqué le code)."
        ),
        "ae_notes": "Remarques",
    },
    "en": {
        "ae_tab": "AI agreement",
        "ae_title": "Agreement of the AI with coders",
        "ae_intro": (
            "The AI is a coder like any other: its proposals are compared with one "
            "person's codings, code by code, on the same units as the agreement "
            "between people. This table tells for which codes it can be trusted."
        ),
        "ae_source": "What is evaluated",
        "ae_source_offline": (
            "The offline suggester (no remote model), by cross-validation by document"
        ),
        "ae_source_run": "A stored run (all its proposals)",
        "ae_run": "Run",
        "ae_run_option": "no. {id} · {coder} · {date} · {n} proposals",
        "ae_no_runs": "No run stored yet.",
        "ae_coder": "Reference coder (a person)",
        "ae_no_coders": "Nobody has coded yet.",
        "ae_folds": "Folds of the cross-validation",
        "ae_folds_hint": (
            "Documents are dealt into folds; each fold is predicted by a suggester "
            "trained on the others."
        ),
        "ae_button": "Evaluate",
        "ae_summary": (
            "{ai} compared with {human}: {source}; {units} units in {documents} "
            "documents."
        ),
        "ae_table": "Agreement of the AI with the person, per code",
        "ae_code": "Code",
        "ae_kappa": "Cohen's kappa [CI]",
        "ae_alpha": "Krippendorff's alpha [CI]",
        "ae_precision": "Precision [CI]",
        "ae_recall": "Recall [CI]",
        "ae_units": "Units AI / person / both",
        "ae_reading": "Reading",
        "ae_overall": "Overall",
        "ae_trust_reliable": "reliable",
        "ae_trust_tentative": "tentative",
        "ae_trust_unreliable": "unreliable",
        "ae_trust_undefined": "undefined",
        "ae_not_settled": "lower bound of the interval below",
        "ae_trusted": "The AI can be trusted (alpha ≥ 0.800) for: {codes}.",
        "ae_trusted_none": "No code reaches alpha ≥ 0.800: review every proposal.",
        "ae_chart_title": "Krippendorff's alpha per code, with its interval",
        "ae_chart_desc": (
            "One dot per code at alpha's value, a line for its interval; vertical "
            "lines at 0.667 and 0.800. The values are in the table."
        ),
        "ae_how_title": "How to read these figures",
        "ae_how_alpha": (
            "Kappa and alpha measure agreement beyond chance (1: perfect agreement, "
            "0: no better than chance). After Krippendorff, alpha ≥ 0.800 is "
            "reliable, 0.667 to 0.800 allows tentative conclusions only, and below "
            "that the AI should not code the code without review."
        ),
        "ae_how_pr": (
            "Precision: share of the units the AI proposed that the person coded "
            "too. Recall: share of the units the person coded that the AI found."
        ),
        "ae_how_ci": (
            "{level} intervals: kappa and alpha by a bootstrap over documents ({n} "
            "draws, seed {seed}); precision and recall by Wilson's method. '–': "
            "undefined (one of them never, or always, applied the code)."
        ),
        "ae_notes": "Notes",
    },
}

ASSIST_EVAL_ERROR_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "ASSIST_060": (
            "Le suggéreur hors ligne ne peut pas apprendre {codes} : chaque code "
            "demande au moins {needed} unités codées avec lui et {needed} sans lui "
            "par des personnes{coder} ; il y en a : {counts}. Codez davantage de "
            "passages avec ces codes, ou laissez-les de côté."
        ),
        "ASSIST_061": (
            "Aucun codage de personne dont apprendre{coder} : le suggéreur hors "
            "ligne apprend des codages des personnes sur les documents publiés. "
            "Codez d'abord quelques passages."
        ),
        "ASSIST_063": (
            "« {coder} » n'est pas une personne (son nom commence par « ai: » ou "
            "« offline: ») ; comparez l'IA aux codages d'une personne."
        ),
        "ASSIST_064": "Il n'y a pas de codeur « {coder} ». Codeurs : {known}.",
        "ASSIST_065": "Il n'y a pas d'exécution n° {run}.",
        "ASSIST_066": "Rien à évaluer : {reason}.",
        "ASSIST_067": (
            "La validation croisée par document demande au moins {needed} documents "
            "codés par « {coder} » ; il y en a {count}. Réduisez le nombre de plis "
            "ou codez davantage de documents."
        ),
        "ASSIST_068": "{name} doit être {expected} ; reçu {value}.",
        "ASSIST_069": (
            "L'utilisateur « {user} » (rôle {role}) ne peut pas {action} : l'accord "
            "de l'IA avec les personnes est réservé aux chercheurs et aux "
            "administrateurs."
        ),
        "ASSIST_062": (
            "Le suggesteur hors ligne n'a pas été entraîné pour le code « {code} ». "
            "Codes qu'il connaît : {known}."
        ),
        "ASSIST_070": (
            "Le code « {code} » n'a aucun codage humain{coder} à partir duquel chercher "
            "des passages semblables ; codez d'abord quelques passages avec ce code."
        ),
    },
    "en": {
        "ASSIST_060": (
            "The offline suggester cannot learn {codes}: each code needs at least "
            "{needed} units coded with it and {needed} without it by human "
            "coders{coder}, and has {counts}. Code more passages with these codes, "
            "or leave them out."
        ),
        "ASSIST_061": (
            "No human coding to learn from{coder}: the offline suggester learns "
            "from the codings of people on released documents. Code some passages "
            "first."
        ),
        "ASSIST_063": (
            "'{coder}' is not a human coder (its name starts with 'ai:' or "
            "'offline:'); compare the AI with a person's codings."
        ),
        "ASSIST_064": "There is no coder '{coder}'. Coders: {known}.",
        "ASSIST_065": "There is no run no. {run}.",
        "ASSIST_066": "Nothing to evaluate: {reason}.",
        "ASSIST_067": (
            "Cross-validation by document needs at least {needed} documents coded "
            "by '{coder}'; there are {count}. Use fewer folds or code more "
            "documents."
        ),
        "ASSIST_068": "{name} must be {expected}, got {value}.",
        "ASSIST_069": (
            "User '{user}' (role {role}) may not {action}: the agreement of AI "
            "with people is for researchers and administrators."
        ),
    },
}
