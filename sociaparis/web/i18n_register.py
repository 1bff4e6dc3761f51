"""Texts of the register of image-recognition systems (``/register``), merged
into :data:`sociaparis.web.i18n.MESSAGES` and ``ERROR_MESSAGES``."""

from __future__ import annotations

REGISTER_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "nav_register": "Registre des systèmes",
        "rg_title": "Registre des systèmes de reconnaissance d'images",
        "rg_intro": (
            "Un système par outil décrit dans l'enquête sur les transports. Un "
            "système n'est publié sous le nom de son organisation que si elle l'a "
            "accepté ; sinon il est seulement compté."
        ),
        "rg_not_advice_title": "Ce n'est pas un avis juridique",
        "rg_filters": "Filtrer les systèmes",
        "rg_any": "Tous",
        "rg_apply": "Filtrer",
        "rg_reset": "Tout afficher",
        "rg_filter_mode": "Mode",
        "rg_filter_status": "Statut",
        "rg_filter_personal_data": "Données personnelles",
        "rg_filter_biometric": "Biométrie",
        "rg_filter_legal_basis": "Base juridique",
        "rg_filter_dpia": "Analyse d'impact (AIPD)",
        "rg_filter_oversight": "Contrôle humain",
        "rg_filter_evaluation": "Évaluation",
        "rg_filter_verdict": "Repérage AI Act",
        "rg_counted": (
            "{total} systèmes comptés, dont {unnamed} d'organisations qui n'ont pas "
            "accepté d'être nommées (comptés, non nommés)."
        ),
        "rg_counts_title": "Systèmes par ville et type d'organisation",
        "rg_counts_note": (
            "Les effectifs de 1 à {n} − 1 sont masqués (« masqué »), ainsi que ceux "
            "qui permettraient de les retrouver par soustraction."
        ),
        "rg_city": "Ville",
        "rg_total": "Total",
        "rg_hidden": "masqué",
        "rg_verdict_chart": "Systèmes par résultat du repérage AI Act",
        "rg_verdict_desc": (
            "Diagrammes en barres ; les effectifs sont dans le tableau qui suit."
        ),
        "rg_mode_chart": "Systèmes par mode",
        "rg_count": "Systèmes",
        "rg_systems_title": "Systèmes publiés ({n})",
        "rg_no_system": "Aucun système publié ne correspond à ces filtres.",
        "rg_system": "Système",
        "rg_organisation": "Organisation",
        "rg_synthetic": "synthétique",
        "rg_verdict": "Repérage",
        "rg_rules_fired": "Règles appliquées et réponses lues",
        "rg_no_rule": "Aucune règle ne s'applique.",
        "rg_rules_title": "Règles de repérage",
        "rg_rules_intro": (
            "Les règles sont un tableau de l'étude "
            "(studies/sociaparis/ai_act_rules.csv), décrit dans "
            "docs/transport-register.md."
        ),
        "rg_rule": "Règle",
        "rg_outcome": "Résultat",
        "rg_article": "Article",
        "rg_condition": "Condition",
        "rg_outcome_prohibited": "Probablement interdit",
        "rg_outcome_high_risk": "Probablement à haut risque",
        "rg_outcome_transparency": "Obligations de transparence",
        "rg_outcome_duty": "Obligations du déployeur",
        "rg_downloads": "Télécharger",
        "rg_download_csv": "Systèmes (CSV)",
        "rg_download_xlsx": "Classeur (XLSX)",
        "rg_download_json": "Registre (JSON)",
        "rg_download_atrs": "Format ATRS (Royaume-Uni, JSON)",
        "rg_download_annex-viii": "AI Act, annexe VIII section C (JSON)",
        "rg_download_etalab": "Inventaire des algorithmes publics (JSON)",
        "rg_frame_title": "Comparer les systèmes",
        "rg_frame_hint": (
            "Crée ou met à jour le cadre de comparaison « transport_systems » : un "
            "cas par système (sans nom d'organisation), avec les dimensions 0/1 "
            "pour l'AQQC (AIPD réalisée, contrôle humain, évaluation, information "
            "du public)."
        ),
        "rg_frame_button": "Construire le cadre de comparaison",
        "rg_frame_done": "Cadre « {frame} » : {cases} cas, {cells} cellules.",
        "rg_no_form": (
            "Le questionnaire des transports n'est pas encore chargé dans cette étude."
        ),
    },
    "en": {
        "nav_register": "Systems register",
        "rg_title": "Register of image-recognition systems",
        "rg_intro": (
            "One system per tool described in the transport survey. A system is "
            "published under its organisation's name only where the organisation "
            "agreed; otherwise it is only counted."
        ),
        "rg_not_advice_title": "This is not legal advice",
        "rg_filters": "Filter the systems",
        "rg_any": "All",
        "rg_apply": "Filter",
        "rg_reset": "Show all",
        "rg_filter_mode": "Mode",
        "rg_filter_status": "Status",
        "rg_filter_personal_data": "Personal data",
        "rg_filter_biometric": "Biometrics",
        "rg_filter_legal_basis": "Legal basis",
        "rg_filter_dpia": "Impact assessment (DPIA)",
        "rg_filter_oversight": "Human oversight",
        "rg_filter_evaluation": "Evaluation",
        "rg_filter_verdict": "AI Act screening",
        "rg_counted": (
            "{total} systems counted, {unnamed} of them from organisations that did "
            "not agree to be named (counted, not named)."
        ),
        "rg_counts_title": "Systems by city and kind of organisation",
        "rg_counts_note": (
            'Counts from 1 to {n} − 1 are hidden ("hidden"), and so are those that '
            "would let them be recovered by subtraction."
        ),
        "rg_city": "City",
        "rg_total": "Total",
        "rg_hidden": "hidden",
        "rg_verdict_chart": "Systems by AI Act screening result",
        "rg_verdict_desc": "Bar charts; the counts are in the table that follows.",
        "rg_mode_chart": "Systems by mode",
        "rg_count": "Systems",
        "rg_systems_title": "Published systems ({n})",
        "rg_no_system": "No published system matches these filters.",
        "rg_system": "System",
        "rg_organisation": "Organisation",
        "rg_synthetic": "synthetic",
        "rg_verdict": "Screening",
        "rg_rules_fired": "Rules applied and answers read",
        "rg_no_rule": "No rule applies.",
        "rg_rules_title": "Screening rules",
        "rg_rules_intro": (
            "The rules are a table of the study (studies/sociaparis/ai_act_rules.csv), "
            "described in docs/transport-register.md."
        ),
        "rg_rule": "Rule",
        "rg_outcome": "Outcome",
        "rg_article": "Article",
        "rg_condition": "Condition",
        "rg_outcome_prohibited": "Likely prohibited",
        "rg_outcome_high_risk": "Likely high-risk",
        "rg_outcome_transparency": "Transparency duties",
        "rg_outcome_duty": "Deployer duties",
        "rg_downloads": "Download",
        "rg_download_csv": "Systems (CSV)",
        "rg_download_xlsx": "Workbook (XLSX)",
        "rg_download_json": "Register (JSON)",
        "rg_download_atrs": "ATRS format (United Kingdom, JSON)",
        "rg_download_annex-viii": "AI Act Annex VIII Section C (JSON)",
        "rg_download_etalab": "French public-algorithm inventory (JSON)",
        "rg_frame_title": "Compare the systems",
        "rg_frame_hint": (
            'Creates or updates the comparison frame "transport_systems": one case '
            "per system (without the organisation's name), with the 0/1 dimensions "
            "for QCA (DPIA done, human review, evaluation, public information)."
        ),
        "rg_frame_button": "Build the comparison frame",
        "rg_frame_done": 'Frame "{frame}": {cases} cases, {cells} cells.',
        "rg_no_form": "The transport questionnaire is not loaded in this study yet.",
    },
}

