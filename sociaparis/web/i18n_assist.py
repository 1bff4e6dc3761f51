"""Texts of the suggestions panel and page (AI-assisted coding), merged into
:data:`sociaparis.web.i18n.MESSAGES`; French first, then English."""

from __future__ import annotations

ASSIST_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "assist_title": "Suggestions à relire",
        "assist_intro": (
            "Passages proposés par un modèle ou par le suggesteur hors ligne. Ce ne "
            "sont pas des codages : ils ne comptent dans aucune matrice, recherche ni "
            "export tant qu'une personne ne les a pas acceptés."
        ),
        "assist_code_title": "Suggestions du code",
        "assist_code_link": "suggestions à relire",
        "assist_done_accepted": "Suggestion acceptée : elle est maintenant un codage.",
        "assist_done_rejected": "Suggestion rejetée.",
        "assist_done_batch_accept": "Suggestions affichées acceptées.",
        "assist_done_batch_reject": "Suggestions affichées rejetées.",
        "assist_min_confidence": "Confiance minimale (0 à 1)",
        "assist_min_confidence_hint": (
            "Vide : toutes, y compris celles sans confiance indiquée."
        ),
        "assist_status": "État",
        "assist_status_proposed": "proposée",
        "assist_status_accepted": "acceptée",
        "assist_status_rejected": "rejetée",
        "assist_filter": "Filtrer",
        "assist_keys_title": "Raccourcis clavier des suggestions",
        "assist_keys_intro": (
            "Dans la liste des suggestions : J ou flèche bas pour la suivante, K ou "
            "flèche haut pour la précédente, A pour accepter, R pour rejeter, E pour "
            "modifier les bornes."
        ),
        "assist_key_next": "suggestion suivante",
        "assist_key_previous": "suggestion précédente",
        "assist_key_accept": "accepter la suggestion",
        "assist_key_reject": "rejeter la suggestion",
        "assist_key_edit": "modifier les bornes ou le code, puis accepter",
        "assist_list_label": "Suggestions",
        "assist_badge": "Suggestion",
        "assist_confidence": "confiance",
        "assist_no_confidence": "non indiquée",
        "assist_rationale": "Justification",
        "assist_span": "Caractères",
        "assist_accept": "Accepter",
        "assist_reject": "Rejeter",
        "assist_edit": "Modifier puis accepter",
        "assist_start": "Début",
        "assist_end": "Fin",
        "assist_code": "Code",
        "assist_accept_edited": "Accepter avec ces bornes",
        "assist_batch_hint": "Décider d'un coup pour toutes les suggestions affichées.",
        "assist_accept_all": "Tout accepter",
        "assist_reject_all": "Tout rejeter",
        "assist_none": "Aucune suggestion ici.",
        "assist_suggester": "Suggesteur",
        "assist_suggester_offline": "hors ligne (appris sur les codages humains)",
        "assist_suggester_llm": "modèle de langage (point d'accès configuré)",
        "assist_run": "Lancer des suggestions sur ce document",
        "assist_error_ASSIST_030": "Votre rôle ne permet pas de décider des suggestions.",
        "assist_error_ASSIST_031": "Seuls les documents publiés peuvent être envoyés.",
        "assist_error_ASSIST_033": "Aucun code codable dans le livre de codes.",
        "assist_error_ASSIST_035": "Cette suggestion n'existe pas.",
        "assist_error_ASSIST_036": "Cette suggestion a déjà été décidée autrement.",
        "assist_error_ASSIST_037": "Suggesteur inconnu.",
        "assist_error_ASSIST_038": "La confiance minimale est un nombre de 0 à 1.",
        "assist_error_ASSIST_040": (
            "Bornes impossibles : le début doit précéder la fin, dans le texte."
        ),
        "assist_error_ASSIST_043": "Choisissez accepter ou rejeter.",
        "assist_error_ASSIST_041": "Ce code est une catégorie : il ne s'applique pas.",
        "assist_error_QUAL_204": "Code inconnu.",
        "assist_error_QUAL_206": "Ces bornes sortent du texte.",
        "assist_error_JOB_013": "Trop de tâches en cours : attendez qu'une se termine.",
        "assist_runs_title": "Passages de suggesteurs",
        "assist_runs_intro": (
            "Chaque passage d'un suggesteur : qui l'a lancé, ses appels, ses jetons, "
            "une estimation de l'électricité consommée et ses suggestions."
        ),
        "assist_runs_link": "Passages, jetons et énergie",
        "assist_run_column": "Passage",
        "assist_run_by": "Lancé par",
        "assist_run_documents": "Documents",
        "assist_run_calls": "Appels",
        "assist_run_tokens": "Jetons (envoyés + reçus)",
        "assist_run_energy": "Énergie",
        "assist_run_rejected": "Écartées (motif)",
        "assist_estimate": "estimation, de",
        "assist_energy_note": (
            "Énergie estimée avec les facteurs d'EcoLogits (jetons générés, modèle "
            "de 24 milliards de paramètres, PUE 1,2) ; l'intervalle va de la moitié "
            "au double. Un passage hors ligne n'appelle aucun modèle."
        ),
        "assist_no_runs": "Aucun passage pour l'instant.",
        "job_kind_assist_run": "Suggestions de codage",
        "assist_segment_provenance": "proposé par {model}, accepté par {person}",
        "job_step_preparing": "préparation du suggesteur",
        "job_step_suggesting": "suggestions en cours",
    },
    "en": {
        "assist_title": "Suggestions to review",
        "assist_intro": (
            "Passages proposed by a model or by the offline suggester. They are not "
            "codings: no matrix, retrieval or export counts them until a person has "
            "accepted them."
        ),
        "assist_code_title": "Suggestions of the code",
        "assist_code_link": "suggestions to review",
        "assist_done_accepted": "Suggestion accepted: it is now a coding.",
        "assist_done_rejected": "Suggestion rejected.",
        "assist_done_batch_accept": "The suggestions shown were accepted.",
        "assist_done_batch_reject": "The suggestions shown were rejected.",
        "assist_min_confidence": "Minimum confidence (0 to 1)",
        "assist_min_confidence_hint": "Empty: all, including those with no confidence.",
        "assist_status": "Status",
        "assist_status_proposed": "proposed",
        "assist_status_accepted": "accepted",
        "assist_status_rejected": "rejected",
        "assist_filter": "Filter",
        "assist_keys_title": "Keyboard shortcuts of the suggestions",
        "assist_keys_intro": (
            "In the list of suggestions: J or down arrow for the next one, K or up "
            "arrow for the previous one, A to accept, R to reject, E to edit the "
            "bounds."
        ),
        "assist_key_next": "next suggestion",
        "assist_key_previous": "previous suggestion",
        "assist_key_accept": "accept the suggestion",
        "assist_key_reject": "reject the suggestion",
        "assist_key_edit": "edit the bounds or the code, then accept",
        "assist_list_label": "Suggestions",
        "assist_badge": "Suggestion",
        "assist_confidence": "confidence",
        "assist_no_confidence": "not given",
        "assist_rationale": "Rationale",
        "assist_span": "Characters",
        "assist_accept": "Accept",
        "assist_reject": "Reject",
        "assist_edit": "Edit, then accept",
        "assist_start": "Start",
        "assist_end": "End",
        "assist_code": "Code",
        "assist_accept_edited": "Accept with these bounds",
        "assist_batch_hint": "Decide at once for every suggestion shown.",
        "assist_accept_all": "Accept all",
        "assist_reject_all": "Reject all",
        "assist_none": "No suggestion here.",
        "assist_suggester": "Suggester",
        "assist_suggester_offline": "offline (learnt from human codings)",
        "assist_suggester_llm": "language model (the configured endpoint)",
        "assist_run": "Run suggestions on this document",
        "assist_error_ASSIST_030": "Your role may not decide on suggestions.",
        "assist_error_ASSIST_031": "Only released documents may be sent.",
        "assist_error_ASSIST_033": "No codable code in the codebook.",
        "assist_error_ASSIST_035": "This suggestion does not exist.",
        "assist_error_ASSIST_036": "This suggestion was already decided otherwise.",
        "assist_error_ASSIST_037": "Unknown suggester.",
        "assist_error_ASSIST_038": "The minimum confidence is a number from 0 to 1.",
        "assist_error_ASSIST_040": (
            "Impossible bounds: the start must come before the end, inside the text."
        ),
        "assist_error_ASSIST_043": "Choose accept or reject.",
        "assist_error_ASSIST_041": "This code is a category: it cannot be applied.",
        "assist_error_QUAL_204": "Unknown code.",
        "assist_error_QUAL_206": "These bounds are outside the text.",
        "assist_error_JOB_013": "Too many jobs running: wait until one ends.",
        "assist_runs_title": "Runs of suggesters",
        "assist_runs_intro": (
            "Each run of a suggester: who started it, its calls, its tokens, an "
            "estimate of the electricity used and its suggestions."
        ),
        "assist_runs_link": "Runs, tokens and energy",
        "assist_run_column": "Run",
        "assist_run_by": "Started by",
        "assist_run_documents": "Documents",
        "assist_run_calls": "Calls",
        "assist_run_tokens": "Tokens (sent + received)",
        "assist_run_energy": "Energy",
        "assist_run_rejected": "Set aside (reason)",
        "assist_estimate": "estimate, from",
        "assist_energy_note": (
            "Energy estimated with EcoLogits' factors (generated tokens, a model of "
            "24 billion parameters, PUE 1.2); the range goes from half to twice. An "
            "offline run calls no model."
        ),
        "assist_no_runs": "No run yet.",
        "job_kind_assist_run": "Coding suggestions",
        "assist_segment_provenance": "proposed by {model}, accepted by {person}",
        "job_step_preparing": "preparing the suggester",
        "job_step_suggesting": "suggesting",
    },
}
