"""Interface texts in French (default) and English."""

from __future__ import annotations

from sociaparis.accounts.service import LOCAL_ADMIN
from sociaparis.core.errors import (
    ErrorRecord,
    Issue,
    Issues,
    Location,
    SociaparisError,
    in_language,
)
from sociaparis.web.i18n_accounts import ACCOUNTS_ERROR_MESSAGES, ACCOUNTS_MESSAGES
from sociaparis.web.i18n_assist import ASSIST_MESSAGES
from sociaparis.web.i18n_assist_eval import (
    ASSIST_EVAL_ERROR_MESSAGES,
    ASSIST_EVAL_MESSAGES,
)
from sociaparis.web.i18n_codebook import CODEBOOK_ERROR_MESSAGES, CODEBOOK_MESSAGES
from sociaparis.web.i18n_compare import COMPARE_ERROR_MESSAGES, COMPARE_MESSAGES
from sociaparis.web.i18n_corpus import CORPUS_MESSAGES
from sociaparis.web.i18n_errors import CATALOGUE_ERROR_MESSAGES, CATALOGUE_TEMPLATES
from sociaparis.web.i18n_explorer import EXPLORER_ERROR_MESSAGES, EXPLORER_MESSAGES
from sociaparis.web.i18n_fieldops import FIELDOPS_MESSAGES
from sociaparis.web.i18n_focus import FOCUS_ERROR_MESSAGES, FOCUS_MESSAGES
from sociaparis.web.i18n_jobs import JOBS_ERROR_MESSAGES, JOBS_MESSAGES
from sociaparis.web.i18n_qca import QCA_ERROR_MESSAGES, QCA_MESSAGES
from sociaparis.web.i18n_qual_coding import QUAL_CODING_MESSAGES
from sociaparis.web.i18n_register import REGISTER_ERROR_MESSAGES, REGISTER_MESSAGES
from sociaparis.web.i18n_reports_pages import (
    REPORTS_PAGES_ERROR_MESSAGES,
    REPORTS_PAGES_MESSAGES,
)

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "app_name": "sociaparis",
        "command_line_person": "(ligne de commande)",
        "skip_to_content": "Aller au contenu",
        "switch_language": "English",
        "switch_language_label": "Read this page in English",
        "login_title": "Connexion des chercheuses et chercheurs",
        "username": "Identifiant",
        "password": "Mot de passe",
        "log_in": "Se connecter",
        "log_out": "Se déconnecter",
        "login_failed": "Identifiant ou mot de passe incorrect.",
        "too_many_attempts": "Trop de tentatives. Réessayez dans une minute.",
        "csrf_failed": (
            "Le formulaire a expiré ou n'a pas été envoyé depuis cette page. "
            "Rechargez la page et recommencez."
        ),
        "home_title": "Études et questionnaires",
        "workbench_nav_label": "Sections de l'atelier",
        "nav_home": "Accueil",
        "nav_forms": "Questionnaires",
        "not_found": "Page introuvable.",
        "error_title": "Erreur",
        "busy_retry": (
            "Le serveur est très occupé et n'a pas pu enregistrer cette page. "
            "Vos réponses sont conservées ci-dessous : réessayez dans quelques "
            "secondes."
        ),
        "busy_title": "Serveur occupé",
        "busy": "Le serveur est très occupé. Réessayez dans quelques secondes.",
        "unexpected_error": (
            "Une erreur inattendue s'est produite. Réessayez plus tard ; si "
            "l'erreur persiste, contactez l'équipe de l'étude en indiquant cette "
            "référence :"
        ),
        "forbidden": "Vous n'avez pas accès à cette page.",
        "next": "Suivant",
        "previous": "Précédent",
        "finish": "Envoyer mes réponses",
        "ready_to_send": (
            "Vous êtes arrivé·e à la fin du questionnaire. Vos réponses ne sont "
            "enregistrées qu'une fois envoyées : cliquez sur « Envoyer mes "
            "réponses »."
        ),
        "add_instance": "Ajouter un autre",
        "remove_instance": "Retirer",
        "instance_n": "n° {n}",
        "progress": "Page {position} sur {total}",
        "resume_title": "Votre lien personnel",
        "resume_text": (
            "Pour reprendre plus tard là où vous en êtes, gardez ce lien : il est "
            "personnel, ne le partagez pas."
        ),
        "error_summary_title": "Votre réponse doit être corrigée",
        "required_marker": "(obligatoire)",
        "too_long": "Cette réponse est trop longue (10 000 caractères au plus).",
        "live_one_appeared": "Nouvelle question : {labels}",
        "live_many_appeared": "{n} nouvelles questions : {labels}",
        "choose": "Choisissez…",
        "file_current": "Fichier déjà envoyé : {name}",
        "file_replace": "Pour le remplacer, choisissez un autre fichier.",
        "file_remove": "Retirer ce fichier",
        "file_limit": "Taille maximale d'un fichier : {size}.",
        "latitude": "Latitude (degrés décimaux, de -90 à 90)",
        "longitude": "Longitude (degrés décimaux, de -180 à 180)",
        "altitude": "Altitude en mètres (facultatif)",
        "accuracy": "Précision en mètres (facultatif)",
        "rank_position": "Rang {position}",
        "geotrace_format": (
            "Un point par ligne : latitude et longitude en degrés décimaux, "
            "séparées par une espace (par exemple 48.8566 2.3522)."
        ),
        "acknowledge": "OK",
        "notice_title": "Information et consentement",
        "notice_illustrative": (
            "Certaines informations de cette notice sont fictives (étude de "
            "démonstration)."
        ),
        "consent_button": "J'ai lu ces informations et j'accepte de répondre",
        "start_button": "Commencer",
        "done_title": "Merci !",
        "done_text": "Vos réponses ont bien été enregistrées.",
        "controller": "Responsable du traitement",
        "purpose": "Finalité",
        "legal_basis": "Base légale",
        "recipients": "Destinataires",
        "retention": "Durée de conservation",
        "rights": "Vos droits",
        "contact": "Contact",
        "data": "Données enregistrées",
        "consent": "Consentement",
        "fielding_title": "Suivi de la collecte",
        "invitations": "Invitations",
        "started": "Commencées",
        "completed": "Terminées",
        "response_rate": "Taux de réponse",
        "total": "Total",
        "anonymous_survey": "Questionnaire anonyme",
        "synthetic_note": "Réponses synthétiques (démonstration)",
        "synthetic_count": "{n} des {started} réponses commencées",
        "small_cells_note": "Les effectifs inférieurs à {n} sont masqués (« < {n} »).",
        "open_link": "Lien public",
        "no_fielding": "Aucun questionnaire n'est en cours de collecte.",
        "exports_title": "Télécharger les réponses",
        "exports_hint": (
            "Chaque archive contient les données, le dictionnaire des variables et "
            "datapackage.json. Les réponses individuelles sont des données personnelles."
        ),
        "export_csv": "CSV (tableur, R)",
        "export_xlsx": "Excel (XLSX)",
        "export_sav": "SPSS (.sav, avec étiquettes)",
        "export_dta": "Stata (.dta, avec étiquettes)",
        "export_parquet": "Parquet (Python, R, DuckDB)",
        # -- fielding monitoring (/fielding/FORM_ID)
        "pages_title": "Page après page : où les répondants s'arrêtent",
        "funnel_title": "Réponses arrivées à chaque page",
        "funnel_desc": (
            "Diagramme en barres horizontales, une barre par page, de la première "
            "à la dernière. Les valeurs sont dans le tableau qui suit ; une page "
            "sans barre a un effectif masqué."
        ),
        "page_column": "Page",
        "reached": "Arrivées à cette page ou au-delà",
        "stopped_here": "Arrêtées ici (non terminées)",
        "median_time": "Temps médian",
        "seconds": "{n} s",
        "hidden": "masqué",
        "pages_note": (
            "Une réponse terminée compte pour toutes les pages. Un effectif est "
            "masqué quand il permettrait de déduire un groupe de moins de {n} "
            "réponses par différence avec ses voisins ; un temps médian l'est "
            "quand moins de {n} passages le fondent (leur nombre n'est pas "
            "donné). Le temps d'une page va de son dernier affichage à son "
            "envoi vers la page suivante, en secondes entières, une heure au plus."
        ),
        "days_title": "Réponses terminées jour après jour",
        "days_rate_title": "Taux de réponse cumulé par {attribute}",
        "days_count_title": "Réponses terminées cumulées par {attribute}",
        "days_all": "ensemble",
        "days_desc": (
            "Graphique en courbes, une courbe par groupe et une pour le total, "
            "du {first} au {last}. Les valeurs sont dans le tableau qui suit ; "
            "une courbe s'interrompt là où une valeur est masquée."
        ),
        "day_column": "Jour",
        "days_note": (
            "Nombre de réponses terminées jusqu'à ce jour inclus (et taux de "
            "réponse : terminées ÷ invitations). Une valeur est masquée quand elle "
            "permettrait de déduire moins de {n} réponses par différence ; le "
            "total d'un jour n'est donné que si chaque groupe l'est."
        ),
        "download_csv": "Télécharger ce tableau (CSV)",
        "no_days": "Aucune réponse terminée pour l'instant.",
    },
    "en": {
        "app_name": "sociaparis",
        "command_line_person": "(command line)",
        "skip_to_content": "Skip to content",
        "switch_language": "Français",
        "switch_language_label": "Lire cette page en français",
        "login_title": "Researcher login",
        "username": "User name",
        "password": "Password",
        "log_in": "Log in",
        "log_out": "Log out",
        "login_failed": "Wrong user name or password.",
        "too_many_attempts": "Too many attempts. Try again in a minute.",
        "csrf_failed": (
            "The form has expired or was not sent from this page. "
            "Reload the page and try again."
        ),
        "home_title": "Studies and questionnaires",
        "workbench_nav_label": "Workbench sections",
        "nav_home": "Home",
        "nav_forms": "Questionnaires",
        "not_found": "Page not found.",
        "error_title": "Error",
        "busy_retry": (
            "The server is very busy and could not save this page. Your answers "
            "are kept below: try again in a few seconds."
        ),
        "busy_title": "Server busy",
        "busy": "The server is very busy. Try again in a few seconds.",
        "unexpected_error": (
            "An unexpected error occurred. Try again later; if the error persists, "
            "contact the study team and give them this reference:"
        ),
        "forbidden": "You do not have access to this page.",
        "next": "Next",
        "previous": "Back",
        "finish": "Send my answers",
        "ready_to_send": (
            "You have reached the end of the questionnaire. Your answers are only "
            "recorded once sent: select “Send my answers”."
        ),
        "add_instance": "Add another",
        "remove_instance": "Remove",
        "instance_n": "no. {n}",
        "progress": "Page {position} of {total}",
        "resume_title": "Your personal link",
        "resume_text": (
            "To come back later where you left off, keep this link: it is personal, "
            "do not share it."
        ),
        "error_summary_title": "Your answer needs correcting",
        "required_marker": "(required)",
        "too_long": "This answer is too long (10,000 characters at most).",
        "live_one_appeared": "New question: {labels}",
        "live_many_appeared": "{n} new questions: {labels}",
        "choose": "Choose…",
        "file_current": "File already sent: {name}",
        "file_replace": "To replace it, choose another file.",
        "file_remove": "Remove this file",
        "file_limit": "Largest file accepted: {size}.",
        "latitude": "Latitude (decimal degrees, -90 to 90)",
        "longitude": "Longitude (decimal degrees, -180 to 180)",
        "altitude": "Altitude in metres (optional)",
        "accuracy": "Accuracy in metres (optional)",
        "rank_position": "Rank {position}",
        "geotrace_format": (
            "One point per line: latitude and longitude in decimal degrees, "
            "separated by a space (for example 48.8566 2.3522)."
        ),
        "acknowledge": "OK",
        "notice_title": "Information and consent",
        "notice_illustrative": (
            "Some of the information in this notice is invented (demonstration study)."
        ),
        "consent_button": "I have read this information and agree to take part",
        "start_button": "Start",
        "done_title": "Thank you!",
        "done_text": "Your answers have been recorded.",
        "controller": "Data controller",
        "purpose": "Purpose",
        "legal_basis": "Legal basis",
        "recipients": "Recipients",
        "retention": "Retention period",
        "rights": "Your rights",
        "contact": "Contact",
        "data": "Data recorded",
        "consent": "Consent",
        "fielding_title": "Fielding progress",
        "invitations": "Invitations",
        "started": "Started",
        "completed": "Completed",
        "response_rate": "Response rate",
        "total": "Total",
        "anonymous_survey": "Anonymous questionnaire",
        "synthetic_note": "Synthetic responses (demonstration)",
        "synthetic_count": "{n} of the {started} responses started",
        "small_cells_note": "Counts below {n} are hidden (“< {n}”).",
        "open_link": "Public link",
        "no_fielding": "No questionnaire is being fielded.",
        "exports_title": "Download the responses",
        "exports_hint": (
            "Each archive holds the data, the data dictionary and datapackage.json. "
            "Individual responses are personal data."
        ),
        "export_csv": "CSV (spreadsheet, R)",
        "export_xlsx": "Excel (XLSX)",
        "export_sav": "SPSS (.sav, labelled)",
        "export_dta": "Stata (.dta, labelled)",
        "export_parquet": "Parquet (Python, R, DuckDB)",
        # -- fielding monitoring (/fielding/FORM_ID)
        "pages_title": "Page by page: where respondents stop",
        "funnel_title": "Responses that reached each page",
        "funnel_desc": (
            "Horizontal bar chart, one bar a page, from the first to the last. "
            "The values are in the table that follows; a page without a bar has "
            "a hidden count."
        ),
        "page_column": "Page",
        "reached": "Reached this page or beyond",
        "stopped_here": "Stopped here (not completed)",
        "median_time": "Median time",
        "seconds": "{n} s",
        "hidden": "hidden",
        "pages_note": (
            "A completed response counts for every page. A count is hidden when "
            "it would give away a group of fewer than {n} responses by difference "
            "with its neighbours; a median time is hidden when fewer than {n} "
            "pages sent make it (their number is not given). A page's time runs "
            "from its last showing to its sending on to the next page, in whole "
            "seconds, an hour at most."
        ),
        "days_title": "Completed responses day by day",
        "days_rate_title": "Cumulative response rate by {attribute}",
        "days_count_title": "Cumulative completed responses by {attribute}",
        "days_all": "all",
        "days_desc": (
            "Line chart, one line a group and one for the total, from {first} to "
            "{last}. The values are in the table that follows; a line skips the "
            "days whose value is hidden."
        ),
        "day_column": "Day",
        "days_note": (
            "Responses completed up to and including that day (and the response "
            "rate: completed ÷ invitations). A value is hidden when it would give "
            "away fewer than {n} responses by difference; a day's total is given "
            "only when every group's is."
        ),
        "download_csv": "Download this table (CSV)",
        "no_days": "No completed response yet.",
    },
}


