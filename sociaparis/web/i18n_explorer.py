"""Texts of the survey explorer pages (merged into ``sociaparis.web.i18n``)."""

from __future__ import annotations

from sociaparis.reports.explorer_errors import ExplorerError

EXPLORER_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "nav_explorer": "Explorer les enquêtes",
        "explorer_title": "Explorer les résultats d'enquête",
        "explorer_forms_intro": (
            "Choisissez un questionnaire : ses réponses complètes, pondérées, en "
            "tableaux et graphiques. Les petits effectifs sont toujours masqués."
        ),
        "explorer_no_forms": "Aucun questionnaire n'est encore enregistré.",
        "explorer_intro": (
            "Choisissez une ou plusieurs questions, éventuellement une ou deux "
            "variables de ventilation et la pondération, puis « Afficher »."
        ),
        "explorer_questions": "Questions",
        "explorer_questions_hint": (
            "Plusieurs questions : Ctrl (ou Cmd) + clic, ou Maj + flèches."
        ),
        "explorer_by1": "Ventiler par",
        "explorer_by2": "puis par",
        "explorer_no_breakdown": "(aucune ventilation)",
        "explorer_weighting": "Pondération",
        "explorer_weighting_design": "Poids de sondage",
        "explorer_weighting_raked": "Calée sur les marges de la population (raking)",
        "explorer_test": "Test de Rao-Scott (une question à choix unique, ventilée)",
        "explorer_show": "Afficher",
        "explorer_result": "Résultat",
        "explorer_rule": (
            "Toute case comptant moins de {min} répondants est masquée, ainsi que "
            "les cases qui permettraient de la retrouver par différence."
        ),
        "explorer_weights": "Pondération et effet de plan",
        "explorer_n": "Répondants analysés",
        "explorer_deff": "Effet de plan de Kish",
        "explorer_neff": "Effectif efficace",
        "explorer_wrange": "Poids minimum – maximum",
        "explorer_step": "Étape",
        "explorer_iterations": "itérations",
        "explorer_chart": "Graphique",
        "explorer_chart_alt": "les valeurs sont dans le tableau qui suit",
        "explorer_download_svg": "Télécharger le graphique (SVG)",
        "explorer_download_png": "Télécharger le graphique (PNG)",
        "explorer_table": "Estimations",
        "explorer_question": "Question",
        "explorer_level": "Réponse",
        "explorer_mean": "Moyenne",
        "explorer_estimate": "Estimation",
        "explorer_se": "Erreur type",
        "explorer_ci": "Intervalle de confiance",
        "explorer_unweighted_n": "Effectif non pondéré",
        "explorer_hidden": "masqué (moins de {min} répondants)",
        "explorer_masked": "masqué (protège une petite case)",
        "explorer_test_result": "Test de Rao-Scott (F, correction du second ordre) :",
        "explorer_test_withheld": (
            "Le test n'est pas affiché : le tableau a des cases masquées."
        ),
        "explorer_download_csv": "Télécharger le tableau (CSV)",
        "explorer_download_xlsx": "Télécharger le tableau (XLSX)",
        "explorer_r": "Le même calcul en R (package survey)",
        "explorer_python": "Le même calcul en Python (sociaparis)",
        "explorer_copy_r": "Copier le code R",
        "explorer_copy_python": "Copier le code Python",
        "explorer_copied": "Code copié dans le presse-papiers.",
        "explorer_model": "Modèle logistique",
        "explorer_model_response": "Variable expliquée",
        "explorer_model_event": "Réponse comptée comme 1",
        "explorer_model_event_hint": "Vide : le premier choix de la liste.",
        "explorer_model_predictors": "Variables explicatives",
        "explorer_model_fit": "Estimer le modèle",
        "explorer_term": "Terme",
        "explorer_coefficient": "Coefficient (log-odds)",
    },
    "en": {
        "nav_explorer": "Explore surveys",
        "explorer_title": "Explore survey results",
        "explorer_forms_intro": (
            "Choose a form: its completed responses, weighted, as tables and "
            "charts. Small counts are always hidden."
        ),
        "explorer_no_forms": "No form is stored yet.",
        "explorer_intro": (
            "Choose one or more questions, optionally one or two breakdown "
            "variables and the weighting, then “Show”."
        ),
        "explorer_questions": "Questions",
        "explorer_questions_hint": (
            "Several questions: Ctrl (or Cmd) + click, or Shift + arrows."
        ),
        "explorer_by1": "Break down by",
        "explorer_by2": "then by",
        "explorer_no_breakdown": "(no breakdown)",
        "explorer_weighting": "Weighting",
        "explorer_weighting_design": "Design weights",
        "explorer_weighting_raked": "Raked to the population margins",
        "explorer_test": "Rao-Scott test (one single-choice question, broken down)",
        "explorer_show": "Show",
        "explorer_result": "Result",
        "explorer_rule": (
            "Every cell counting fewer than {min} respondents is hidden, and so are "
            "the cells that would let someone work it out by subtraction."
        ),
        "explorer_weights": "Weights and design effect",
        "explorer_n": "Respondents analysed",
        "explorer_deff": "Kish design effect",
        "explorer_neff": "Effective sample size",
        "explorer_wrange": "Smallest – largest weight",
        "explorer_step": "Step",
        "explorer_iterations": "iterations",
        "explorer_chart": "Chart",
        "explorer_chart_alt": "the values are in the table below",
        "explorer_download_svg": "Download the chart (SVG)",
        "explorer_download_png": "Download the chart (PNG)",
        "explorer_table": "Estimates",
        "explorer_question": "Question",
        "explorer_level": "Answer",
        "explorer_mean": "Mean",
        "explorer_estimate": "Estimate",
        "explorer_se": "Standard error",
        "explorer_ci": "Confidence interval",
        "explorer_unweighted_n": "Unweighted n",
        "explorer_hidden": "hidden (fewer than {min} respondents)",
        "explorer_masked": "hidden (protects a small cell)",
        "explorer_test_result": "Rao-Scott test (F, second-order correction):",
        "explorer_test_withheld": "The test is not shown: the table has hidden cells.",
        "explorer_download_csv": "Download the table (CSV)",
        "explorer_download_xlsx": "Download the table (XLSX)",
        "explorer_r": "The same computation in R (survey package)",
        "explorer_python": "The same computation in Python (sociaparis)",
        "explorer_copy_r": "Copy the R code",
        "explorer_copy_python": "Copy the Python code",
        "explorer_copied": "Code copied to the clipboard.",
        "explorer_model": "Logistic model",
        "explorer_model_response": "Response",
        "explorer_model_event": "Answer counted as 1",
        "explorer_model_event_hint": "Empty: the first choice of the list.",
        "explorer_model_predictors": "Predictors",
        "explorer_model_fit": "Fit the model",
        "explorer_term": "Term",
        "explorer_coefficient": "Coefficient (log-odds)",
    },
}

