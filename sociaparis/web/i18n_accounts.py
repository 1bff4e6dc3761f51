"""Texts of the people and audit pages, merged into
:data:`sociaparis.web.i18n.MESSAGES`."""

from __future__ import annotations

ACCOUNTS_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "nav_people": "Personnes",
        "people_title": "Personnes et accès",
        "people_table": "Comptes",
        "username": "Identifiant",
        "display_name": "Nom affiché",
        "role": "Rôle",
        "role_admin": "administrateur",
        "role_researcher": "chercheur",
        "role_coder": "codeur",
        "role_viewer": "lecteur",
        "state": "État",
        "state_active": "actif",
        "state_disabled": "désactivé",
        "state_locked": "verrouillé jusqu'à {until} (UTC) après {count} échecs",
        "open_sessions": "Sessions ouvertes",
        "actions": "Actions",
        "change_role": "Changer le rôle",
        "role_of": "Rôle de {username}",
        "disable": "Désactiver",
        "enable": "Réactiver",
        "unlock": "Déverrouiller",
        "end_sessions": "Fermer ses sessions",
        "new_password": "Nouveau mot de passe",
        "new_password_of": "Nouveau mot de passe de {username}",
        "password_hint": (
            "12 caractères au moins. Laissé vide : un mot de passe fort est généré "
            "et affiché une seule fois."
        ),
        "set_password": "Changer le mot de passe",
        "create_account": "Créer un compte",
        "password": "Mot de passe",
        "create": "Créer",
        "generated_password": (
            "Mot de passe de {username}, affiché une seule fois : transmettez-le "
            "par un canal sûr."
        ),
        "done_create": "Compte {username} créé.",
        "done_role": "Rôle de {username} changé ; ses sessions sont fermées.",
        "done_disable": "{username} est désactivé ; ses sessions sont fermées.",
        "done_enable": "{username} peut de nouveau se connecter.",
        "done_unlock": "{username} est déverrouillé.",
        "done_logout": "Les sessions de {username} sont fermées.",
        "done_password": "Mot de passe de {username} changé ; ses sessions sont fermées.",
        "refused": "Refusé",
        "audit_title": "Journal d'audit",
        "audit_table": "Entrées du journal, les plus récentes d'abord",
        "audit_filters": "Filtrer",
        "person": "Personne",
        "action": "Action",
        "all_actions": "Toutes",
        "since": "Du",
        "until": "Au (inclus)",
        "filter": "Filtrer",
        "download_csv": "Télécharger en CSV",
        "when": "Quand (UTC)",
        "who": "Qui",
        "target": "Cible",
        "details": "Détails",
        "no_entries": "Aucune entrée.",
        "audit_count": "{total} entrées ; page {page} sur {pages}.",
        "previous_page": "Page précédente",
        "next_page": "Page suivante",
        "pagination": "Pages du journal",
        "audit_link": "Journal d'audit",
        "people_link": "Personnes et accès",
        "bad_date": "Date illisible : utilisez AAAA-MM-JJ.",
    },
    "en": {
        "nav_people": "People",
        "people_title": "People and access",
        "people_table": "Accounts",
        "username": "User name",
        "display_name": "Display name",
        "role": "Role",
        "role_admin": "admin",
        "role_researcher": "researcher",
        "role_coder": "coder",
        "role_viewer": "viewer",
        "state": "State",
        "state_active": "active",
        "state_disabled": "disabled",
        "state_locked": "locked until {until} (UTC) after {count} failures",
        "open_sessions": "Open sessions",
        "actions": "Actions",
        "change_role": "Change role",
        "role_of": "Role of {username}",
        "disable": "Disable",
        "enable": "Enable",
        "unlock": "Unlock",
        "end_sessions": "End its sessions",
        "new_password": "New password",
        "new_password_of": "New password for {username}",
        "password_hint": (
            "At least 12 characters. Left empty: a strong password is generated and "
            "shown once."
        ),
        "set_password": "Set password",
        "create_account": "Create an account",
        "password": "Password",
        "create": "Create",
        "generated_password": (
            "Password of {username}, shown only once: pass it on by a safe channel."
        ),
        "done_create": "Account {username} created.",
        "done_role": "Role of {username} changed; its sessions are ended.",
        "done_disable": "{username} is disabled; its sessions are ended.",
        "done_enable": "{username} can log in again.",
        "done_unlock": "{username} is unlocked.",
        "done_logout": "The sessions of {username} are ended.",
        "done_password": "Password of {username} changed; its sessions are ended.",
        "refused": "Refused",
        "audit_title": "Audit log",
        "audit_table": "Log entries, newest first",
        "audit_filters": "Filter",
        "person": "Person",
        "action": "Action",
        "all_actions": "All",
        "since": "From",
        "until": "To (included)",
        "filter": "Filter",
        "download_csv": "Download as CSV",
        "when": "When (UTC)",
        "who": "Who",
        "target": "Target",
        "details": "Details",
        "no_entries": "No entries.",
        "audit_count": "{total} entries; page {page} of {pages}.",
        "previous_page": "Previous page",
        "next_page": "Next page",
        "pagination": "Pages of the log",
        "audit_link": "Audit log",
        "people_link": "People and access",
        "bad_date": "Unreadable date: use YYYY-MM-DD.",
    },
}