# What a respondent is told when a link or a page is refused, by error code, in
# each language; the catalog's own message (English, for researchers and the CLI)
# is shown for the other codes.
ERROR_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "FIELD_001": "Ce questionnaire n'est pas ouvert aux réponses.",
        "FIELD_002": "Ce questionnaire ouvrira le {opens}.",
        "FIELD_003": "Ce questionnaire a été clôturé le {closes}.",
        "FIELD_004": (
            "Ce lien d'invitation n'est pas valable. Vérifiez que le lien a été "
            "copié en entier."
        ),
        "FIELD_005": (
            "Cette invitation a déjà été utilisée. Pour continuer à répondre, "
            "utilisez le lien personnel indiqué sur les pages du questionnaire."
        ),
        "FIELD_006": (
            "Ce lien ne mène pas à un questionnaire en cours. Vérifiez que le lien "
            "a été copié en entier."
        ),
        "FIELD_007": (
            "Ce questionnaire est accessible uniquement sur invitation personnelle."
        ),
        "FIELD_010": (
            "La page a envoyé {count} champs, plus que les {limit} qu'une page peut "
            "contenir."
        ),
        "FIELD_011": (
            "Ce questionnaire ne peut pas accepter de nouvelles réponses pour le "
            "moment. Réessayez plus tard ; si le problème persiste, contactez "
            "l'équipe de l'étude."
        ),
        "FIELD_012": (
            "Ce questionnaire est clos : il n'accepte plus de nouvelles réponses. "
            "Merci de votre intérêt."
        ),
        "FIELD_013": (
            "Le compte « {user} » ({role}) ne peut pas faire cela : seuls les "
            "chercheurs et les administrateurs mènent la collecte."
        ),
        "FIELD_016": (
            "Aucun serveur SMTP n'est configuré : renseignez SOCIAPARIS_SMTP_HOST et "
            "SOCIAPARIS_SMTP_SENDER (docs/fielding.md, E-mail)."
        ),
        "FIELD_017": (
            "Un envoi de courriels pour « {form_id} » est déjà en cours sur ce "
            "serveur ; attendez qu'il se termine (son avancement est dans le "
            "journal des envois)."
        ),
        "FIELD_008": "{path}, ligne {line} : {reason}",
        "FIELD_009": (
            "La colonne « {column} » ne peut pas être enregistrée sur les réponses à "
            "« {form_id} » ; l'étude autorise : {allowed}. Retirez-la du CSV ou "
            "ajoutez-la aux invitation_attributes de l'étude."
        ),
        "FIELD_014": "{path} : {reason}",
        "FIELD_015": (
            "Le modèle de courriel « {template} » ne peut pas être utilisé : {reason}"
        ),
        "FIELD_018": (
            "Le rôle « {role} » permet de consulter les tableaux de suivi mais pas de "
            "les télécharger ; demandez le rôle de chercheur à un administrateur."
        ),
        "FIELD_019": (
            "Ce formulaire n'a pas de tableau de suivi « {table} ». Choisissez parmi : "
            "{tables}."
        ),
        "FIELD_020": (
            "Un fichier de {size} octets envoyé à « {form_id} » n'a pas été enregistré : "
            "le disque de {folder} a {free} octets libres, et sociaparis garde "
            "SOCIAPARIS_UPLOAD_MIN_FREE_BYTES={reserve} octets libres. Libérez de la "
            "place sur ce disque ou déplacez le dossier des données ; les répondants "
            "sont invités à réessayer plus tard."
        ),
        "FIELD_021": (
            "Un fichier de {size} octets envoyé à « {form_id} » n'a pas été enregistré : "
            "les fichiers envoyés dans {folder} occupent déjà {used} octets du quota "
            "SOCIAPARIS_UPLOAD_QUOTA_BYTES={quota}. Augmentez le quota (et vérifiez le "
            "disque) ou supprimez des fichiers ; les répondants sont invités à réessayer "
            "plus tard."
        ),
        "FIELD_022": (
            "Aucune réponse n'a l'identifiant « {response_id} ». Copiez-le depuis la "
            "colonne _id d'un export."
        ),
    },
    "en": {
        "FIELD_001": "This questionnaire is not open for answers.",
        "FIELD_002": "This questionnaire opens on {opens}.",
        "FIELD_003": "This questionnaire closed on {closes}.",
        "FIELD_004": (
            "This invitation link is not valid. Check that the whole link was copied."
        ),
        "FIELD_005": (
            "This invitation has already been used. To go on with your answers, use "
            "the private link shown on the questionnaire's pages."
        ),
        "FIELD_006": (
            "This link does not lead to a questionnaire in progress. Check that the "
            "whole link was copied."
        ),
        "FIELD_007": "This questionnaire is open by personal invitation only.",
        "FIELD_010": (
            "The page sent {count} fields, more than the {limit} a page can hold."
        ),
        "FIELD_011": (
            "This questionnaire cannot accept new responses right now. Try again "
            "later; if the problem persists, contact the study team."
        ),
        "FIELD_012": (
            "This questionnaire is closed: it no longer accepts new responses. "
            "Thank you for your interest."
        ),
        "FIELD_013": (
            "The account '{user}' ({role}) may not do this: only researchers and "
            "administrators field surveys."
        ),
        "FIELD_016": (
            "No SMTP server is configured: set SOCIAPARIS_SMTP_HOST and "
            "SOCIAPARIS_SMTP_SENDER (docs/fielding.md, E-mail)."
        ),
        "FIELD_017": (
            "A mailing for '{form_id}' is already being sent by this server; wait "
            "until it ends (its progress is in the send log)."
        ),
    },
}


