"""Error catalog of the accounts package (``ACCOUNT_xxx``)."""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class AccountError(ErrorCode):
    """Errors about researcher accounts."""

    BAD_USERNAME = (
        "ACCOUNT_001",
        "'{username}' is not a valid user name: use 3 to 64 letters, digits, dots, "
        "dashes or underscores.",
    )
    USERNAME_TAKEN = (
        "ACCOUNT_002",
        "A user named '{username}' already exists. Choose another name.",
    )
    WEAK_PASSWORD = (
        "ACCOUNT_003",
        "The password is too short ({length} characters): use at least {minimum}.",
    )
    UNKNOWN_ROLE = (
        "ACCOUNT_004",
        "Unknown role '{role}'. Choose one of: {choices}.",
    )
    UNKNOWN_USER = (
        "ACCOUNT_005",
        "There is no account named '{username}'. List them with `sociaparis user list`.",
    )
    BUSY = (
        "ACCOUNT_006",
        "Too many log-ins are being checked right now ({slots} at once): try again "
        "in a moment.",
    )

    # --- personal API tokens (ACCOUNT_030-ACCOUNT_039) ---
    UNKNOWN_TOKEN = (
        "ACCOUNT_030",
        "There is no API token number {token_id}. List them with `sociaparis token "
        "list`.",
    )
    TOKEN_REVOKED = (
        "ACCOUNT_031",
        "The API token number {token_id} was already revoked on {revoked_at}.",
    )
    TOKEN_MISSING = (
        "ACCOUNT_032",
        "This API needs a personal token, sent as 'Authorization: Bearer TOKEN'. "
        "Ask an admin to run `sociaparis token create USERNAME`.",
    )
    TOKEN_INVALID = (
        "ACCOUNT_033",
        "The API token is not valid: it was revoked, its account is disabled, or it "
        "never existed. Ask an admin for a new one (`sociaparis token create`).",
    )
    BAD_TOKEN_NAME = (
        "ACCOUNT_034",
        "A token's name is at most {maximum} characters ({length} given).",
    )
    NOT_ADMIN = (
        "ACCOUNT_010",
        "The account '{user}' ({role}) may not {action}: only an admin manages "
        "accounts and reads the audit log.",
    )
    LAST_ADMIN = (
        "ACCOUNT_011",
        "'{username}' is the last enabled admin: give another account the admin "
        "role first, or nobody could manage accounts any more.",
    )
    ACTOR_REQUIRED = (
        "ACCOUNT_012",
        "In server mode a command must say which account acts: add --user NAME or "
        "set SOCIAPARIS_USER.",
    )
    ACTOR_DISABLED = (
        "ACCOUNT_013",
        "The account '{username}' is disabled: it cannot act. Enable it with "
        "`sociaparis user enable {username}`.",
    )
    BAD_AUDIT_PERIOD = (
        "ACCOUNT_014",
        "The audit period ends ({until}) before it starts ({since}): swap the dates.",
    )
