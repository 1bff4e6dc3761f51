"""Texts of the corpus pages (upload, documents by case, the case table,
pseudonymization review, the re-identification table), merged into
:data:`sociaparis.web.i18n.MESSAGES`."""

from __future__ import annotations

CORPUS_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "nav_corpus": "Corpus",
        "corpus_title": "Corpus d'entretiens",
        "cases_title": "Cas et attributs",
        "reid_title": "Table de réidentification",
        "document_released": "Document libéré : il peut maintenant être codé.",
        "upload_title": "Déposer des fichiers",
        "upload_files": "Fichiers",
        "upload_files_hint": (
            "TXT, MD, DOCX, ODT, VTT, SRT, JSON de Whisper ou HTML de noScribe ; "
            "{count} fichiers au plus à la fois, {size} Mo au plus chacun."
        ),
        "upload_case": "Cas (facultatif)",
        "upload_case_hint": (
            "Tous les fichiers de ce dépôt vont dans ce cas (créé s'il n'existe pas)."
        ),
        "upload_speakers": (
            "Lire les « NOM : texte » comme des tours de parole (TXT, MD, DOCX, ODT)"
        ),
        "upload_pseudonymize": (
            "Pseudonymiser : proposer les remplacements à revoir avant le codage"
        ),
        "upload_progress": "Envoi des fichiers",
        "upload_sent": "{percent} % envoyés",
        "upload_reading": "Fichiers envoyés ; lecture et pseudonymisation en cours…",
        "upload_failed": "L'envoi a échoué ; le formulaire est envoyé sans suivi.",
        "upload_button": "Déposer",
        "documents_title": "Documents",
        "filters": "Filtrer les documents",
        "status": "Statut",
        "any": "Tous",
        "case": "Cas",
        "attribute": "Attribut",
        "attribute_value": "Valeur de l'attribut",
        "filter_button": "Filtrer",
        "documents_shown": "{count} document(s).",
        "no_case": "Sans cas",
        "documents_of": "documents de {case}",
        "document": "Document",
        "turns": "Tours",
        "characters": "Caractères",
        "paragraphs": "Paragraphes",
        "speakers": "Locuteurs",
        "next_step": "Étape suivante",
        "open_to_code": "Coder",
        "review_link": "Revoir la pseudonymisation",
        "propose_replacements": "Proposer les remplacements",
        "waiting_review": "En attente de revue",
        "no_documents": "Aucun document.",
        "status_imported": "importé, non pseudonymisé",
        "status_under_review": "remplacements proposés, à revoir",
        "status_released": "libéré, à coder",
        "upload_report_title": "Rapport de dépôt",
        "upload_summary": "{imported} fichier(s) importé(s), {refused} refusé(s).",
        "upload_into_case": "Cas : {case}.",
        "file_imported": "importé",
        "file_refused": "refusé",
        "format": "Format",
        "none": "aucun",
        "proposed_replacements": "Remplacements proposés",
        "change_refused": "La modification n'a pas été faite",
        "cases_hint": (
            "Modifiez les cellules d'une ligne puis enregistrez-la ; une cellule "
            "vide retire la valeur. Oui/non : « oui » ou « non » ; dates : AAAA-MM-JJ."
        ),
        "case_table": "Cas × attributs",
        "save_row": "Enregistrer la ligne",
        "no_cases": (
            "Aucun cas pour l'instant : ajoutez-en un, ou déposez des fichiers "
            "dans un cas."
        ),
        "add_attribute": "Ajouter un attribut (une colonne)",
        "attribute_name": "Nom de l'attribut",
        "attribute_type": "Type",
        "add_attribute_button": "Ajouter l'attribut",
        "add_case": "Ajouter un cas",
        "case_name": "Nom du cas",
        "case_kind": "Nature (facultatif)",
        "case_kind_hint": "Par exemple : enquêté·e, ville, groupe de discussion.",
        "add_case_button": "Ajouter le cas",
        "type_Text": "texte",
        "type_Boolean": "oui/non",
        "type_Integer": "entier",
        "type_Float": "nombre",
        "type_Date": "date",
        "type_DateTime": "date et heure",
        "review_title": "Revue de la pseudonymisation",
        "review_summary": "{count} remplacement(s), dont {pending} encore proposé(s).",
        "review_hint": (
            "Chaque remplacement proposé est surligné selon sa nature, suivi de son "
            "étiquette. Acceptez-le, rejetez-le, élargissez-le ou réduisez-le d'un "
            "mot, ou donnez ses bornes ; ajoutez ce qui manque ; libérez le texte "
            "quand plus rien n'est seulement proposé."
        ),
        "kinds_legend": "Natures des remplacements",
        "kind_PERSONNE": "personne",
        "kind_LIEU": "lieu",
        "kind_ORGANISATION": "organisation",
        "kind_EMAIL": "courriel",
        "kind_TELEPHONE": "téléphone",
        "kind_ADRESSE": "adresse",
        "kind_TERME": "terme de l'étude",
        "status_r_proposed": "proposé",
        "status_r_accepted": "accepté",
        "status_r_rejected": "rejeté",
        "accept_all": "Accepter tous les remplacements proposés",
        "release_button": "Libérer le document pour le codage",
        "review_text": "Texte",
        "replacements": "Remplacements",
        "in_text": "dans le texte",
        "accept": "Accepter",
        "reject": "Rejeter",
        "widen_left": "+ mot à gauche",
        "widen_right": "+ mot à droite",
        "narrow_left": "− mot à gauche",
        "narrow_right": "− mot à droite",
        "bounds": "Bornes et étiquette",
        "bounds_hint": (
            "Positions en caractères dans le texte, fin exclue ; sélectionner un "
            "passage du texte les remplit."
        ),
        "start": "Début",
        "end": "Fin",
        "set_bounds": "Appliquer les bornes",
        "label": "Étiquette",
        "relabel": "Changer l'étiquette",
        "no_replacements": "Aucun remplacement proposé.",
        "add_missed": "Ajouter un remplacement oublié",
        "add_hint": (
            "Sélectionnez le passage dans le texte (ses positions s'inscrivent ici), "
            "ou tapez ses positions."
        ),
        "selection_is": "Sélection : « {text} » ({start}–{end})",
        "kind": "Nature",
        "add_button": "Ajouter",
        "add_everywhere": "Remplacer partout une expression",
        "phrase": "Expression",
        "phrase_hint": (
            "Chaque occurrence en mots entiers, sans tenir compte de la casse ni des "
            "accents, reçoit la même étiquette."
        ),
        "add_everywhere_button": "Remplacer partout",
        "reid_warning": (
            "Données personnelles : cette table relie chaque étiquette aux noms "
            "qu'elle remplace. Sa consultation est enregistrée dans l'historique."
        ),
        "reid_forms": "Formes remplacées",
        "reid_destroyed": "(détruite)",
        "reid_empty": "La table est vide.",
        "job_kind_pseudonymize": "Proposition des remplacements",
        "job_step_detecting": "recherche des noms, lieux et numéros",
        "job_step_saving": "ouverture de la relecture",
        "job_open_review": "Relire les remplacements proposés",
        "job_open_reviews": "Relire les documents dans le corpus",
        "proposal_job": "Remplacements en cours de proposition : tâche {job}",
        "proposal_under_way": "Remplacements en cours de proposition",
    },
    "en": {
        "nav_corpus": "Corpus",
        "corpus_title": "Interview corpus",
        "cases_title": "Cases and attributes",
        "reid_title": "Re-identification table",
        "document_released": "Document released: it can now be coded.",
        "upload_title": "Upload files",
        "upload_files": "Files",
        "upload_files_hint": (
            "TXT, MD, DOCX, ODT, VTT, SRT, Whisper JSON or noScribe HTML; at most "
            "{count} files at once, {size} MB each."
        ),
        "upload_case": "Case (optional)",
        "upload_case_hint": (
            "Every file of this upload goes to this case (created if it is new)."
        ),
        "upload_speakers": "Read 'NAME: text' as speaker turns (TXT, MD, DOCX, ODT)",
        "upload_pseudonymize": (
            "Pseudonymize: propose replacements to review before coding"
        ),
        "upload_progress": "Sending the files",
        "upload_sent": "{percent} % sent",
        "upload_reading": "Files sent; reading and pseudonymizing…",
        "upload_failed": "The upload failed; the form is sent without progress.",
        "upload_button": "Upload",
        "documents_title": "Documents",
        "filters": "Filter the documents",
        "status": "Status",
        "any": "Any",
        "case": "Case",
        "attribute": "Attribute",
        "attribute_value": "Attribute value",
        "filter_button": "Filter",
        "documents_shown": "{count} document(s).",
        "no_case": "No case",
        "documents_of": "documents of {case}",
        "document": "Document",
        "turns": "Turns",
        "characters": "Characters",
        "paragraphs": "Paragraphs",
        "speakers": "Speakers",
        "next_step": "Next step",
        "open_to_code": "Code",
        "review_link": "Review the pseudonymization",
        "propose_replacements": "Propose replacements",
        "waiting_review": "Waiting for review",
        "no_documents": "No documents.",
        "status_imported": "imported, not pseudonymized",
        "status_under_review": "replacements proposed, to review",
        "status_released": "released, to code",
        "upload_report_title": "Upload report",
        "upload_summary": "{imported} file(s) imported, {refused} refused.",
        "upload_into_case": "Case: {case}.",
        "file_imported": "imported",
        "file_refused": "refused",
        "format": "Format",
        "none": "none",
        "proposed_replacements": "Proposed replacements",
        "change_refused": "The change was not made",
        "cases_hint": (
            "Edit the cells of a row, then save it; an empty cell removes the value. "
            "Yes/no: 'true' or 'false'; dates: YYYY-MM-DD."
        ),
        "case_table": "Cases × attributes",
        "save_row": "Save the row",
        "no_cases": "No cases yet: add one, or upload files into a case.",
        "add_attribute": "Add an attribute (a column)",
        "attribute_name": "Attribute name",
        "attribute_type": "Type",
        "add_attribute_button": "Add the attribute",
        "add_case": "Add a case",
        "case_name": "Case name",
        "case_kind": "Kind (optional)",
        "case_kind_hint": "For example: interviewee, city, focus group.",
        "add_case_button": "Add the case",
        "type_Text": "text",
        "type_Boolean": "yes/no",
        "type_Integer": "integer",
        "type_Float": "number",
        "type_Date": "date",
        "type_DateTime": "date and time",
        "review_title": "Pseudonymization review",
        "review_summary": "{count} replacement(s), {pending} still proposed.",
        "review_hint": (
            "Every proposed replacement is highlighted by kind and followed by its "
            "label. Accept it, reject it, widen or narrow it by a word, or set its "
            "bounds; add what was missed; release the text once nothing is only "
            "proposed."
        ),
        "kinds_legend": "Kinds of replacement",
        "kind_PERSONNE": "person",
        "kind_LIEU": "place",
        "kind_ORGANISATION": "organisation",
        "kind_EMAIL": "e-mail",
        "kind_TELEPHONE": "phone",
        "kind_ADRESSE": "address",
        "kind_TERME": "study term",
        "status_r_proposed": "proposed",
        "status_r_accepted": "accepted",
        "status_r_rejected": "rejected",
        "accept_all": "Accept every proposed replacement",
        "release_button": "Release the document for coding",
        "review_text": "Text",
        "replacements": "Replacements",
        "in_text": "in the text",
        "accept": "Accept",
        "reject": "Reject",
        "widen_left": "+ word on the left",
        "widen_right": "+ word on the right",
        "narrow_left": "− word on the left",
        "narrow_right": "− word on the right",
        "bounds": "Bounds and label",
        "bounds_hint": (
            "Character positions in the text, end excluded; selecting a passage of "
            "the text fills them."
        ),
        "start": "Start",
        "end": "End",
        "set_bounds": "Set the bounds",
        "label": "Label",
        "relabel": "Change the label",
        "no_replacements": "No replacement proposed.",
        "add_missed": "Add a missed replacement",
        "add_hint": (
            "Select the passage in the text (its positions are written here), or "
            "type its positions."
        ),
        "selection_is": "Selection: “{text}” ({start}–{end})",
        "kind": "Kind",
        "add_button": "Add",
        "add_everywhere": "Replace a phrase everywhere",
        "phrase": "Phrase",
        "phrase_hint": (
            "Every whole-word occurrence, ignoring case and accents, gets the same label."
        ),
        "add_everywhere_button": "Replace everywhere",
        "reid_warning": (
            "Personal data: this table links every label to the names it replaces. "
            "Reading it is recorded in the history."
        ),
        "reid_forms": "Replaced forms",
        "reid_destroyed": "(destroyed)",
        "reid_empty": "The table is empty.",
        "job_kind_pseudonymize": "Proposing replacements",
        "job_step_detecting": "finding names, places and numbers",
        "job_step_saving": "opening the review",
        "job_open_review": "Review the proposed replacements",
        "job_open_reviews": "Review the documents in the corpus",
        "proposal_job": "Replacements being proposed: job {job}",
        "proposal_under_way": "Replacements being proposed",
    },
}
