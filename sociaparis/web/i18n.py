"""Interface texts in French (default) and English."""

from __future__ import annotations

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "app_name": "sociaparis",
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
        "not_found": "Page introuvable.",
        "error_title": "Erreur",
        "forbidden": "Vous n'avez pas accès à cette page.",
    },
    "en": {
        "app_name": "sociaparis",
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
        "not_found": "Page not found.",
        "error_title": "Error",
        "forbidden": "You do not have access to this page.",
    },
}


def translate(key: str, lang: str) -> str:
    """Return the text ``key`` in ``lang`` (falling back to French, then the key)."""
    return MESSAGES.get(lang, MESSAGES[DEFAULT_LANGUAGE]).get(
        key, MESSAGES[DEFAULT_LANGUAGE].get(key, key)
    )


def pick_language(requested: str | None, available: tuple[str, ...] = LANGUAGES) -> str:
    """Return ``requested`` if it is one of ``available``, else the default."""
    if requested in available:
        return requested
    return DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in available else available[0]