#: the texts of each part of the workbench (its own ``i18n_*`` module), merged
#: under the texts above: a key defined here first is kept
_PAGE_TEXTS = (
    FIELDOPS_MESSAGES,
    CODEBOOK_MESSAGES,
    ACCOUNTS_MESSAGES,
    CORPUS_MESSAGES,
    QUAL_CODING_MESSAGES,
    JOBS_MESSAGES,
    FOCUS_MESSAGES,
    COMPARE_MESSAGES,
    EXPLORER_MESSAGES,
    REGISTER_MESSAGES,
    ASSIST_EVAL_MESSAGES,
    QCA_MESSAGES,
    REPORTS_PAGES_MESSAGES,
    ASSIST_MESSAGES,
)
_ERROR_TEXTS = (
    CODEBOOK_ERROR_MESSAGES,
    ACCOUNTS_ERROR_MESSAGES,
    FOCUS_ERROR_MESSAGES,
    COMPARE_ERROR_MESSAGES,
    EXPLORER_ERROR_MESSAGES,
    REGISTER_ERROR_MESSAGES,
    ASSIST_EVAL_ERROR_MESSAGES,
    QCA_ERROR_MESSAGES,
    REPORTS_PAGES_ERROR_MESSAGES,
    CATALOGUE_ERROR_MESSAGES,
)
for _part in _PAGE_TEXTS:
    for _lang, _texts in _part.items():
        MESSAGES[_lang] = {**_texts, **MESSAGES[_lang]}
