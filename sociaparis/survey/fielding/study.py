"""Put a study folder into the database: its instruments and how each is fielded."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from sociaparis.survey.fielding.service import Fielding, configure_fielding
from sociaparis.survey.service import AddResult, add_instrument
from sociaparis.survey.study import Study, StudyInstrument
from sociaparis.survey.xlsform import read_xlsform


@dataclass(frozen=True, slots=True)
class LoadedInstrument:
    """One instrument of the study as stored: its study entry and stored version."""

    entry: StudyInstrument
    added: AddResult

    @property
    def form_id(self) -> str:
        """The form id the instrument is fielded under."""
        return self.added.stored.form_id


def fielding_of(study: Study, entry: StudyInstrument, form_id: str) -> Fielding:
    """How ``entry`` of ``study`` is fielded, as the study file says."""
    known = entry.notice in study.notices
    notice = study.notices[entry.notice].to_dict() if known else {}
    return Fielding(
        form_id=form_id,
        study_id=study.id,
        anonymous=entry.anonymous,
        open_link=entry.access == "open",
        opens_on=entry.opens,
        closes_on=entry.closes,
        recorded_attributes=tuple(entry.invitation_attributes),
        notice=notice,
        min_cell_count=study.min_cell_count,
    )


def load_study_into_database(*, session: Session, study: Study) -> list[LoadedInstrument]:
    """Store every instrument of ``study`` (new versions only) and its fielding set-up.

    Nothing is stored if any instrument fails its checks: the caller's
    transaction is rolled back by the error.
    """
    loaded = []
    for entry in study.instruments:
        added = add_instrument(session=session, form=read_xlsform(entry.file))
        configure_fielding(
            session=session,
            fielding=fielding_of(study, entry, added.stored.form_id),
        )
        loaded.append(LoadedInstrument(entry, added))
    return loaded
