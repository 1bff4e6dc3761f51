"""Texts of the case-matrix pages (``/compare``), merged into
:data:`sociaparis.web.i18n.MESSAGES`; French messages of the errors these pages
show, merged into :data:`sociaparis.web.i18n.ERROR_MESSAGES`."""

from __future__ import annotations

from sociaparis.compare.matrix.errors import MatrixError

COMPARE_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "nav_compare": "Comparaison",
        "cm_frames_title": "Cadres de comparaison",
        "cm_frames_intro": (
            "Un cadre compare des cas (villes, directions, outils) sur les mêmes "
            "dimensions. Chaque valeur garde sa source : une réponse au "
            "questionnaire, des segments codés ou une saisie à la main."
        ),
        "cm_frames_caption": "Cadres de comparaison, avec leurs cas et leurs dimensions",
        "cm_frame": "Cadre",
        "cm_description": "Description",
        "cm_cases_n": "Cas",
        "cm_dimensions_n": "Dimensions",
        "cm_cells_n": "Valeurs",
        "cm_no_frames": (
            "Aucun cadre pour l'instant : importez une matrice de cas (CSV ou XLSX) "
            "ci-dessous, ou depuis la ligne de commande (sociaparis cases)."
        ),
        "cm_import_title": "Importer une matrice de cas",
        "cm_import_into": "Importer dans ce cadre",
        "cm_import_hint": (
            "Un fichier .csv ou .xlsx de 10 Mo au plus : la première colonne nomme "
            "les cas, chaque autre colonne est une dimension. Un classeur exporté "
            "ici se réimporte tel quel. Les valeurs importées sont des saisies à la "
            "main ; chaque valeur changée entre dans l'historique de sa cellule."
        ),
        "cm_frame_name": "Nom du cadre",
        "cm_frame_name_hint": (
            "Un cadre existant est complété ; un nouveau nom crée un cadre."
        ),
        "cm_file": "Fichier",
        "cm_import_button": "Importer",
        "cm_grid_intro": (
            "Les cas en lignes, les dimensions en colonnes. Chaque valeur mène à "
            "ce qui l'appuie et à son historique."
        ),
        "cm_grid_caption": "Matrice de cas du cadre {frame}",
        "cm_case": "Cas",
        "cm_dimension": "Dimension",
        "cm_empty_frame": "Ce cadre n'a encore aucun cas.",
        "cm_legend": "Sources",
        "cm_source_hand": "main",
        "cm_source_survey": "questionnaire",
        "cm_source_codes": "codes",
        "cm_source_long_hand": "saisie à la main",
        "cm_source_long_survey": "réponse au questionnaire",
        "cm_source_long_codes": "segments codés",
        "cm_no_value": "pas de valeur",
        "cm_export": "Exporter la matrice :",
        "cm_export_hint": (
            "Le CSV contient la matrice ; le classeur XLSX y ajoute la source de "
            "chaque valeur et les dimensions. Les textes qui ressemblent à une "
            "formule sont protégés par une apostrophe."
        ),
        "cm_back_to_frames": "Tous les cadres",
        "cm_back_to_grid": "Retour à la matrice {frame}",
        "cm_cell_title": "{case} · {dimension}",
        "cm_value": "Valeur",
        "cm_source": "Source",
        "cm_set_by": "Saisie par",
        "cm_set_on": "Le",
        "cm_note": "Note",
        "cm_value_type": "Type de la dimension",
        "cm_type_number": "nombre",
        "cm_type_text": "texte",
        "cm_no_value_yet": "Cette cellule n'a pas encore de valeur.",
        "cm_evidence": "Ce qui appuie la valeur",
        "cm_evidence_hand": "Valeur saisie à la main.",
        "cm_evidence_file": "Importée du fichier {file}, ligne {row}.",
        "cm_response": "Réponse",
        "cm_form": "Questionnaire",
        "cm_question": "Question",
        "cm_answer": "Réponse donnée",
        "cm_status": "État de la réponse",
        "cm_all_answers": "Les autres réponses de ce répondant",
        "cm_all_answers_caption": "Questions répondues dans la réponse {response}",
        "cm_answer_withheld": (
            "La valeur vient de la réponse {response} au questionnaire {form}. Votre "
            "rôle ne permet pas de lire les réponses individuelles (comme sur les "
            "pages du questionnaire)."
        ),
        "cm_segments_of": "Code {code} dans le cas qualitatif {qual_case}",
        "cm_no_segments": (
            "Aucun segment : le code n'apparaît pas dans les documents de ce cas "
            "(ou ses codages ne vous sont pas visibles)."
        ),
        "cm_history": "Historique",
        "cm_history_caption": "Historique de la cellule, du plus récent au plus ancien",
        "cm_when": "Quand",
        "cm_who": "Qui",
        "cm_old": "Ancienne valeur",
        "cm_new": "Nouvelle valeur",
        "cm_reason": "Raison",
        "cm_no_history": "Aucun changement enregistré.",
        "cm_empty_value": "(vide)",
        "cm_edit_title": "Saisir une valeur à la main",
        "cm_edit_hint_hand": (
            "La nouvelle valeur remplace l'ancienne ; l'historique garde les deux."
        ),
        "cm_edit_hint_other": (
            "Cette valeur vient d'une autre source : une saisie à la main la "
            "remplace (l'historique garde l'ancienne) jusqu'au prochain import de "
            "cette source."
        ),
        "cm_new_value": "Nouvelle valeur",
        "cm_new_value_hint_number": "Un nombre, avec un point pour les décimales (8.5).",
        "cm_new_value_hint_text": "Un texte.",
        "cm_reason_hint": (
            "Obligatoire pour changer une valeur (2 000 caractères au plus) : elle "
            "est gardée dans l'historique."
        ),
        "cm_note_hint": "Facultatif : remplace la note de la cellule.",
        "cm_save": "Enregistrer",
        "cm_done_saved": "Valeur enregistrée ; l'historique est à jour.",
        "cm_read_only": "Votre rôle permet de lire la matrice, pas de la modifier.",
        "cm_import_report": "Rapport d'import",
        "cm_import_done": "Import de {file} dans le cadre {frame}.",
        "cm_import_refused": "Import refusé : rien n'a été écrit.",
        "cm_new_cases": "Nouveaux cas",
        "cm_new_dimensions": "Nouvelles dimensions",
        "cm_cells_written": "Valeurs lues",
        "cm_cells_changed": "Valeurs changées",
        "cm_cells_unchanged": "Valeurs inchangées",
        "cm_changes_caption": "Valeurs que l'import a changées",
        "cm_no_changes": "L'import n'a changé aucune valeur.",
        "cm_open_grid": "Ouvrir la matrice {frame}",
    },
    "en": {
        "nav_compare": "Compare",
        "cm_frames_title": "Comparison frames",
        "cm_frames_intro": (
            "A frame compares cases (cities, directorates, tools) on the same "
            "dimensions. Every value keeps its source: a survey response, coded "
            "segments or a hand entry."
        ),
        "cm_frames_caption": "Comparison frames, with their cases and dimensions",
        "cm_frame": "Frame",
        "cm_description": "Description",
        "cm_cases_n": "Cases",
        "cm_dimensions_n": "Dimensions",
        "cm_cells_n": "Values",
        "cm_no_frames": (
            "No frame yet: import a case matrix (CSV or XLSX) below, or from the "
            "command line (sociaparis cases)."
        ),
        "cm_import_title": "Import a case matrix",
        "cm_import_into": "Import into this frame",
        "cm_import_hint": (
            "A .csv or .xlsx file of at most 10 MB: the first column names the "
            "cases, every other column is a dimension. A workbook exported here "
            "imports back as it is. Imported values are hand entries; every value "
            "that changes goes into its cell's history."
        ),
        "cm_frame_name": "Frame name",
        "cm_frame_name_hint": (
            "An existing frame is completed; a new name creates a frame."
        ),
        "cm_file": "File",
        "cm_import_button": "Import",
        "cm_grid_intro": (
            "Cases in rows, dimensions in columns. Each value leads to what backs "
            "it and to its history."
        ),
        "cm_grid_caption": "Case matrix of the frame {frame}",
        "cm_case": "Case",
        "cm_dimension": "Dimension",
        "cm_empty_frame": "This frame has no case yet.",
        "cm_legend": "Sources",
        "cm_source_hand": "hand",
        "cm_source_survey": "survey",
        "cm_source_codes": "codes",
        "cm_source_long_hand": "entered by hand",
        "cm_source_long_survey": "survey response",
        "cm_source_long_codes": "coded segments",
        "cm_no_value": "no value",
        "cm_export": "Export the matrix:",
        "cm_export_hint": (
            "The CSV holds the matrix; the XLSX workbook adds each value's source "
            "and the dimensions. Texts that look like a formula are protected by "
            "an apostrophe."
        ),
        "cm_back_to_frames": "All frames",
        "cm_back_to_grid": "Back to the matrix {frame}",
        "cm_cell_title": "{case} · {dimension}",
        "cm_value": "Value",
        "cm_source": "Source",
        "cm_set_by": "Set by",
        "cm_set_on": "On",
        "cm_note": "Note",
        "cm_value_type": "Dimension type",
        "cm_type_number": "number",
        "cm_type_text": "text",
        "cm_no_value_yet": "This cell has no value yet.",
        "cm_evidence": "What backs the value",
        "cm_evidence_hand": "Value entered by hand.",
        "cm_evidence_file": "Imported from the file {file}, row {row}.",
        "cm_response": "Response",
        "cm_form": "Questionnaire",
        "cm_question": "Question",
        "cm_answer": "Answer given",
        "cm_status": "Response status",
        "cm_all_answers": "This respondent's other answers",
        "cm_all_answers_caption": "Questions answered in response {response}",
        "cm_answer_withheld": (
            "The value comes from response {response} to the questionnaire {form}. "
            "Your role may not read individual responses (as on the survey pages)."
        ),
        "cm_segments_of": "Code {code} in the qualitative case {qual_case}",
        "cm_no_segments": (
            "No segment: the code is not in this case's documents (or its codings "
            "are not visible to you)."
        ),
        "cm_history": "History",
        "cm_history_caption": "History of the cell, newest first",
        "cm_when": "When",
        "cm_who": "Who",
        "cm_old": "Old value",
        "cm_new": "New value",
        "cm_reason": "Reason",
        "cm_no_history": "No change recorded.",
        "cm_empty_value": "(empty)",
        "cm_edit_title": "Enter a value by hand",
        "cm_edit_hint_hand": (
            "The new value replaces the old one; the history keeps both."
        ),
        "cm_edit_hint_other": (
            "This value comes from another source: a hand entry replaces it (the "
            "history keeps the old one) until that source is imported again."
        ),
        "cm_new_value": "New value",
        "cm_new_value_hint_number": "A number, with a dot for decimals (8.5).",
        "cm_new_value_hint_text": "A text.",
        "cm_reason_hint": (
            "Required to change a value (at most 2,000 characters): it is kept in "
            "the history."
        ),
        "cm_note_hint": "Optional: replaces the cell's note.",
        "cm_save": "Save",
        "cm_done_saved": "Value saved; the history is up to date.",
        "cm_read_only": "Your role may read the matrix, not change it.",
        "cm_import_report": "Import report",
        "cm_import_done": "Import of {file} into the frame {frame}.",
        "cm_import_refused": "Import refused: nothing was written.",
        "cm_new_cases": "New cases",
        "cm_new_dimensions": "New dimensions",
        "cm_cells_written": "Values read",
        "cm_cells_changed": "Values changed",
        "cm_cells_unchanged": "Values unchanged",
        "cm_changes_caption": "Values the import changed",
        "cm_no_changes": "The import changed no value.",
        "cm_open_grid": "Open the matrix {frame}",
    },
}

