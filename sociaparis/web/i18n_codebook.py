"""Texts of the codebook editor and the qualitative analysis pages (retrieval,
matrices, search, agreement), merged into :data:`sociaparis.web.i18n.MESSAGES`;
French messages of the errors these pages show, merged into
:data:`sociaparis.web.i18n.ERROR_MESSAGES`."""

from __future__ import annotations

from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.errors import QualError

CODEBOOK_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "nav_codebook": "Livre de codes",
        "nav_qual_analysis": "Analyse qualitative",
        "cb_title": "Livre de codes",
        "cb_intro": (
            "Les codes de l'étude, leur hiérarchie, leur définition et leurs "
            "critères. Fusionner, scinder ou déplacer un code emporte ses codages."
        ),
        "cb_codes": "Codes",
        "cb_codings_n": "{n} codages",
        "cb_empty": "Aucun code pour l'instant.",
        "cb_move_hint": (
            "Pour déplacer un code sous un autre, ouvrez-le (formulaire « Déplacer ») "
            "ou, à la souris, glissez-le sur son nouveau parent."
        ),
        "cb_add_title": "Ajouter un code",
        "cb_name": "Nom",
        "cb_parent": "Sous le code",
        "cb_top_level": "(niveau supérieur)",
        "cb_color": "Couleur",
        "cb_no_color": "Sans couleur",
        "cb_definition": "Définition",
        "cb_inclusion": "Critères d'inclusion",
        "cb_exclusion": "Critères d'exclusion",
        "cb_example": "Exemples",
        "cb_example_hint": "Des extraits typiques, un par ligne.",
        "cb_add_button": "Ajouter le code",
        "cb_merge_title": "Fusionner des codes",
        "cb_merge_hint": (
            "Les codages, sous-codes et mémos des codes cochés passent au code "
            "choisi, puis les codes cochés sont supprimés. Rien n'est perdu."
        ),
        "cb_merge_sources": "Codes à fusionner",
        "cb_merge_target": "Dans le code",
        "cb_merge_button": "Fusionner",
        "cb_import_title": "Importer un livre de codes",
        "cb_import_file": "Fichier .qdc, .xlsx ou .csv",
        "cb_import_hint": (
            "REFI-QDA (NVivo, ATLAS.ti, MAXQDA, QualCoder) ou un tableau. Un code "
            "déjà présent (même GUID) est mis à jour, les autres sont ajoutés."
        ),
        "cb_import_button": "Importer",
        "cb_export_title": "Exporter le livre de codes",
        "cb_export_qdc": "REFI-QDA (.qdc)",
        "cb_export_xlsx": "Classeur (.xlsx)",
        "cb_export_csv": "Tableau (.csv)",
        "cb_warnings": "Avertissements de l'import :",
        "cb_done_added": "Code ajouté.",
        "cb_done_saved": "Modifications enregistrées.",
        "cb_done_moved": "Code déplacé, avec ses sous-codes.",
        "cb_done_merged": "Codes fusionnés : leurs codages sont conservés.",
        "cb_done_split": "Nouveau code créé avec les codages choisis.",
        "cb_done_deleted": "Code supprimé.",
        "cb_done_imported": "Livre de codes importé.",
        "cb_see_segments": "Voir ses segments",
        "cb_edit_title": "Modifier",
        "cb_save_button": "Enregistrer",
        "cb_move_title": "Déplacer",
        "cb_move_under": "Placer sous",
        "cb_move_form_hint": "Le code part avec ses sous-codes et ses codages.",
        "cb_move_button": "Déplacer",
        "cb_split_title": "Scinder",
        "cb_split_codings": "Codages à passer au nouveau code",
        "cb_split_name": "Nom du nouveau code",
        "cb_split_button": "Scinder",
        "cb_split_none": "Ce code n'a aucun codage à scinder.",
        "cb_delete_title": "Supprimer",
        "cb_delete_hint": (
            "Ses sous-codes remontent d'un niveau. Un code qui a des codages se "
            "fusionne plutôt, pour les garder."
        ),
        "cb_delete_codings": "Supprimer aussi ses {n} codages",
        "cb_delete_button": "Supprimer le code",
        "qa_tabs_label": "Pages d'analyse qualitative",
        "qa_tab_matrix": "Matrices",
        "qa_tab_segments": "Segments",
        "qa_tab_search": "Recherche",
        "qa_tab_agreement": "Accord inter-codeurs",
        "qa_segments_title": "Segments codés",
        "qa_code": "Code",
        "qa_choose_code": "Choisir un code",
        "qa_subcodes": "avec ses sous-codes",
        "qa_subcodes_rows": "Compter les sous-codes dans leurs parents",
        "qa_coder": "codeur",
        "qa_coder_filter": "Codeur",
        "qa_all_coders": "Tous les codeurs",
        "qa_attribute": "Attribut",
        "qa_any_value": "Toutes les valeurs",
        "qa_show_segments": "Afficher les segments",
        "qa_segments_n": "{n} segments",
        "qa_cases": "Cas",
        "qa_with_code": "Avec le code",
        "qa_export": "Exporter :",
        "qa_no_segments": "Aucun segment ne correspond.",
        "qa_memo": "Mémo :",
        "qa_open_in_text": "Ouvrir dans le texte",
        "qa_open_document": "Ouvrir le document",
        "qa_matrix_title": "Matrices et cooccurrences",
        "qa_matrix_intro": (
            "Codes × cas, codes × valeurs d'un attribut, ou codes × codes. Chaque "
            "case mène à ses segments."
        ),
        "qa_view": "Tableau",
        "qa_view_matrix": "Codes × cas ou attribut",
        "qa_view_cooccurrence": "Cooccurrence des codes",
        "qa_columns": "Colonnes",
        "qa_by_case": "Cas",
        "qa_measure": "Nombre de",
        "qa_measure_codings": "codages",
        "qa_measure_documents": "documents",
        "qa_mode": "Cooccurrence",
        "qa_mode_overlap": "segments qui se chevauchent",
        "qa_mode_turn": "dans le même tour de parole",
        "qa_show_matrix": "Afficher",
        "qa_matrix_caption_codings": "Nombre de codages par code et colonne",
        "qa_matrix_caption_documents": "Nombre de documents par code et colonne",
        "qa_cooccurrence_caption": "Cooccurrence des codes",
        "qa_cooccurrence_hint_overlap": (
            "Une case compte les paires de codages des deux codes qui se "
            "chevauchent ; elle mène aux segments du code de la ligne concernés."
        ),
        "qa_cooccurrence_hint_turn": (
            "Une case compte les tours de parole où les deux codes sont appliqués ; "
            "elle mène aux segments du code de la ligne dans ces tours."
        ),
        "qa_cell_hint": "Un document de plusieurs cas compte dans chacun.",
        "qa_search_title": "Recherche plein texte",
        "qa_query": "Mots recherchés",
        "qa_query_hint": (
            "Des mots (tous doivent figurer dans le document), des « expressions "
            "entre guillemets », des préfixes* ; accents et majuscules ignorés."
        ),
        "qa_limit": "Nombre de passages au plus",
        "qa_search_button": "Rechercher",
        "qa_hits_n": "{n} passages dans {documents} documents",
        "qa_hits_review": "Cochez les passages à coder",
        "qa_hits_code": "Code à appliquer aux passages cochés",
        "qa_hits_apply": "Coder ces passages",
        "qa_coded_n": "{n} codages enregistrés.",
        "qa_agreement_title": "Accord inter-codeurs",
        "qa_blind_title": "Mode aveugle",
        "qa_blind_off": "Mode aveugle désactivé : chacun voit tous les codages.",
        "qa_blind_hiding": (
            "Mode aveugle activé : chaque codeur ne voit que ses propres codages "
            "jusqu'à leur révélation."
        ),
        "qa_blind_revealed": "Mode aveugle activé, codages révélés à tous.",
        "qa_blind_changed": "(modifié par {user}, {at} UTC)",
        "qa_blind_on": "Activer le mode aveugle",
        "qa_blind_reveal": "Révéler les codages",
        "qa_blind_off_button": "Désactiver le mode aveugle",
        "qa_agreement_coders": "Codeurs comparés (au moins deux)",
        "qa_no_coders": "Personne n'a encore codé.",
        "qa_agreement_documents": "Documents",
        "qa_agreement_documents_hint": "Aucun coché : tous les documents publiés.",
        "qa_agreement_codes": "Codes",
        "qa_agreement_codes_hint": "Aucun coché : les codes appliqués par ces codeurs.",
        "qa_unit": "Unité de comparaison",
        "qa_unit_turns": "tours de parole",
        "qa_unit_paragraphs": "paragraphes",
        "qa_unit_segments": "segments de 500 caractères",
        "qa_min_overlap": "Chevauchement minimal (caractères)",
        "qa_agreement_button": "Calculer l'accord",
        "qa_report_title": "Rapport d'accord",
        "qa_report_summary": (
            "Codeurs : {coders} ; {units} unités dans {documents} documents."
        ),
        "qa_coefficients": "Coefficients d'accord par code",
        "qa_overall": "Ensemble",
        "qa_measure_percent_agreement": "Accord observé",
        "qa_measure_cohen_kappa": "Kappa de Cohen",
        "qa_measure_fleiss_kappa": "Kappa de Fleiss",
        "qa_measure_gwet_ac1": "AC1 de Gwet",
        "qa_measure_krippendorff_alpha": "Alpha de Krippendorff",
        "qa_undefined": "non défini",
        "qa_undefined_hint": (
            "« – » : coefficient non défini (code appliqué partout ou nulle part, "
            "rien à corriger du hasard)."
        ),
        "qa_disagreements_n": "{n} désaccords",
        "qa_disagreements_more": "Les {shown} premiers sont affichés.",
        "qa_applied_by": "Appliqué par",
        "qa_not_applied_by": "non appliqué par",
        "qa_nothing_here": "Aucun codage sur cette unité.",
        "qa_unit_text": "Texte de l'unité",
    },
    "en": {
        "nav_codebook": "Codebook",
        "nav_qual_analysis": "Qualitative analysis",
        "cb_title": "Codebook",
        "cb_intro": (
            "The study's codes, their hierarchy, definitions and criteria. Merging, "
            "splitting or moving a code takes its codings along."
        ),
        "cb_codes": "Codes",
        "cb_codings_n": "{n} codings",
        "cb_empty": "No codes yet.",
        "cb_move_hint": (
            "To move a code under another, open it (the 'Move' form) or, with a "
            "mouse, drag it onto its new parent."
        ),
        "cb_add_title": "Add a code",
        "cb_name": "Name",
        "cb_parent": "Under the code",
        "cb_top_level": "(top level)",
        "cb_color": "Colour",
        "cb_no_color": "No colour",
        "cb_definition": "Definition",
        "cb_inclusion": "Inclusion criteria",
        "cb_exclusion": "Exclusion criteria",
        "cb_example": "Examples",
        "cb_example_hint": "Typical excerpts, one per line.",
        "cb_add_button": "Add the code",
        "cb_merge_title": "Merge codes",
        "cb_merge_hint": (
            "The codings, sub-codes and memos of the ticked codes go to the chosen "
            "code, then the ticked codes are removed. Nothing is lost."
        ),
        "cb_merge_sources": "Codes to merge",
        "cb_merge_target": "Into the code",
        "cb_merge_button": "Merge",
        "cb_import_title": "Import a codebook",
        "cb_import_file": ".qdc, .xlsx or .csv file",
        "cb_import_hint": (
            "REFI-QDA (NVivo, ATLAS.ti, MAXQDA, QualCoder) or a table. A code "
            "already here (same GUID) is updated, the others are added."
        ),
        "cb_import_button": "Import",
        "cb_export_title": "Export the codebook",
        "cb_export_qdc": "REFI-QDA (.qdc)",
        "cb_export_xlsx": "Workbook (.xlsx)",
        "cb_export_csv": "Table (.csv)",
        "cb_warnings": "Warnings of the import:",
        "cb_done_added": "Code added.",
        "cb_done_saved": "Changes saved.",
        "cb_done_moved": "Code moved, with its sub-codes.",
        "cb_done_merged": "Codes merged: their codings are kept.",
        "cb_done_split": "New code created with the chosen codings.",
        "cb_done_deleted": "Code deleted.",
        "cb_done_imported": "Codebook imported.",
        "cb_see_segments": "See its segments",
        "cb_edit_title": "Edit",
        "cb_save_button": "Save",
        "cb_move_title": "Move",
        "cb_move_under": "Put under",
        "cb_move_form_hint": "The code goes with its sub-codes and codings.",
        "cb_move_button": "Move",
        "cb_split_title": "Split",
        "cb_split_codings": "Codings to move to the new code",
        "cb_split_name": "Name of the new code",
        "cb_split_button": "Split",
        "cb_split_none": "This code has no coding to split.",
        "cb_delete_title": "Delete",
        "cb_delete_hint": (
            "Its sub-codes move up one level. A code with codings is better merged, "
            "to keep them."
        ),
        "cb_delete_codings": "Also delete its {n} codings",
        "cb_delete_button": "Delete the code",
        "qa_tabs_label": "Qualitative analysis pages",
        "qa_tab_matrix": "Matrices",
        "qa_tab_segments": "Segments",
        "qa_tab_search": "Search",
        "qa_tab_agreement": "Inter-coder agreement",
        "qa_segments_title": "Coded segments",
        "qa_code": "Code",
        "qa_choose_code": "Choose a code",
        "qa_subcodes": "with its sub-codes",
        "qa_subcodes_rows": "Count sub-codes in their parents",
        "qa_coder": "coder",
        "qa_coder_filter": "Coder",
        "qa_all_coders": "All coders",
        "qa_attribute": "Attribute",
        "qa_any_value": "Any value",
        "qa_show_segments": "Show the segments",
        "qa_segments_n": "{n} segments",
        "qa_cases": "Cases",
        "qa_with_code": "With the code",
        "qa_export": "Export:",
        "qa_no_segments": "No segment matches.",
        "qa_memo": "Memo:",
        "qa_open_in_text": "Open in the text",
        "qa_open_document": "Open the document",
        "qa_matrix_title": "Matrices and co-occurrence",
        "qa_matrix_intro": (
            "Codes × cases, codes × values of an attribute, or codes × codes. Each "
            "cell leads to its segments."
        ),
        "qa_view": "Table",
        "qa_view_matrix": "Codes × cases or attribute",
        "qa_view_cooccurrence": "Code co-occurrence",
        "qa_columns": "Columns",
        "qa_by_case": "Cases",
        "qa_measure": "Number of",
        "qa_measure_codings": "codings",
        "qa_measure_documents": "documents",
        "qa_mode": "Co-occurrence",
        "qa_mode_overlap": "overlapping segments",
        "qa_mode_turn": "in the same speaker turn",
        "qa_show_matrix": "Show",
        "qa_matrix_caption_codings": "Number of codings per code and column",
        "qa_matrix_caption_documents": "Number of documents per code and column",
        "qa_cooccurrence_caption": "Code co-occurrence",
        "qa_cooccurrence_hint_overlap": (
            "A cell counts the pairs of codings of both codes that overlap; it "
            "leads to the row code's segments concerned."
        ),
        "qa_cooccurrence_hint_turn": (
            "A cell counts the speaker turns where both codes are applied; it leads "
            "to the row code's segments in those turns."
        ),
        "qa_cell_hint": "A document in several cases counts in each.",
        "qa_search_title": "Full-text search",
        "qa_query": "Words to find",
        "qa_query_hint": (
            'Words (a document must hold all of them), "quoted phrases", '
            "prefixes*; accents and case are ignored."
        ),
        "qa_limit": "Most places shown",
        "qa_search_button": "Search",
        "qa_hits_n": "{n} places in {documents} documents",
        "qa_hits_review": "Tick the places to code",
        "qa_hits_code": "Code to apply to the ticked places",
        "qa_hits_apply": "Code these places",
        "qa_coded_n": "{n} codings stored.",
        "qa_agreement_title": "Inter-coder agreement",
        "qa_blind_title": "Blind mode",
        "qa_blind_off": "Blind mode off: everyone sees every coding.",
        "qa_blind_hiding": (
            "Blind mode on: each coder sees only their own codings until they are "
            "revealed."
        ),
        "qa_blind_revealed": "Blind mode on, codings revealed to everyone.",
        "qa_blind_changed": "(changed by {user}, {at} UTC)",
        "qa_blind_on": "Turn blind mode on",
        "qa_blind_reveal": "Reveal the codings",
        "qa_blind_off_button": "Turn blind mode off",
        "qa_agreement_coders": "Coders compared (two or more)",
        "qa_no_coders": "Nobody has coded yet.",
        "qa_agreement_documents": "Documents",
        "qa_agreement_documents_hint": "None ticked: every released document.",
        "qa_agreement_codes": "Codes",
        "qa_agreement_codes_hint": "None ticked: the codes these coders applied.",
        "qa_unit": "Unit of comparison",
        "qa_unit_turns": "speaker turns",
        "qa_unit_paragraphs": "paragraphs",
        "qa_unit_segments": "segments of 500 characters",
        "qa_min_overlap": "Smallest overlap (characters)",
        "qa_agreement_button": "Compute the agreement",
        "qa_report_title": "Agreement report",
        "qa_report_summary": "Coders: {coders}; {units} units in {documents} documents.",
        "qa_coefficients": "Agreement coefficients per code",
        "qa_overall": "Overall",
        "qa_measure_percent_agreement": "Observed agreement",
        "qa_measure_cohen_kappa": "Cohen's kappa",
        "qa_measure_fleiss_kappa": "Fleiss' kappa",
        "qa_measure_gwet_ac1": "Gwet's AC1",
        "qa_measure_krippendorff_alpha": "Krippendorff's alpha",
        "qa_undefined": "undefined",
        "qa_undefined_hint": (
            "'–': the coefficient is undefined (a code applied everywhere or "
            "nowhere leaves no chance to correct for)."
        ),
        "qa_disagreements_n": "{n} disagreements",
        "qa_disagreements_more": "The first {shown} are shown.",
        "qa_applied_by": "Applied by",
        "qa_not_applied_by": "not applied by",
        "qa_nothing_here": "No coding on this unit.",
        "qa_unit_text": "Text of the unit",
    },
}