for _part in _ERROR_TEXTS:
    for _lang, _texts in _part.items():
        ERROR_MESSAGES[_lang] = {**_texts, **ERROR_MESSAGES[_lang]}
ERROR_MESSAGES["fr"] = {**JOBS_ERROR_MESSAGES, **ERROR_MESSAGES["fr"]}
# English: the catalogue's own message where no page rewords it, so that both
# languages have the same codes.
ERROR_MESSAGES["en"] = {
    **{
        code: CATALOGUE_TEMPLATES[code]
        for code in ERROR_MESSAGES["fr"]
        if code in CATALOGUE_TEMPLATES
    },
    **ERROR_MESSAGES["en"],
}


def error_text(error: SociaparisError | ErrorRecord | Issue, lang: str) -> str:
    """The message of ``error`` in ``lang`` where it has one, else the catalog's.

    Parameters
    ----------
    error
        The refusal to show, the record of one (a failed job's), or a warning.
    lang
        The page's language.

    Returns
    -------
    str
        The translated message, formatted with the error's context, each
        :class:`~sociaparis.core.errors.Reason` in it in ``lang``, after its
        location (``[ligne 4] ...``) where it has one. A record or a warning
        without its context (a record written before contexts were kept, a
        warning written by hand), or whose code has no template in ``lang``,
        or whose context no longer fits the template, gives its stored English
        message (a warning's after its location, as ``str(issue)`` shows it).
    """
    template = ERROR_MESSAGES.get(lang, ERROR_MESSAGES[DEFAULT_LANGUAGE]).get(error.code)
    if template is None or error.context is None:
        return _stored_message(error)
    context = {key: _in_page(value, lang) for key, value in error.context.items()}
    try:
        message = template.format(**context)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        if isinstance(error, SociaparisError):
            raise
        return _stored_message(error)
    if error.location is not None and str(error.location):
        # as the catalogue message does ("[sheet 'survey', row 4] ..."), in ``lang``
        message = f"[{location_text(error.location, lang)}] {message}"
    return message