REGISTER_ERROR_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "REGISTER_021": "Format d'export du registre inconnu « {format} » ; "
        "formats possibles : {allowed}.",
        "REGISTER_022": "Filtre du registre inconnu « {name} » ; les filtres sont "
        "{allowed}.",
        "REGISTER_001": (
            "Le formulaire « {form_id} » n'a pas de répétition « {repeat} ». Ses "
            "répétitions : {known}."
        ),
        "REGISTER_002": (
            "La répétition « {repeat} » du formulaire « {form_id} » se trouve dans la "
            "répétition « {parent} ». Les cas proviennent des répétitions de premier "
            "niveau du formulaire ; rattachez les réponses internes à la main."
        ),
        "REGISTER_003": (
            "La question « {question} » n'est ni dans la répétition « {repeat} », ni "
            "dans une répétition jointe ({joined}), ni hors des répétitions du "
            "formulaire « {form_id} »."
        ),
        "REGISTER_010": (
            "Le fichier de règles de repérage {path} ne peut pas être lu : {reason}. "
            "Chaque ligne doit avoir les colonnes id, outcome, article, condition, "
            "explanation_fr, explanation_en."
        ),
        "REGISTER_011": (
            "La règle de repérage « {rule} » a pour résultat « {outcome} » ; utilisez "
            "l'une des valeurs {allowed}."
        ),
        "REGISTER_012": (
            "Règle de repérage « {rule} » : impossible de lire la condition au caractère "
            "{position} : {reason}. Les conditions s'écrivent par exemple "
            "\"personal_data = 'biometric' and processing in ('real_time', 'both')\" "
            "(voir docs/transport-register.md)."
        ),
        "REGISTER_013": (
            "Deux règles de repérage ont l'identifiant « {rule} » : donnez à chaque "
            "règle son propre identifiant."
        ),
        "REGISTER_014": (
            "La règle de repérage « {rule} » lit « {question} », que le formulaire "
            "transport ne pose pas. Questions connues : {known}."
        ),
        "REGISTER_023": (
            "Aucun formulaire transport n'est enregistré (« {form_id} »). Chargez "
            "l'étude avec `sociaparis study load studies/sociaparis` ou indiquez --form."
        ),
    },
    "en": {
        "REGISTER_021": "Unknown register export format '{format}'; use one of "
        "{allowed}.",
        "REGISTER_022": "Unknown register filter '{name}'; the filters are {allowed}.",
    },
}
