"""Roles are domain vocabulary: service functions ask ``role.can_*()``."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a person does in a study.

    ``admin`` manages accounts and is the only role that may read the
    re-identification table of pseudonymized interviews; ``researcher`` fields
    surveys, edits codebooks, codes and exports; ``coder`` codes documents;
    ``viewer`` reads results.
    """

    ADMIN = "admin"
    RESEARCHER = "researcher"
    CODER = "coder"
    VIEWER = "viewer"

    def can_manage_accounts(self) -> bool:
        """Create accounts, change their roles and passwords, read the audit log."""
        return self is Role.ADMIN

    def can_read_reidentification(self) -> bool:
        """Read (or destroy) the table that maps pseudonyms back to people."""
        return self is Role.ADMIN

    def can_export(self) -> bool:
        """Download response data and reports."""
        return self in {Role.ADMIN, Role.RESEARCHER}

    def can_edit_codebook(self) -> bool:
        """Create, merge and split codes."""
        return self in {Role.ADMIN, Role.RESEARCHER}

    def can_field_survey(self) -> bool:
        """Add questionnaire versions, open and close fielding, create
        invitations and send invitation e-mails."""
        return self in {Role.ADMIN, Role.RESEARCHER}

    def can_code(self) -> bool:
        """Apply codes to segments of documents."""
        return self in {Role.ADMIN, Role.RESEARCHER, Role.CODER}