EXPLORER_ERROR_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "EXPLORE_001": (
            "Le compte « {user} » ({role}) ne peut pas explorer les résultats "
            "d'enquête : seuls les lecteurs, chercheurs et administrateurs le peuvent."
        ),
        "EXPLORE_002": "Choisissez au moins une question.",
        "EXPLORE_003": (
            "« {name} » n'est pas une question de « {form_id} » qui se tabule "
            "(choix unique, choix multiple ou nombre, hors répétitions). "
            "Disponibles : {available}."
        ),
        "EXPLORE_004": (
            "« {name} » ne peut pas ventiler le tableau : ce n'est ni une question à "
            "choix unique ni un attribut d'invitation de « {form_id} ». "
            "Disponibles : {available}."
        ),
        "EXPLORE_005": (
            "Un tableau se ventile par {max} variables au plus ; {count} demandées."
        ),
        "EXPLORE_006": "Pondération « {value} » inconnue : {allowed}.",
        "EXPLORE_007": (
            "Le questionnaire « {form_id} » n'a pas de marges de population pour le "
            "calage (ou aucune étude n'est configurée : SOCIAPARIS_STUDY_DIR). "
            "Utilisez les poids de sondage."
        ),
        "EXPLORE_008": (
            "Ce tableau est refusé : avec les tableaux que vous avez déjà consultés "
            "({earlier}), ses effectifs permettraient de retrouver un groupe de moins "
            "de {min} répondants. Choisissez d'autres questions ou ventilations."
        ),
        "EXPLORE_009": (
            "Le test de Rao-Scott demande une question à choix unique et une "
            "variable de ventilation."
        ),
        "EXPLORE_010": (
            "Le compte « {user} » ({role}) ne peut pas estimer de modèle : seuls les "
            "chercheurs et administrateurs le peuvent."
        ),
        "EXPLORE_011": (
            "« {name} » ne peut pas être la variable expliquée d'un modèle "
            "logistique : choisissez une question à choix unique de « {form_id} »."
        ),
        "EXPLORE_012": (
            "« {event} » n'est pas une réponse à « {name} ». Réponses : {levels}."
        ),
        "EXPLORE_013": (
            "Seuls {n} répondants renseignent toutes les variables du modèle ; il en "
            "faut au moins {min}."
        ),
        "EXPLORE_014": "Format « {value} » inconnu : {allowed}.",
        "EXPLORE_015": "Un tableau contient {max} questions au plus ; {count} demandées.",
        "EXPLORE_016": (
            "« {name} » est à la fois tabulée et variable de ventilation : "
            "choisissez une autre ventilation."
        ),
        "EXPLORE_017": "Un modèle demande au moins une variable explicative.",
    },
}
# English: the catalogue's own messages, so that both languages have the same codes.
EXPLORER_ERROR_MESSAGES["en"] = {error.code: error.template for error in ExplorerError}