COMPARE_ERROR_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "CASES_001": "Il n'y a pas de cadre de comparaison « {frame} ».",
        "CASES_006": (
            "« {value} » n'est pas un nombre, or la dimension « {dimension} » "
            "contient des nombres. Saisissez un nombre (avec un point pour les "
            "décimales)."
        ),
        "CASES_007": (
            "{reason}. La première colonne nomme les cas, chaque autre colonne une "
            "dimension ; les lignes qui commencent par # sont des commentaires."
        ),
        "CASES_008": (
            "Le compte « {user} » ({role}) ne peut pas {action} : demandez à un "
            "chercheur ou à un administrateur."
        ),
        "CASES_009": "Le nom ({what}) {name!r} est vide ou dépasse {limit} caractères.",
        "CASES_010": (
            "La dimension « {dimension} » contient des valeurs {existing}, mais "
            "{source} donne des valeurs {new}."
        ),
        "CASES_050": (
            "Changer « {case} » / « {dimension} » de {old} à {new} demande une "
            "raison ({limit} caractères au plus) : dites pourquoi, elle est gardée "
            "dans l'historique de la cellule."
        ),
        "CASES_051": (
            "La raison fait {length} caractères ; {limit} au plus sont gardés."
        ),
        "CASES_052": (
            "Impossible d'importer « {filename} » : choisissez un fichier .csv ou un "
            "classeur .xlsx (sa première feuille, ou la feuille « case matrix » "
            "d'un classeur exporté)."
        ),
        "CASES_053": (
            "« {filename} » fait {size} octets ; un fichier de matrice de cas en "
            "fait {limit} au plus."
        ),
        "CASES_054": "« {filename} » n'est pas un classeur lisible : {reason}.",
        "CASES_002": "Le cadre « {frame} » n'a pas de cas « {case} ». Ses cas : {known}.",
        "CASES_003": (
            "Le cadre « {frame} » n'a pas de dimension « {dimension} ». Ses dimensions : "
            "{known}."
        ),
        "CASES_004": (
            "Les réponses {first} et {second} au formulaire « {form_id} » désignent "
            "toutes deux le cas « {case} » (question « {question} »). Un cas correspond "
            "à une seule réponse : corrigez ou supprimez l'une des deux, puis importez "
            "de nouveau."
        ),
        "CASES_005": (
            "Le formulaire « {form_id} » n'a pas de question ni de colonne d'export "
            "« {question} ». Indiquez un nom de question (par exemple 'main_driver'), "
            "une colonne d'export, ou QUESTION/CHOICE pour un choix d'une question "
            "select_multiple."
        ),
        "CASES_011": "« {item} » n'est pas de la forme DIMENSION=QUESTION.",
        "CASES_012": (
            "Impossible d'écrire « {path} » : utilisez un nom de fichier en .csv ou "
            ".xlsx."
        ),
        "CASES_013": (
            "Le cadre « {frame} » n'a encore aucun cas : importez un fichier CSV, des "
            "réponses au questionnaire ou des codes."
        ),
        "CASES_014": (
            "Le cas « {case} » du cadre « {frame} » n'a pas encore de valeur pour "
            "« {dimension} »."
        ),
        "CASES_101": (
            "La réponse {response} ne répond pas à « {question} » : elle a été laissée "
            "de côté."
        ),
        "CASES_102": (
            "Le cas « {case} » n'est lié à aucun cas qualitatif (aucun ne porte ce nom "
            "non plus) : pas de valeur pour « {dimension} ». Liez-le avec `sociaparis "
            "cases link`."
        ),
        "CASES_103": (
            "La réponse {response} à l'origine de cette cellule n'est plus enregistrée."
        ),
    },
}
# English: the catalog's own messages, for the same codes
_CATALOG = {e.code: e.template for e in MatrixError}
COMPARE_ERROR_MESSAGES["en"] = {
    code: _CATALOG[code] for code in COMPARE_ERROR_MESSAGES["fr"]
}
