"""Texts of the QCA pages (``/qca``: calibration, analysis, saved runs), merged into
:data:`sociaparis.web.i18n.MESSAGES` and ``ERROR_MESSAGES``."""

from __future__ import annotations

from sociaparis.compare.qca.errors import QCAError

QCA_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "nav_qca": "QCA",
        "qca_title": "Analyse quali-quantitative comparée (QCA)",
        "qca_intro": (
            "Calibrez les dimensions d'un cadre de comparaison en ensembles, puis "
            "construisez la table de vérité, minimisez-la et analysez la nécessité. "
            "Les résultats sont ceux du paquet R QCA et de la ligne de commande "
            "(sociaparis qca)."
        ),
        "qca_frames": "Cadres de comparaison",
        "qca_no_frames": (
            "Aucun cadre de comparaison : importez une matrice de cas "
            "(sociaparis cases import-csv)."
        ),
        "qca_calibration": "Calibrage",
        "qca_analysis": "Analyse QCA",
        "qca_saved_runs": "Analyses enregistrées",
        "qca_no_runs": "Aucune analyse enregistrée.",
        "qca_run": "Analyse",
        "qca_frame": "Cadre",
        "qca_outcome": "Résultat (outcome)",
        "qca_conditions": "Conditions",
        "qca_solution": "Solution",
        "qca_saved_by": "Enregistrée par",
        "qca_matrix": "Matrice",
        "qca_matrix_changed_short": "modifiée depuis",
        "qca_matrix_unchanged": "inchangée",
        "qca_calibration_intro": (
            "Chaque ensemble est calculé à partir d'une dimension du cadre : pris tel "
            "quel (déjà une appartenance), calibré directement (seuils d'exclusion e, "
            "de transition c et d'inclusion i, fonction logistique ou linéaire), "
            "indirectement, en ensemble net (crisp), ou à partir de catégories."
        ),
        "qca_source": "Dimension",
        "qca_method": "Méthode",
        "qca_method_none": "pas un ensemble",
        "qca_method_asis": "tel quel",
        "qca_method_direct": "directe, logistique",
        "qca_method_linear": "directe, linéaire",
        "qca_method_indirect": "indirecte",
        "qca_method_crisp": "ensemble net (crisp)",
        "qca_method_map": "catégories",
        "qca_thresholds": "Seuils",
        "qca_categories": "Catégories",
        "qca_negated": "Négation",
        "qca_crossover": "point de transition",
        "qca_crossover_warning": "Cas exactement au point de transition (0,5) :",
        "qca_crossover_hint": (
            "Ces cas ne sont dans aucun coin de l'espace des propriétés : la table de "
            "vérité ne peut pas les placer. Déplacez le seuil c."
        ),
        "qca_calibration_plot_alt": (
            "Valeurs brutes et appartenances calibrées, cas nommés (valeurs dans le "
            "tableau ci-dessous) :"
        ),
        "qca_values": "Valeurs",
        "qca_case": "Cas",
        "qca_no_sets": "Ce cadre n'a pas encore d'ensemble calibré.",
        "qca_plan_refused": "Le plan de calibrage n'a pas été enregistré",
        "qca_plan_saved": "Plan de calibrage enregistré.",
        "qca_change_plan": "Modifier le plan de calibrage",
        "qca_plan_hint": (
            "Une ligne par dimension. Seuils : « e=2, c=5, i=8 » (directe), des "
            "points de coupure « 550, 850 » (crisp, indirecte). Catégories : "
            "« charte = 1 ; guide = 0,67 ; aucun = 0 » (point décimal)."
        ),
        "qca_plan_table": "Plan de calibrage : un ensemble par dimension",
        "qca_set_name": "Nom de l'ensemble",
        "qca_plan_toml": "Ou collez un plan de calibrage (TOML)",
        "qca_plan_toml_hint": (
            "Le format des fichiers de plan ([sets.NOM] avec source, thresholds ou "
            "map) ; s'il est rempli, il remplace le tableau."
        ),
        "qca_save_plan": "Enregistrer le plan",
        "qca_run_refused": "L'analyse n'a pas pu être faite",
        "qca_viewer_note": (
            "Votre rôle permet de lire les analyses enregistrées ; seuls les "
            "chercheurs et administrateurs lancent une analyse."
        ),
        "qca_choose": "Résultat, conditions et paramètres",
        "qca_negate": "Analyser la négation du résultat (~)",
        "qca_truth_table": "Table de vérité",
        "qca_incl_cut_hint": (
            "Seuil de consistance, ou deux seuils « 0.8, 0.6 » (les lignes entre les "
            "deux sont des contradictions)."
        ),
        "qca_minimization": "Minimisation",
        "qca_solution_conservative": "conservatrice",
        "qca_solution_parsimonious": "parcimonieuse",
        "qca_solution_intermediate": "intermédiaire",
        "qca_solution_conservative_hint": 'sans les lignes restantes (include = "")',
        "qca_solution_parsimonious_hint": 'avec les lignes restantes (include = "?")',
        "qca_solution_intermediate_hint": (
            "lignes restantes conformes aux attentes directionnelles"
        ),
        "qca_dir_exp": "Attentes directionnelles",
        "qca_dir_exp_hint": (
            "Pour la solution intermédiaire : « MOD, ~CIO, NET=- » (présence, "
            "absence, indifférent)."
        ),
        "qca_contradictions": 'Inclure les contradictions (include = "C")',
        "qca_row_dom": "Retirer les impliquants premiers dominés (row.dom)",
        "qca_necessity": "Nécessité",
        "qca_run_button": "Lancer l'analyse",
        "qca_results": "Résultats",
        "qca_matrix_version": "Version de la matrice :",
        "qca_truth_table_caption": "Table de vérité : lignes observées",
        "qca_row": "Ligne",
        "qca_cases": "Cas",
        "qca_models": "Modèles minimaux",
        "qca_ambiguity": "{n} modèles expliquent le résultat aussi bien.",
        "qca_ambiguity_hint": (
            "Aucun n'est préférable sur le plan booléen : présentez-les tous, ou "
            "justifiez le choix par la théorie et les cas."
        ),
        "qca_one_model": "Un seul modèle minimal explique le résultat.",
        "qca_essential": "Impliquants premiers essentiels (dans chaque modèle)",
        "qca_essential_short": "essentiel",
        "qca_easy_counterfactuals": "Contrefactuels faciles (lignes)",
        "qca_model_fit": "Ajustement du modèle",
        "qca_term": "Terme",
        "qca_solution_row": "solution",
        "qca_simplifying": "Hypothèses simplificatrices (lignes restantes utilisées)",
        "qca_xy_plot": "Graphique XY",
        "qca_xy_alt": (
            "Graphique XY (valeurs dans le tableau d'ajustement) : appartenance au "
            "modèle et au résultat,"
        ),
        "qca_xy_necessity_alt": (
            "Graphique XY de nécessité (valeurs dans le tableau) pour"
        ),
        "qca_pi_chart": "Tableau des impliquants premiers",
        "qca_pi_chart_caption": (
            "Impliquants premiers × lignes positives de la table de vérité (× : couvre)"
        ),
        "qca_pi_chart_partial": (
            "Problème trop grand pour lister tous les impliquants premiers : le "
            "tableau montre ceux de la recherche exacte ; les modèles sont bien tous "
            "les modèles minimaux."
        ),
        "qca_prime_implicant": "Impliquant premier",
        "qca_pof_caption": "Nécessité de chaque condition (pof)",
        "qca_supersubset_caption": "Termes nécessaires (superSubset)",
        "qca_no_necessary": "Aucune condition ni disjonction n'atteint ces seuils.",
        "qca_r_code": "Code R",
        "qca_r_code_hint": (
            "Les appels du paquet R QCA avec les mêmes arguments ; le fichier est "
            "l'export CSV de la matrice (sociaparis cases export)."
        ),
        "qca_copy_r": "Copier le code R",
        "qca_copied": "Code R copié.",
        "qca_save_run": "Enregistrer cette analyse",
        "qca_save_hint": (
            "L'analyse est gardée avec ses paramètres, le plan de calibrage et les "
            "valeurs de la matrice utilisées, pour pouvoir régénérer le tableau publié."
        ),
        "qca_run_name": "Nom (par exemple : tableau 2 de l'article)",
        "qca_save_button": "Enregistrer",
        "qca_open_in_page": "Ouvrir dans la page d'analyse",
        "qca_matrix_changed": (
            "La matrice de cas a changé depuis l'enregistrement de cette analyse."
        ),
        "qca_matrix_now": "Version actuelle :",
        "qca_matrix_gone": "Le cadre, une dimension ou les cas n'existent plus.",
        "qca_matrix_same": "La matrice de cas n'a pas changé depuis cette analyse.",
        "qca_rerun": "Relancer sur la matrice actuelle",
        "qca_regenerated_same": (
            "Régénérée à partir des valeurs enregistrées : identique au tableau "
            "enregistré."
        ),
        "qca_regenerated_differs": (
            "Régénérée à partir des valeurs enregistrées : DIFFÈRE du tableau enregistré."
        ),
    },
    "en": {
        "nav_qca": "QCA",
        "qca_title": "Qualitative Comparative Analysis (QCA)",
        "qca_intro": (
            "Calibrate the dimensions of a comparison frame into sets, then build the "
            "truth table, minimize it and analyse necessity. The results are those of "
            "R's QCA package and of the command line (sociaparis qca)."
        ),
        "qca_frames": "Comparison frames",
        "qca_no_frames": (
            "No comparison frame: import a case matrix (sociaparis cases import-csv)."
        ),
        "qca_calibration": "Calibration",
        "qca_analysis": "QCA analysis",
        "qca_saved_runs": "Saved runs",
        "qca_no_runs": "No saved run.",
        "qca_run": "Run",
        "qca_frame": "Frame",
        "qca_outcome": "Outcome",
        "qca_conditions": "Conditions",
        "qca_solution": "Solution",
        "qca_saved_by": "Saved by",
        "qca_matrix": "Matrix",
        "qca_matrix_changed_short": "changed since",
        "qca_matrix_unchanged": "unchanged",
        "qca_calibration_intro": (
            "Each set is computed from a dimension of the frame: used as it is "
            "(already a membership), calibrated directly (exclusion e, crossover c "
            "and inclusion i thresholds, logistic or linear), indirectly, into a "
            "crisp set, or from categories."
        ),
        "qca_source": "Dimension",
        "qca_method": "Method",
        "qca_method_none": "not a set",
        "qca_method_asis": "as it is",
        "qca_method_direct": "direct, logistic",
        "qca_method_linear": "direct, linear",
        "qca_method_indirect": "indirect",
        "qca_method_crisp": "crisp set",
        "qca_method_map": "categories",
        "qca_thresholds": "Thresholds",
        "qca_categories": "Categories",
        "qca_negated": "Negation",
        "qca_crossover": "crossover",
        "qca_crossover_warning": "Cases exactly at the crossover (0.5):",
        "qca_crossover_hint": (
            "These cases are in no corner of the property space: the truth table "
            "cannot place them. Move the crossover threshold c."
        ),
        "qca_calibration_plot_alt": (
            "Raw values and calibrated memberships, cases labelled (values in the "
            "table below):"
        ),
        "qca_values": "Values",
        "qca_case": "Case",
        "qca_no_sets": "This frame has no calibrated set yet.",
        "qca_plan_refused": "The calibration plan was not saved",
        "qca_plan_saved": "Calibration plan saved.",
        "qca_change_plan": "Change the calibration plan",
        "qca_plan_hint": (
            'One line per dimension. Thresholds: "e=2, c=5, i=8" (direct), cut '
            'points "550, 850" (crisp, indirect). Categories: "charter = 1; guide '
            '= 0.67; none = 0".'
        ),
        "qca_plan_table": "Calibration plan: one set per dimension",
        "qca_set_name": "Set name",
        "qca_plan_toml": "Or paste a calibration plan (TOML)",
        "qca_plan_toml_hint": (
            "The format of plan files ([sets.NAME] with source, thresholds or map); "
            "when filled in, it replaces the table."
        ),
        "qca_save_plan": "Save the plan",
        "qca_run_refused": "The analysis could not be run",
        "qca_viewer_note": (
            "Your role may read saved runs; only researchers and administrators run "
            "an analysis."
        ),
        "qca_choose": "Outcome, conditions and settings",
        "qca_negate": "Analyse the negated outcome (~)",
        "qca_truth_table": "Truth table",
        "qca_incl_cut_hint": (
            'Consistency cut-off, or two "0.8, 0.6" (rows between them are '
            "contradictions)."
        ),
        "qca_minimization": "Minimization",
        "qca_solution_conservative": "conservative",
        "qca_solution_parsimonious": "parsimonious",
        "qca_solution_intermediate": "intermediate",
        "qca_solution_conservative_hint": 'without remainders (include = "")',
        "qca_solution_parsimonious_hint": 'with remainders (include = "?")',
        "qca_solution_intermediate_hint": (
            "remainders that agree with the directional expectations"
        ),
        "qca_dir_exp": "Directional expectations",
        "qca_dir_exp_hint": (
            'For the intermediate solution: "MOD, ~CIO, NET=-" (presence, absence, '
            "either)."
        ),
        "qca_contradictions": 'Include contradictions (include = "C")',
        "qca_row_dom": "Remove dominated prime implicants (row.dom)",
        "qca_necessity": "Necessity",
        "qca_run_button": "Run the analysis",
        "qca_results": "Results",
        "qca_matrix_version": "Matrix version:",
        "qca_truth_table_caption": "Truth table: observed rows",
        "qca_row": "Row",
        "qca_cases": "Cases",
        "qca_models": "Minimal models",
        "qca_ambiguity": "{n} models explain the outcome equally well.",
        "qca_ambiguity_hint": (
            "None is better in Boolean terms: report them all, or justify the choice "
            "with theory and case knowledge."
        ),
        "qca_one_model": "One minimal model explains the outcome.",
        "qca_essential": "Essential prime implicants (in every model)",
        "qca_essential_short": "essential",
        "qca_easy_counterfactuals": "Easy counterfactuals (rows)",
        "qca_model_fit": "Fit of model",
        "qca_term": "Term",
        "qca_solution_row": "solution",
        "qca_simplifying": "Simplifying assumptions (remainder rows used)",
        "qca_xy_plot": "XY plot",
        "qca_xy_alt": (
            "XY plot (values in the fit table): membership in the model and in the "
            "outcome,"
        ),
        "qca_xy_necessity_alt": "Necessity XY plot (values in the table) for",
        "qca_pi_chart": "Prime implicant chart",
        "qca_pi_chart_caption": (
            "Prime implicants × positive truth-table rows (×: covers)"
        ),
        "qca_pi_chart_partial": (
            "Too large to list every prime implicant: the chart shows those of the "
            "exact search; the models are all the minimal ones."
        ),
        "qca_prime_implicant": "Prime implicant",
        "qca_pof_caption": "Necessity of each condition (pof)",
        "qca_supersubset_caption": "Necessary terms (superSubset)",
        "qca_no_necessary": "No condition or disjunction reaches these cut-offs.",
        "qca_r_code": "R code",
        "qca_r_code_hint": (
            "The calls of R's QCA package with the same arguments; the file is the "
            "CSV export of the matrix (sociaparis cases export)."
        ),
        "qca_copy_r": "Copy as R code",
        "qca_copied": "R code copied.",
        "qca_save_run": "Save this run",
        "qca_save_hint": (
            "The run is kept with its settings, the calibration plan and the matrix "
            "values it used, so that a published table can be regenerated."
        ),
        "qca_run_name": "Name (for example: table 2 of the paper)",
        "qca_save_button": "Save",
        "qca_open_in_page": "Open in the analysis page",
        "qca_matrix_changed": "The case matrix changed since this run was saved.",
        "qca_matrix_now": "Current version:",
        "qca_matrix_gone": "The frame, a dimension or the cases no longer exist.",
        "qca_matrix_same": "The case matrix has not changed since this run.",
        "qca_rerun": "Run again on the current matrix",
        "qca_regenerated_same": (
            "Regenerated from the saved values: identical to the saved table."
        ),
        "qca_regenerated_differs": (
            "Regenerated from the saved values: DIFFERS from the saved table."
        ),
    },
}