def _stored_message(error: SociaparisError | ErrorRecord | Issue) -> str:
    """The English message ``error`` keeps, with its location in front: an
    error's and a record's message has it already, a warning's has not."""
    if isinstance(error, Issue) and error.location is not None and str(error.location):
        return f"[{error.location}] {error.message}"
    return error.message


def _in_page(value: object, lang: str) -> object:
    """A context value as the page shows it: a reason in ``lang``, and another
    error or a warning quoted in it (an expression's XPath error, the first
    part of a transcript that was skipped) by its code and its own message in
    ``lang``, as the catalogue's English quotes it (``CODE: message``); several
    warnings (:class:`~sociaparis.core.errors.Issues`) each so, one after the
    other (``; ``, `` ; `` in French)."""
    if isinstance(value, SociaparisError | Issue):
        separator = " : " if lang == "fr" else ": "
        return f"{value.code}{separator}{error_text(value, lang)}"
    if isinstance(value, Issues):
        separator = " ; " if lang == "fr" else "; "
        return separator.join(str(_in_page(issue, lang)) for issue in value.items)
    return in_language(value, lang)


def location_text(location: Location, lang: str) -> str:
    """Where in an input file a problem is, in ``lang``.

    Parameters
    ----------
    location
        The sheet, row and column of the problem (each optional).
    lang
        The page's language.

    Returns
    -------
    str
        For instance ``feuille « survey », ligne 4, colonne « type »`` in French;
        in English the catalogue's own wording, ``sheet 'survey', row 4, column
        'type'``.
    """
    if lang != "fr":
        return str(location)
    return location.describe(
        sheet="feuille « {} »", row="ligne {}", column="colonne « {} »"
    )


def translate(key: str, lang: str) -> str:
    """Return the text ``key`` in ``lang`` (falling back to French, then the key)."""
    return MESSAGES.get(lang, MESSAGES[DEFAULT_LANGUAGE]).get(
        key, MESSAGES[DEFAULT_LANGUAGE].get(key, key)
    )


def person_name(username: str | None, lang: str) -> str:
    """Who did something, as a page shows it: a username, or the command line's
    implicit administrator (single-user mode) in ``lang``; ``''`` for none."""
    if username == LOCAL_ADMIN.username:
        return translate("command_line_person", lang)
    return username or ""


def pick_language(requested: str | None, available: tuple[str, ...] = LANGUAGES) -> str:
    """Return ``requested`` if it is one of ``available``, else the default."""
    if requested in available:
        return requested
    return DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in available else available[0]
