"""Texts of the field operations pages (forms, invitations, e-mail, opt-out),
merged into :data:`sociaparis.web.i18n.MESSAGES`."""

from __future__ import annotations

FIELDOPS_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "forms_title": "Questionnaires et opérations de terrain",
        "upload_form_title": "Déposer un XLSForm",
        "xlsform_file": "Fichier XLSForm",
        "xlsform_file_hint": (
            "Un classeur .xlsx, .xls, .csv ou .md (5 Mo au plus). « Vérifier » "
            "n'enregistre rien ; « Vérifier et enregistrer » le stocke comme "
            "nouvelle version s'il n'a pas d'erreur."
        ),
        "check_only": "Vérifier",
        "check_and_add": "Vérifier et enregistrer",
        "stored_forms": "Questionnaires enregistrés",
        "form_column": "Questionnaire",
        "versions": "Versions",
        "version": "Version",
        "latest_version": "Dernière version",
        "no_forms": "Aucun questionnaire enregistré.",
        "check_report_title": "Rapport de vérification",
        "check_ok": "Le questionnaire peut être utilisé.",
        "check_refused": "Le questionnaire ne peut pas être utilisé",
        "version_added": "Enregistré : {form_id}, version {version}.",
        "version_unchanged": (
            "Inchangé : la version {version} de {form_id} contient déjà ce questionnaire."
        ),
        "open_form_page": "Ouvrir la page du questionnaire",
        "check_summary": "Résumé",
        "warnings": "Avertissements",
        "no_warnings": "Aucun avertissement.",
        "code": "Code",
        "where": "Emplacement",
        "message": "Message",
        "fielding_state": "Collecte",
        "state_open": "Ouverte : les liens acceptent de nouvelles réponses.",
        "state_closed": (
            "Close : les liens répondent « questionnaire clos » ; les réponses "
            "commencées peuvent être terminées."
        ),
        "fielding_dates": "Dates de l'étude : du {opens} au {closes}.",
        "open_fielding": "Ouvrir la collecte",
        "close_fielding": "Clore la collecte",
        "preview_link": "Aperçu comme un répondant",
        "invitations_link": "Invitations et courriels",
        "not_fielded": (
            "Ce questionnaire n'est pas préparé pour la collecte : chargez son étude "
            "(sociaparis study load)."
        ),
        "stored_on": "Enregistrée le",
        "source_file": "Fichier",
        "pages": "Pages",
        "page": "Page",
        "simulate_title": "Simuler des réponses",
        "simulate_hint": (
            "Un objet JSON du nom de la question à la réponse (une répétition : une "
            "liste d'objets), comme pour « sociaparis instrument simulate ». Rien "
            "n'est enregistré."
        ),
        "answers_json": "Réponses (JSON)",
        "answers_file": "Ou un fichier de réponses (.json)",
        "simulate_button": "Simuler",
        "simulation_result": "Résultat de la simulation",
        "sim_pages": "Pages montrées et leurs questions pertinentes",
        "sim_questions": "Questions",
        "sim_errors": "Erreurs",
        "sim_question": "Question",
        "sim_kind": "Type",
        "sim_no_errors": "Aucune erreur.",
        "sim_json": "Résultat complet (JSON)",
        "preview_banner_short": "Aperçu",
        "preview_banner": (
            "version {version} : rien n'est enregistré, aucune réponse n'est créée."
        ),
        "preview_leave": "Quitter l'aperçu",
        "preview_end_title": "Fin du questionnaire",
        "preview_end_note": "ces réponses n'ont été enregistrées nulle part.",
        "preview_again": "Recommencer l'aperçu",
        "preview_answers": "Réponses de l'aperçu",
        "reminder_anonymous_note": (
            "Pour un questionnaire anonyme, une invitation dont le lien a servi "
            "compte comme terminée : rien ne dit si la réponse a été envoyée."
        ),
        "staff_list_title": "Créer les invitations",
        "staff_list_text": (
            "Déposez la liste du personnel (une ligne par personne). Seules les "
            "colonnes {columns} sont enregistrées ; les noms et adresses ne vont "
            "que dans le fichier des liens, téléchargé aussitôt et jamais gardé "
            "sur le serveur. Gardez-le privé."
        ),
        "staff_file": "Liste du personnel (CSV)",
        "staff_file_hint": (
            "UTF-8 ou Windows-1252 ; virgule, point-virgule ou tabulation ; 50 Mo "
            "au plus."
        ),
        "create_invitations": "Créer les invitations et télécharger les liens",
        "send_title": "Envoyer par courriel",
        "smtp_missing": (
            "Aucun serveur SMTP n'est configuré (SOCIAPARIS_SMTP_HOST et "
            "SOCIAPARIS_SMTP_SENDER) : voir la documentation, « Courriels »."
        ),
        "send_text": (
            "Par {host}, {rate} messages par minute au plus. Un message déjà "
            "accepté par le serveur n'est jamais renvoyé : vous pouvez relancer "
            "un envoi interrompu avec le même fichier."
        ),
        "links_file": "Fichier des liens (CSV)",
        "links_file_hint": (
            "Le fichier téléchargé à la création des invitations, avec une colonne "
            "email. Il est lu en mémoire pendant l'envoi, jamais enregistré."
        ),
        "mailing_kind": "Envoi",
        "kind_invitation": "Invitation",
        "kind_reminder": "Relance (à ceux qui n'ont pas terminé)",
        "reminder_round": "Numéro de la relance",
        "mail_language": "Langue des messages (sans colonne lang)",
        "resend_uncertain": ("Renvoyer les messages incertains (même Message-ID)"),
        "send_button": "Envoyer",
        "send_log_title": "Journal des envois",
        "mailing_running": "Envoi en cours.",
        "mailing_done": "Dernier envoi terminé.",
        "mailing_progress": (
            "{mailing} : {sent} envoyés sur {to_send}, {failed} refusés ; écartés : "
            "{already_sent} déjà envoyés, {completed} terminés, {opted_out} "
            "désinscrits, {uncertain} incertains."
        ),
        "mailing_stopped": "Arrêté :",
        "mailing_column": "Envoi",
        "status_sent": "Envoyés",
        "status_failed": "Refusés",
        "status_uncertain": "Incertains",
        "no_mail_yet": "Aucun courriel envoyé pour l'instant.",
        "uncertain_note": (
            "Incertains : l'envoi s'est arrêté pendant la remise de ces messages au "
            "serveur ; ils ne sont pas renvoyés sauf demande. Cherchez leur "
            "Message-ID dans les journaux du serveur de messagerie."
        ),
        "optouts_count": "Désinscriptions : {n}.",
        "optout_title": "Ne plus recevoir de courriels",
        "optout_text": (
            "Vous ne recevrez plus de message au sujet de ce questionnaire. Votre "
            "lien personnel reste valable si vous souhaitez répondre."
        ),
        "optout_button": "Confirmer",
        "optout_done": "C'est noté : vous ne recevrez plus de message à ce sujet.",
        "upload_too_large": "Le fichier envoyé est trop volumineux.",
        "no_file": "Choisissez un fichier à envoyer.",
        "field_operations_link": "Questionnaires, aperçu, invitations et courriels",
    },
    "en": {
        "forms_title": "Questionnaires and field operations",
        "upload_form_title": "Upload an XLSForm",
        "xlsform_file": "XLSForm file",
        "xlsform_file_hint": (
            'An .xlsx, .xls, .csv or .md workbook (at most 5 MB). "Check" stores '
            'nothing; "Check and store" stores it as a new version if it has no '
            "error."
        ),
        "check_only": "Check",
        "check_and_add": "Check and store",
        "stored_forms": "Stored questionnaires",
        "form_column": "Questionnaire",
        "versions": "Versions",
        "version": "Version",
        "latest_version": "Latest version",
        "no_forms": "No questionnaire stored.",
        "check_report_title": "Check report",
        "check_ok": "The questionnaire can be used.",
        "check_refused": "The questionnaire cannot be used",
        "version_added": "Stored: {form_id}, version {version}.",
        "version_unchanged": (
            "Unchanged: version {version} of {form_id} already holds this questionnaire."
        ),
        "open_form_page": "Open the questionnaire's page",
        "check_summary": "Summary",
        "warnings": "Warnings",
        "no_warnings": "No warning.",
        "code": "Code",
        "where": "Location",
        "message": "Message",
        "fielding_state": "Fielding",
        "state_open": "Open: the links accept new responses.",
        "state_closed": (
            'Closed: the links answer "questionnaire closed"; responses in '
            "progress may be finished."
        ),
        "fielding_dates": "The study's dates: {opens} to {closes}.",
        "open_fielding": "Open fielding",
        "close_fielding": "Close fielding",
        "preview_link": "Preview as a respondent",
        "invitations_link": "Invitations and e-mail",
        "not_fielded": (
            "This questionnaire is not set up for fielding: load its study "
            "(sociaparis study load)."
        ),
        "stored_on": "Stored on",
        "source_file": "File",
        "pages": "Pages",
        "page": "Page",
        "simulate_title": "Simulate answers",
        "simulate_hint": (
            "A JSON object from question name to answer (a repeat: a list of "
            'objects), as for "sociaparis instrument simulate". Nothing is stored.'
        ),
        "answers_json": "Answers (JSON)",
        "answers_file": "Or an answers file (.json)",
        "simulate_button": "Simulate",
        "simulation_result": "Simulation result",
        "sim_pages": "Pages shown and their relevant questions",
        "sim_questions": "Questions",
        "sim_errors": "Errors",
        "sim_question": "Question",
        "sim_kind": "Kind",
        "sim_no_errors": "No error.",
        "sim_json": "Whole result (JSON)",
        "preview_banner_short": "Preview",
        "preview_banner": "version {version}: nothing is stored, no response is made.",
        "preview_leave": "Leave the preview",
        "preview_end_title": "End of the questionnaire",
        "preview_end_note": "these answers were stored nowhere.",
        "preview_again": "Preview again",
        "preview_answers": "The preview's answers",
        "reminder_anonymous_note": (
            "For an anonymous questionnaire, an invitation whose link was used "
            "counts as completed: nothing tells whether its response was sent."
        ),
        "staff_list_title": "Create the invitations",
        "staff_list_text": (
            "Upload the staff list (one row per person). Only the columns "
            "{columns} are stored; names and addresses only go to the links file, "
            "downloaded at once and never kept on the server. Keep it private."
        ),
        "staff_file": "Staff list (CSV)",
        "staff_file_hint": (
            "UTF-8 or Windows-1252; comma, semicolon or tab; at most 50 MB."
        ),
        "create_invitations": "Create the invitations and download the links",
        "send_title": "Send by e-mail",
        "smtp_missing": (
            "No SMTP server is configured (SOCIAPARIS_SMTP_HOST and "
            'SOCIAPARIS_SMTP_SENDER): see the documentation, "E-mail".'
        ),
        "send_text": (
            "Through {host}, at most {rate} messages per minute. A message the "
            "server accepted is never sent again: an interrupted mailing can be "
            "started again with the same file."
        ),
        "links_file": "Links file (CSV)",
        "links_file_hint": (
            "The file downloaded when the invitations were created, with an email "
            "column. It is read in memory while sending, never stored."
        ),
        "mailing_kind": "Mailing",
        "kind_invitation": "Invitation",
        "kind_reminder": "Reminder (to those who have not completed)",
        "reminder_round": "Reminder number",
        "mail_language": "Language of the messages (without a lang column)",
        "resend_uncertain": "Send the uncertain messages again (same Message-ID)",
        "send_button": "Send",
        "send_log_title": "Send log",
        "mailing_running": "Sending.",
        "mailing_done": "Last mailing finished.",
        "mailing_progress": (
            "{mailing}: {sent} sent of {to_send}, {failed} refused; left out: "
            "{already_sent} already sent, {completed} completed, {opted_out} opted "
            "out, {uncertain} uncertain."
        ),
        "mailing_stopped": "Stopped:",
        "mailing_column": "Mailing",
        "status_sent": "Sent",
        "status_failed": "Refused",
        "status_uncertain": "Uncertain",
        "no_mail_yet": "No e-mail sent yet.",
        "uncertain_note": (
            "Uncertain: sending stopped while these messages were being handed to "
            "the server; they are not sent again unless asked. Look their "
            "Message-ID up in the mail server's logs."
        ),
        "optouts_count": "Opt-outs: {n}.",
        "optout_title": "No more e-mails",
        "optout_text": (
            "You will receive no more messages about this questionnaire. Your "
            "personal link still works if you wish to answer."
        ),
        "optout_button": "Confirm",
        "optout_done": "Done: you will receive no more messages about it.",
        "upload_too_large": "The file sent is too large.",
        "no_file": "Choose a file to send.",
        "field_operations_link": "Questionnaires, preview, invitations and e-mail",
    },
}
