"""Texts of the reports and open answers pages, merged into
:data:`sociaparis.web.i18n.MESSAGES` (and their errors into ``ERROR_MESSAGES``)."""

from __future__ import annotations

from sociaparis.reports.errors import ReportError

REPORTS_PAGES_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "nav_reports": "Rapports",
        "reports_title": "Rapports",
        "reports_intro": (
            "Construisez le rapport d'un questionnaire (HTML ou PDF) en choisissant "
            "ses sections et sa pondération. Les rapports construits sont gardés "
            "avec leurs paramètres jusqu'à ce que quelqu'un les supprime."
        ),
        "reports_forms_title": "Questionnaires",
        "reports_no_forms": "Aucun questionnaire enregistré.",
        "reports_builds_title": "Rapports construits",
        "reports_no_builds": "Aucun rapport construit pour l'instant.",
        "reports_built_at": "Construit le",
        "reports_form": "Questionnaire",
        "reports_built_by": "Par",
        "reports_format": "Format",
        "reports_language": "Langue",
        "reports_weighting": "Pondération",
        "reports_sections": "Sections",
        "reports_responses": "Réponses",
        "reports_file": "Fichier",
        "reports_lang_fr": "Français",
        "reports_lang_en": "Anglais",
        "reports_weighting_design": "Poids du plan",
        "reports_weighting_raked": "Calée sur les marges",
        "reports_weighting_design_long": (
            "Poids du plan : chaque répondant compte pour un (sans taux de réponse)"
        ),
        "reports_weighting_raked_long": (
            "Calage (raking) sur les marges de population de l'étude"
        ),
        "reports_weighting_hint": (
            "Le calage redresse les réponses sur les effectifs connus de la "
            "population (direction, catégorie), comme sociaparis report --study."
        ),
        "reports_weighting_no_study": (
            "Le calage demande les marges de population de l'étude : le serveur "
            "n'en connaît pas pour ce questionnaire (SOCIAPARIS_STUDY_DIR)."
        ),
        "reports_all_sections": "Toutes",
        "reports_download": "Télécharger",
        "reports_remove": "Supprimer",
        "reports_form_title": "Rapport du questionnaire",
        "reports_building": "Rapport en préparation",
        "reports_job_page": "Voir la tâche",
        "reports_unfinished": "Rapports non aboutis",
        "reports_build_title": "Construire un rapport",
        "reports_sections_hint": (
            "Le résumé ouvre toujours le rapport. Les petites cases restent "
            "masquées dans chaque section choisie."
        ),
        "reports_format_hint": (
            "Le PDF est plus long à préparer (mise en page de chaque graphique)."
        ),
        "reports_fmt_html": "HTML (une page autonome)",
        "reports_fmt_pdf": "PDF (A4)",
        "reports_build": "Construire le rapport",
        "open_answers_title": "Réponses ouvertes",
        "open_answers_intro": (
            "Les thèmes des réponses à une question ouverte, avec des citations "
            "pseudonymisées (comme sociaparis stats themes)."
        ),
        "open_answers_none": "Ce questionnaire n'a pas de question ouverte.",
        "themes_title": "Thèmes des réponses",
        "themes_summary": (
            "{n} réponses, {short} trop courtes pour être classées, {k} groupes "
            "({chosen})."
        ),
        "themes_chosen_silhouette": "nombre choisi par la silhouette",
        "themes_chosen_given": "nombre demandé",
        "themes_privacy": (
            "Les thèmes de moins de {n} réponses sont regroupés, sans mots ni "
            "citations ; les noms, adresses et numéros des citations sont "
            "remplacés par des étiquettes."
        ),
        "themes_n": "Nombre de thèmes",
        "themes_n_hint": "Laissez vide pour le choisir automatiquement.",
        "themes_min_count": "Plus petit thème montré",
        "themes_min_count_hint": "Jamais moins de 5 réponses.",
        "themes_apply": "Recalculer",
        "themes_compute": "Calculer les thèmes",
        "themes_computing": "Thèmes en cours de calcul",
        "themes_not_yet": (
            "Les thèmes de ces réponses n'ont pas encore été calculés avec ces "
            "réglages : le calcul se fait en arrière-plan (une demi-minute pour "
            "quelques milliers de réponses)."
        ),
        "job_kind_themes": "Thèmes des réponses ouvertes",
        "job_step_grouping": "regroupement des réponses",
        "themes_chart_title": "Réponses par thème",
        "themes_table": "Thèmes",
        "themes_theme": "Thème",
        "themes_words": "Mots caractéristiques",
        "themes_size": "Réponses",
        "themes_share": "Part",
        "themes_other": "autres (petits thèmes regroupés)",
        "themes_none": "Aucune réponse à classer.",
    },
    "en": {
        "nav_reports": "Reports",
        "reports_title": "Reports",
        "reports_intro": (
            "Build a form's report (HTML or PDF), choosing its sections and its "
            "weighting. Built reports are kept with their parameters until someone "
            "removes them."
        ),
        "reports_forms_title": "Forms",
        "reports_no_forms": "No form stored.",
        "reports_builds_title": "Built reports",
        "reports_no_builds": "No report built yet.",
        "reports_built_at": "Built on",
        "reports_form": "Form",
        "reports_built_by": "By",
        "reports_format": "Format",
        "reports_language": "Language",
        "reports_weighting": "Weighting",
        "reports_sections": "Sections",
        "reports_responses": "Responses",
        "reports_file": "File",
        "reports_lang_fr": "French",
        "reports_lang_en": "English",
        "reports_weighting_design": "Design weights",
        "reports_weighting_raked": "Raked to margins",
        "reports_weighting_design_long": (
            "Design weights: every respondent counts one (no response rates)"
        ),
        "reports_weighting_raked_long": "Raked to the study's population margins",
        "reports_weighting_hint": (
            "Raking adjusts the responses to the known population counts "
            "(directorate, job category), as sociaparis report --study does."
        ),
        "reports_weighting_no_study": (
            "Raking needs the study's population margins: the server knows none "
            "for this form (SOCIAPARIS_STUDY_DIR)."
        ),
        "reports_all_sections": "All",
        "reports_download": "Download",
        "reports_remove": "Remove",
        "reports_form_title": "Report of the form",
        "reports_building": "Report being built",
        "reports_job_page": "See the job",
        "reports_unfinished": "Reports not built",
        "reports_build_title": "Build a report",
        "reports_sections_hint": (
            "The summary always opens the report. Small cells stay hidden in "
            "every section chosen."
        ),
        "reports_format_hint": "A PDF takes longer (every chart is laid out).",
        "reports_fmt_html": "HTML (one self-contained page)",
        "reports_fmt_pdf": "PDF (A4)",
        "reports_build": "Build the report",
        "open_answers_title": "Open answers",
        "open_answers_intro": (
            "The themes of the answers to an open question, with pseudonymized "
            "quotes (as sociaparis stats themes)."
        ),
        "open_answers_none": "This form has no open question.",
        "themes_title": "Themes of the answers",
        "themes_summary": (
            "{n} answers, {short} too short to classify, {k} groups ({chosen})."
        ),
        "themes_chosen_silhouette": "number chosen by silhouette",
        "themes_chosen_given": "number asked",
        "themes_privacy": (
            "Themes of fewer than {n} answers are merged, without words or quotes; "
            "names, addresses and numbers in quotes are replaced by labels."
        ),
        "themes_n": "Number of themes",
        "themes_n_hint": "Leave empty to choose it automatically.",
        "themes_min_count": "Smallest theme shown",
        "themes_min_count_hint": "Never fewer than 5 answers.",
        "themes_apply": "Compute again",
        "themes_compute": "Compute the themes",
        "themes_computing": "Themes being computed",
        "themes_not_yet": (
            "The themes of these answers have not been computed with these "
            "settings yet: they are computed in the background (half a minute "
            "for a few thousand answers)."
        ),
        "job_kind_themes": "Themes of open answers",
        "job_step_grouping": "grouping the answers",
        "themes_chart_title": "Answers by theme",
        "themes_table": "Themes",
        "themes_theme": "Theme",
        "themes_words": "Characteristic words",
        "themes_size": "Answers",
        "themes_share": "Share",
        "themes_other": "other (small themes merged)",
        "themes_none": "No answer to classify.",
    },
}

