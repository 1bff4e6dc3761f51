"""Blind mode: while it is on, a coder sees only their own codings.

An honest agreement study needs coders who do not see each other's work until
they are done.  A researcher turns blind mode on, the coders code, and a
researcher reveals the codings (or turns the mode off).  Researchers and admins
always see every coding.  What each viewer may see is decided by
:func:`sociaparis.qual.coding_service.visible_coder_ids`, which every reading
service (codings, segments, matrices, co-occurrence, agreement) applies when it
is given a ``viewer``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from sociaparis.accounts.service import Account
from sociaparis.core.db import utcnow
from sociaparis.qual.corpus import can_manage, record, require
from sociaparis.qual.models import QualBlindMode


@dataclass(frozen=True, slots=True)
class BlindState:
    """Whether the project is blind, and whether the codings were revealed.

    ``hiding`` is true while coders see only their own codings (blind and not
    yet revealed).
    """

    blind: bool
    revealed: bool
    changed_by: str
    changed_at: datetime | None

    @property
    def hiding(self) -> bool:
        """Coders see only their own codings now."""
        return self.blind and not self.revealed

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "blind": self.blind,
            "revealed": self.revealed,
            "hiding": self.hiding,
            "changed_by": self.changed_by,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
        }


def _row(session: Session) -> QualBlindMode | None:
    return session.get(QualBlindMode, 1)


def blind_state(*, session: Session) -> BlindState:
    """The project's blind mode (off when it was never set)."""
    row = _row(session)
    if row is None:
        return BlindState(False, False, "", None)
    return BlindState(row.blind, row.revealed, row.changed_by, row.changed_at)


def _change(session: Session, actor: Account, *, blind: bool, revealed: bool) -> None:
    require(actor, can_manage(actor), "change the blind mode")
    row = _row(session)
    if row is None:
        row = QualBlindMode(id=1)
        session.add(row)
    row.blind, row.revealed = blind, revealed
    row.changed_by, row.changed_at = actor.username, utcnow()
    session.flush()


def set_blind(*, session: Session, actor: Account, blind: bool) -> BlindState:
    """Turn blind mode on (codings hidden again, even if revealed before) or off.

    Raises
    ------
    SociaparisError
        ``QUAL_200`` for a role other than researcher or admin.
    """
    _change(session, actor, blind=blind, revealed=False)
    record(session=session, actor=actor, kind="blind_on" if blind else "blind_off")
    return blind_state(session=session)


def reveal(*, session: Session, actor: Account) -> BlindState:
    """Reveal every coding to every coder, blind mode staying on (its record kept).

    Raises
    ------
    SociaparisError
        ``QUAL_200`` for a role other than researcher or admin.
    """
    state = blind_state(session=session)
    _change(session, actor, blind=state.blind, revealed=True)
    record(session=session, actor=actor, kind="blind_reveal")
    return blind_state(session=session)
