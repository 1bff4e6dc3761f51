"""Texts of the speaker panel of a focus group (``/qual/documents/{id}/speakers``),
merged into :data:`sociaparis.web.i18n.MESSAGES` and ``ERROR_MESSAGES``."""

from __future__ import annotations

FOCUS_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "focus_link_label": "Intervenants",
        "focus_title": "Intervenants",
        "focus_back": "Retour au codage du document",
        "focus_hint": (
            "Les intervenants sont les étiquettes des tours de parole. Les renommer, "
            "les fusionner, marquer l'animateur ou les lier à un cas ne change pas "
            "le texte : les codages restent en place."
        ),
        "focus_table": "Intervenants du document, tours de parole et mots",
        "focus_speaker": "Intervenant",
        "focus_turns": "Tours",
        "focus_words": "Mots",
        "focus_role": "Rôle",
        "focus_case": "Cas",
        "focus_moderator": "Animateur",
        "focus_participant": "Participant",
        "focus_rename": "Renommer un intervenant",
        "focus_new_name": "Nouveau nom",
        "focus_new_name_hint": (
            "1 à 200 caractères. Un nom de la table de ré-identification est "
            "remplacé par son étiquette."
        ),
        "focus_rename_button": "Renommer",
        "focus_merge": "Fusionner deux intervenants",
        "focus_merge_hint": (
            "Pour une même voix que la diarisation a séparée : les tours du premier "
            "passent au second."
        ),
        "focus_merge_from": "Intervenant à fusionner",
        "focus_merge_into": "Dans l'intervenant",
        "focus_merge_button": "Fusionner",
        "focus_moderator_title": "Animateur",
        "focus_moderator_hint": (
            "L'animateur est laissé hors des tableaux par participant, sauf demande."
        ),
        "focus_mark": "Marquer comme animateur",
        "focus_unmark": "Retirer la marque d'animateur",
        "focus_link": "Lier un intervenant à un cas",
        "focus_existing_case": "Cas existant",
        "focus_no_case": "Aucun (délier)",
        "focus_new_case": "Ou nouveau cas",
        "focus_new_case_hint": (
            "Un nom saisi ici crée le cas (type « participant ») et l'emporte sur "
            "la liste."
        ),
        "focus_link_button": "Lier",
        "focus_case_attributes": "Attributs des cas (catégorie, direction…)",
        "focus_read_only": (
            "Votre rôle permet de lire les intervenants ; les renommer, fusionner, "
            "marquer ou lier est réservé aux chercheurs et administrateurs."
        ),
        "focus_no_speakers": "Ce document n'a pas de tours de parole attribués.",
    },
    "en": {
        "focus_link_label": "Speakers",
        "focus_title": "Speakers",
        "focus_back": "Back to coding the document",
        "focus_hint": (
            "Speakers are the labels of the turns. Renaming or merging them, marking "
            "the moderator or linking them to a case leaves the text unchanged: "
            "codings stay where they are."
        ),
        "focus_table": "Speakers of the document, turns and words",
        "focus_speaker": "Speaker",
        "focus_turns": "Turns",
        "focus_words": "Words",
        "focus_role": "Role",
        "focus_case": "Case",
        "focus_moderator": "Moderator",
        "focus_participant": "Participant",
        "focus_rename": "Rename a speaker",
        "focus_new_name": "New name",
        "focus_new_name_hint": (
            "1 to 200 characters. A name of the re-identification table becomes its "
            "label."
        ),
        "focus_rename_button": "Rename",
        "focus_merge": "Merge two speakers",
        "focus_merge_hint": (
            "For one voice that diarization split: the turns of the first go to the "
            "second."
        ),
        "focus_merge_from": "Speaker to merge",
        "focus_merge_into": "Into speaker",
        "focus_merge_button": "Merge",
        "focus_moderator_title": "Moderator",
        "focus_moderator_hint": (
            "The moderator is left out of the tables by participant unless asked for."
        ),
        "focus_mark": "Mark as moderator",
        "focus_unmark": "Remove the moderator mark",
        "focus_link": "Link a speaker to a case",
        "focus_existing_case": "Existing case",
        "focus_no_case": "None (unlink)",
        "focus_new_case": "Or a new case",
        "focus_new_case_hint": (
            "A name typed here creates the case (kind “participant”) and wins over "
            "the list."
        ),
        "focus_link_button": "Link",
        "focus_case_attributes": "Attributes of the cases (category, directorate…)",
        "focus_read_only": (
            "Your role may read the speakers; renaming, merging, marking and linking "
            "them is for researchers and administrators."
        ),
        "focus_no_speakers": "This document has no speaker turns.",
    },
}

#: the refusals the panel's forms can meet, worded for a page (no command line)
FOCUS_ERROR_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "QUAL_400": (
            "Le document « {title} » n'a pas d'intervenant « {speaker} ». "
            "Ses intervenants : {known}."
        ),
        "QUAL_401": (
            "Le document « {title} » a déjà un intervenant « {name} ». Pour réunir "
            "deux intervenants, fusionnez-les."
        ),
        "QUAL_402": (
            "« {name} » ne peut pas être un nom d'intervenant : donnez 1 à 200 "
            "caractères, pas seulement des espaces."
        ),
        "QUAL_403": (
            "L'intervenant « {speaker} » ne peut pas être fusionné avec lui-même ; "
            "choisissez un autre intervenant."
        ),
        "QUAL_404": (
            "Aucun document publié avec des tours de parole{scope}. Un tableau de groupe "
            "de discussion demande une transcription avec locuteurs (importée avec "
            "--speakers, ou depuis un fichier VTT, SRT, JSON Whisper ou noScribe) dont "
            "la pseudonymisation est publiée."
        ),
    },
    "en": {
        "QUAL_400": (
            "Document '{title}' has no speaker '{speaker}'. Its speakers: {known}."
        ),
        "QUAL_401": (
            "Document '{title}' already has a speaker '{name}'. To put two speakers "
            "together, merge them."
        ),
        "QUAL_402": (
            "'{name}' cannot be a speaker name: give 1 to 200 characters, not only "
            "spaces."
        ),
        "QUAL_403": (
            "Speaker '{speaker}' cannot be merged into itself; choose another speaker."
        ),
    },
}
