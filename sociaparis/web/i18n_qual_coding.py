"""Texts of the coding view (document list, coding page, its script's messages),
merged into :data:`sociaparis.web.i18n.MESSAGES`.

Keys starting with ``qual_js_`` are handed to ``static/coding.js`` in the page's
data island.
"""

from __future__ import annotations

QUAL_CODING_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "nav_qual": "Entretiens",
        "qual_documents_title": "Entretiens",
        "qual_documents_intro": (
            "Les documents publiés (pseudonymisation relue) s'ouvrent dans la vue "
            "de codage ; les autres attendent leur relecture."
        ),
        "qual_document": "Document",
        "qual_cases": "Cas",
        "qual_case": "Cas",
        "qual_status": "État",
        "qual_turns": "Tours de parole",
        "qual_status_released": "publié, à coder",
        "qual_status_imported": "importé, à pseudonymiser",
        "qual_status_under_review": "pseudonymisation en relecture",
        "qual_no_documents": "Aucun document importé.",
        "qual_not_codable": "Ce document ne peut pas encore être codé",
        "qual_blocks": "tours ou paragraphes",
        "qual_codings": "codages",
        "qual_toolbar": "Codage",
        "qual_code_selection": "Coder la sélection (C)",
        "qual_undo": "Annuler ma dernière action (U)",
        "qual_read_only": (
            "Votre rôle permet de lire les codages, pas d'en ajouter ni d'en modifier."
        ),
        "qual_keys_title": "Raccourcis clavier",
        "qual_keys_intro": (
            "Placez le focus dans le texte (touche Tab), puis utilisez ces touches ; "
            "la souris n'est pas nécessaire."
        ),
        "qual_key_turn": "sélectionner le tour de parole suivant / précédent",
        "qual_key_sentence": "sélectionner la phrase suivante / précédente",
        "qual_key_extend": "étendre la sélection d'un tour ou d'une phrase",
        "qual_key_picker": (
            "ouvrir le choix des codes ; taper pour chercher, Espace pour cocher, "
            "Entrée pour appliquer"
        ),
        "qual_key_undo": "annuler votre dernière action sur ce document",
        "qual_key_escape": "effacer la sélection, fermer une fenêtre",
        "qual_key_stripes": (
            "aller aux bandes de codage ; ↑ ↓ pour passer de l'une à l'autre, "
            "Entrée pour l'ouvrir, T pour revenir au texte"
        ),
        "qual_stripes": "Bandes de codage",
        "qual_text": "Texte du document",
        "qual_picker_title": "Coder la sélection",
        "qual_picker_search": "Chercher un code",
        "qual_picker_hint": (
            "Entrée applique les codes cochés, ou le premier code affiché si aucun "
            "n'est coché. Les codes récents sont en tête."
        ),
        "qual_picker_codes": "Codes",
        "qual_memo_optional": "Mémo (facultatif)",
        "qual_apply": "Appliquer",
        "qual_cancel": "Annuler",
        "qual_coder": "Codé par",
        "qual_when": "Le",
        "qual_span": "Position (caractères)",
        "qual_excerpt": "Extrait",
        "qual_memo": "Mémo",
        "qual_code": "Code",
        "qual_start": "Début",
        "qual_end": "Fin (exclue)",
        "qual_use_selection": "Prendre la sélection comme limites",
        "qual_save": "Enregistrer",
        "qual_remove": "Supprimer le codage",
        "qual_close": "Fermer",
        "qual_memos": "Mémos",
        "qual_no_memos": "Aucun mémo sur ce document.",
        "qual_memo_on": "Mémo sur",
        "qual_this_document": "ce document",
        "qual_add_memo": "Ajouter le mémo",
        "qual_js_recent": "Récents",
        "qual_js_all": "Tous les codes",
        "qual_js_no_selection": (
            "Sélectionnez d'abord un passage (à la souris, ou ↓ → avec Maj)."
        ),
        "qual_js_no_code": "Cochez au moins un code.",
        "qual_js_applied": "Codé : {codes}.",
        "qual_js_saved": "Codage modifié.",
        "qual_js_removed": "Codage supprimé.",
        "qual_js_undone": "Action annulée ({kind}).",
        "qual_js_selected": "Sélection : {start}–{end}, « {excerpt} »",
        "qual_js_stripe": "{code}, caractères {start} à {end}, par {coder}",
        "qual_js_none": "aucun",
        "qual_js_failed": "Échec : {message}",
    },
    "en": {
        "nav_qual": "Interviews",
        "qual_documents_title": "Interviews",
        "qual_documents_intro": (
            "Released documents (pseudonymization reviewed) open in the coding view; "
            "the others wait for their review."
        ),
        "qual_document": "Document",
        "qual_cases": "Cases",
        "qual_case": "Case",
        "qual_status": "Status",
        "qual_turns": "Speaker turns",
        "qual_status_released": "released, ready to code",
        "qual_status_imported": "imported, to pseudonymize",
        "qual_status_under_review": "pseudonymization under review",
        "qual_no_documents": "No document imported.",
        "qual_not_codable": "This document cannot be coded yet",
        "qual_blocks": "turns or paragraphs",
        "qual_codings": "codings",
        "qual_toolbar": "Coding",
        "qual_code_selection": "Code the selection (C)",
        "qual_undo": "Undo my last action (U)",
        "qual_read_only": "Your role may read codings, not add or change them.",
        "qual_keys_title": "Keyboard shortcuts",
        "qual_keys_intro": (
            "Move the focus into the text (Tab key), then use these keys; no mouse "
            "is needed."
        ),
        "qual_key_turn": "select the next / previous speaker turn",
        "qual_key_sentence": "select the next / previous sentence",
        "qual_key_extend": "extend the selection by a turn or a sentence",
        "qual_key_picker": (
            "open the code picker; type to search, Space to tick, Enter to apply"
        ),
        "qual_key_undo": "undo your last action on this document",
        "qual_key_escape": "clear the selection, close a dialog",
        "qual_key_stripes": (
            "go to the coding stripes; ↑ ↓ to move between them, Enter to open one, "
            "T to go back to the text"
        ),
        "qual_stripes": "Coding stripes",
        "qual_text": "Document text",
        "qual_picker_title": "Code the selection",
        "qual_picker_search": "Search a code",
        "qual_picker_hint": (
            "Enter applies the ticked codes, or the first code shown if none is "
            "ticked. Recent codes come first."
        ),
        "qual_picker_codes": "Codes",
        "qual_memo_optional": "Memo (optional)",
        "qual_apply": "Apply",
        "qual_cancel": "Cancel",
        "qual_coder": "Coded by",
        "qual_when": "On",
        "qual_span": "Position (characters)",
        "qual_excerpt": "Excerpt",
        "qual_memo": "Memo",
        "qual_code": "Code",
        "qual_start": "Start",
        "qual_end": "End (excluded)",
        "qual_use_selection": "Use the selection as bounds",
        "qual_save": "Save",
        "qual_remove": "Remove the coding",
        "qual_close": "Close",
        "qual_memos": "Memos",
        "qual_no_memos": "No memo on this document.",
        "qual_memo_on": "Memo on",
        "qual_this_document": "this document",
        "qual_add_memo": "Add the memo",
        "qual_js_recent": "Recent",
        "qual_js_all": "All codes",
        "qual_js_no_selection": (
            "Select a passage first (with the mouse, or ↓ → with Shift)."
        ),
        "qual_js_no_code": "Tick at least one code.",
        "qual_js_applied": "Coded: {codes}.",
        "qual_js_saved": "Coding changed.",
        "qual_js_removed": "Coding removed.",
        "qual_js_undone": "Action undone ({kind}).",
        "qual_js_selected": "Selection: {start}–{end}, “{excerpt}”",
        "qual_js_stripe": "{code}, characters {start} to {end}, by {coder}",
        "qual_js_none": "none",
        "qual_js_failed": "Failed: {message}",
    },
}