CODEBOOK_ERROR_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "QUAL_101": (
            "Le code {code_id} ne peut pas être fusionné avec lui-même : retirez-le "
            "des codes à fusionner."
        ),
        "QUAL_102": (
            "Le code {code_id} ne peut pas aller sous {parent} : la hiérarchie "
            "deviendrait circulaire. Choisissez un parent qui n'est ni le code ni "
            "l'un de ses sous-codes."
        ),
        "QUAL_143": "La couleur « {value} » n'est pas de la forme #RRGGBB.",
        "QUAL_144": "Le code n'a pas de nom.",
        "QUAL_145": (
            "{path} : format de livre de codes inconnu « {suffix} » ; utilisez "
            ".qdc, .xlsx ou .csv."
        ),
        "QUAL_200": (
            "Le compte « {user} » a le rôle « {role} », qui ne permet pas cette "
            "action ({action}). Demandez à un administrateur."
        ),
        "QUAL_204": "Aucun code « {ref} » dans le livre de codes.",
        "QUAL_208": (
            "Un code nommé « {name} » existe déjà à cet endroit ({where}). "
            "Choisissez un autre nom."
        ),
        "QUAL_213": "Aucun codeur ni utilisateur « {ref} ».",
        "QUAL_215": (
            "Le code « {name} » a {count} codage(s). Fusionnez-le dans un autre "
            "code pour les garder, ou supprimez-le avec ses codages."
        ),
        "QUAL_340": (
            "{user} ne peut pas voir les codages des autres codeurs : le projet est "
            "en mode aveugle jusqu'à ce qu'un chercheur les révèle."
        ),
        "QUAL_341": (
            "« {value} » n'est pas un passage trouvé (DOCUMENT:DÉBUT:FIN, en caractères)."
        ),
        "QUAL_342": "Aucun passage coché : cochez les passages à coder, puis appliquez.",
        "QUAL_343": "Format d'export inconnu « {value} » ; choisissez : {choices}.",
        "QUAL_344": (
            "L'accord se mesure entre au moins deux codeurs ; {count} choisi(s) "
            "({coders}). Cochez deux codeurs ou plus qui ont codé les mêmes "
            "documents."
        ),
        "QUAL_345": (
            "Rien à comparer : aucun document publié, ou aucun code, n'a été choisi "
            "ou codé."
        ),
        "QUAL_346": "Cochez au moins un code à fusionner dans « {target} ».",
        "QUAL_140": (
            "Le livre de codes n'a pas de colonne « {column} ». En-têtes acceptés : "
            "{accepted}."
        ),
        "QUAL_141": (
            "Le chemin parent « {parent} » ne désigne aucun code défini sur une ligne "
            "précédente. Définissez les parents avant leurs sous-codes, et écrivez le "
            "chemin sous la forme 'A > B'."
        ),
        "QUAL_142": "Le code « {path} » figure deux fois dans le livre de codes.",
        "QUAL_147": (
            "Le guid « {value} » n'est pas un GUID (de la forme "
            "0A1B2C3D-0000-4000-8000-000000000001) ; laissez la case vide et un GUID "
            "sera calculé à partir du chemin du code."
        ),
        "QUAL_148": (
            "{path} : le livre de codes contient {count} codes, plus que les {limit} "
            "qu'un livre de codes peut avoir dans sociaparis. Vérifiez qu'il s'agit bien "
            "du fichier du livre de codes ; un vrai livre de codes en compte des "
            "centaines, rarement des milliers."
        ),
        "QUAL_146": (
            "La colonne « {column} » n'est pas une colonne du livre de codes : elle a "
            "été ignorée."
        ),
    },
}
# English: the catalog's own messages, for the same codes
_CATALOG = {e.code: e.template for catalog in (QualError, CorpusError) for e in catalog}
CODEBOOK_ERROR_MESSAGES["en"] = {
    code: _CATALOG[code] for code in CODEBOOK_ERROR_MESSAGES["fr"]
}