#: Error messages of the accounts pages, by code.
ACCOUNTS_ERROR_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "ACCOUNT_001": (
            "« {username} » n'est pas un identifiant valable : de 3 à 64 lettres, "
            "chiffres, points, tirets ou soulignés."
        ),
        "ACCOUNT_002": "Un compte « {username} » existe déjà. Choisissez un autre nom.",
        "ACCOUNT_003": (
            "Le mot de passe est trop court ({length} caractères) : {minimum} au moins."
        ),
        "ACCOUNT_005": "Il n'y a pas de compte « {username} ».",
        "ACCOUNT_010": (
            "Le compte « {user} » ({role}) ne peut pas faire cela : seul un "
            "administrateur gère les comptes et lit le journal d'audit."
        ),
        "ACCOUNT_011": (
            "« {username} » est le dernier administrateur actif : donnez d'abord le "
            "rôle d'administrateur à un autre compte."
        ),
        "ACCOUNT_014": (
            "La période se termine ({until}) avant de commencer ({since}) : "
            "inversez les dates."
        ),
        "ACCOUNT_004": "Rôle inconnu « {role} ». Choisissez parmi : {choices}.",
        "ACCOUNT_006": (
            "Trop de connexions sont en cours de vérification ({slots} à la fois) : "
            "réessayez dans un instant."
        ),
        "ACCOUNT_030": (
            "Il n'y a pas de jeton d'API n° {token_id}. Listez-les avec `sociaparis "
            "token list`."
        ),
        "ACCOUNT_031": "Le jeton d'API n° {token_id} a déjà été révoqué le {revoked_at}.",
        "ACCOUNT_032": (
            "Cette API demande un jeton personnel, envoyé sous la forme 'Authorization: "
            "Bearer TOKEN'. Demandez à un administrateur de lancer `sociaparis token "
            "create USERNAME`."
        ),
        "ACCOUNT_033": (
            "Le jeton d'API n'est pas valable : il a été révoqué, son compte est "
            "désactivé, ou il n'a jamais existé. Demandez-en un nouveau à un "
            "administrateur (`sociaparis token create`)."
        ),
        "ACCOUNT_034": (
            "Le nom d'un jeton fait {maximum} caractères au plus ({length} donnés)."
        ),
        "ACCOUNT_012": (
            "En mode serveur, une commande doit indiquer le compte qui agit : ajoutez "
            "--user NAME ou renseignez SOCIAPARIS_USER."
        ),
        "ACCOUNT_013": (
            "Le compte « {username} » est désactivé : il ne peut pas agir. Réactivez-le "
            "avec `sociaparis user enable {username}`."
        ),
    },
    "en": {
        "ACCOUNT_001": (
            "'{username}' is not a valid user name: use 3 to 64 letters, digits, "
            "dots, dashes or underscores."
        ),
        "ACCOUNT_002": "A user named '{username}' already exists. Choose another name.",
        "ACCOUNT_003": (
            "The password is too short ({length} characters): use at least {minimum}."
        ),
        "ACCOUNT_005": "There is no account named '{username}'.",
        "ACCOUNT_010": (
            "The account '{user}' ({role}) may not do this: only an admin manages "
            "accounts and reads the audit log."
        ),
        "ACCOUNT_011": (
            "'{username}' is the last enabled admin: give another account the admin "
            "role first."
        ),
        "ACCOUNT_014": (
            "The period ends ({until}) before it starts ({since}): swap the dates."
        ),
    },
}