QCA_ERROR_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "QCA_009": (
            "Aucune ligne de la table de vérité n'a OUT = 1 avec incl.cut = "
            "{incl_cut} et n.cut = {n_cut} : il n'y a rien à minimiser. Abaissez "
            "incl.cut ou vérifiez le résultat."
        ),
        "QCA_019": (
            "Aucune ligne n'a OUT = 0 : avec les lignes restantes, toutes les "
            "conditions disparaissent. Vérifiez le résultat, incl.cut et n.cut."
        ),
        "QCA_050": (
            "Le compte « {user} » ({role}) ne peut pas faire cela : seuls les "
            "chercheurs et administrateurs lancent une QCA et modifient un plan de "
            "calibrage."
        ),
        "QCA_051": "Il n'y a pas d'analyse QCA enregistrée n° {run}.",
        "QCA_052": "Le plan de calibrage ne peut pas être utilisé : {reason}.",
        "QCA_053": "Le paramètre {name} = {value!r} ne peut pas être utilisé : {reason}.",
        "QCA_054": (
            "Choisissez un résultat et au moins une condition parmi les ensembles "
            "calibrés ({available})."
        ),
        "QCA_055": (
            "« {name} » n'est pas un ensemble calibré du cadre « {frame} ». "
            "Ensembles : {available}."
        ),
        "QCA_056": (
            "L'ensemble « {name} » du plan de calibrage ne peut pas être calibré : "
            "{reason}."
        ),
        "QCA_001": (
            "La colonne « {column} » n'est pas dans les données. Colonnes disponibles : "
            "{available}."
        ),
        "QCA_002": (
            "La colonne « {column} » contient des valeurs non numériques (la première : "
            "{value!r}). Calibrez-la ou recodez-la d'abord en nombres."
        ),
        "QCA_003": (
            "La colonne « {column} » contient des valeurs floues hors de [0, 1] (la "
            "première : {value}). Calibrez-la d'abord (`sociaparis qca calibrate`)."
        ),
        "QCA_004": (
            "La colonne « {column} » a des valeurs manquantes pour {count} cas (le "
            "premier : {case}). La QCA demande une valeur pour chaque cas et chaque "
            "condition."
        ),
        "QCA_005": (
            "La colonne « {column} » mélange des valeurs floues et des codes "
            "multivalués, ou contient une valeur négative ou non entière supérieure à 1 "
            "({value}). Les conditions multivaluées prennent les valeurs 0, 1, 2, …"
        ),
        "QCA_006": (
            "incl_cut doit être un nombre, ou deux nombres [ic1, ic0] avec 0 <= ic0 <= "
            "ic1 <= 1 ; reçu : {value}."
        ),
        "QCA_007": (
            "include doit valoir '' (solution conservatrice), '?' (solution "
            "parcimonieuse) ou contenir 'C' ; reçu : {value!r}."
        ),
        "QCA_008": (
            "L'attente directionnelle « {value} » ne peut pas être lue. Écrivez par "
            "exemple 'A, ~B, C[2]' ou 'A=1, B=0, C=-' (noms des conditions : "
            "{conditions})."
        ),
        "QCA_010": (
            "Les seuils de calibrage {value!r} ne peuvent pas être utilisés : {reason}."
        ),
        "QCA_011": "Le calibrage de « {column} » a échoué : {reason}.",
        "QCA_012": "Le terme « {term} » ne peut pas être lu : {reason}.",
        "QCA_013": "Le cas de conformité {path} ne peut pas être utilisé : {reason}.",
        "QCA_014": (
            "Aucune condition ni disjonction n'est nécessaire avec incl_cut = {incl_cut} "
            "et cov_cut = {cov_cut}."
        ),
        "QCA_015": (
            "La recherche de tous les modèles minimaux s'est arrêtée : {reason}. "
            "L'espace des modèles est trop ambigu pour être listé en entier ; resserrez "
            "incl_cut ou n_cut, ou utilisez moins de conditions."
        ),
        "QCA_016": "Impossible de lire {path} : {reason}.",
        "QCA_017": "Le résultat « {outcome} » figure aussi parmi les conditions.",
        "QCA_018": "Les données ne contiennent aucun cas.",
    },
}
# English: the catalogue's own messages, so that both languages have the same codes.
QCA_ERROR_MESSAGES["en"] = {
    error.code: error.template
    for error in QCAError
    if error.code in QCA_ERROR_MESSAGES["fr"]
}