REPORTS_PAGES_ERROR_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "REPORT_050": (
            "« {section} » n'est pas une section du rapport de « {form_id} » : "
            "choisissez parmi {allowed}."
        ),
        "REPORT_051": (
            "Le rapport de « {form_id} » ne peut pas être calé ({reason}). Choisissez "
            "les poids du plan, ou indiquez l'étude dont les marges de population "
            "pondèrent ce questionnaire."
        ),
        "REPORT_052": (
            "« {weighting} » n'est pas une pondération des rapports : choisissez "
            "{allowed}."
        ),
        "REPORT_053": "Choisissez au moins une section pour le rapport de « {form_id} ».",
        "REPORT_054": (
            "Aucun rapport gardé n'a le numéro {build_id} : il a été supprimé, ou "
            "n'a jamais existé."
        ),
        "REPORT_055": (
            "Le fichier du rapport {build_id} a disparu du dossier de données. "
            "Construisez le rapport à nouveau."
        ),
        "REPORT_056": "{user} ({role}) ne peut pas {action} : {reason}.",
        "REPORT_001": (
            "Impossible d'écrire un rapport dans « {path} » : le nom du fichier doit se "
            "terminer par .html ou .pdf."
        ),
        "REPORT_002": (
            "Les rapports sont rédigés en {allowed} ; « {lang} » n'en fait pas partie."
        ),
        "REPORT_003": (
            "Le formulaire « {form_id} » a moins de deux réponses terminées sur "
            "lesquelles faire un rapport (dans la population de l'étude, quand elle a "
            "des marges)."
        ),
        "REPORT_004": (
            "« {name} » n'est pas une question du formulaire « {form_id} » comparable "
            "entre groupes (une question select_one hors des répétitions)."
        ),
        "REPORT_005": (
            "La sortie PDF nécessite WeasyPrint et Pango de Debian ({reason}). "
            "Installez-les (scripts/setup le fait) ou produisez le rapport en .html."
        ),
    },
    "en": {
        error.code: error.template
        for error in ReportError
        if "REPORT_050" <= error.code <= "REPORT_069"
    },
}
