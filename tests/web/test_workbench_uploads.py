"""The background mailings of the pages: one per form at a time; the counts stay,
the people do not."""

from __future__ import annotations

import threading

import pytest

from sociaparis.core.errors import SociaparisError
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.web.workbench.uploads import MailingRunner


class _Report:
    def __init__(self, sent: int) -> None:
        self.sent = sent

    def to_dict(self) -> dict:
        return {"sent": self.sent}


def test_one_mailing_per_form_at_a_time_and_only_counts_are_kept() -> None:
    runner = MailingRunner()
    release = threading.Event()

    def send(report):
        report(_Report(1))
        release.wait(10)
        return _Report(2)

    runner.start("f", send)
    with pytest.raises(SociaparisError) as busy:
        runner.start("f", send)
    assert busy.value.error is FieldingError.MAILING_RUNNING
    runner.start("g", lambda report: _Report(5))  # another form may go
    release.set()
    runner.wait("f")
    runner.wait("g")
    assert (runner.status("f").running, runner.status("f").progress) == (
        False,
        {"sent": 2},
    )
    assert runner.status("g").progress == {"sent": 5}
    runner.start("f", lambda report: _Report(0))  # ended: may start again
    runner.wait("f")


def test_a_refusal_in_the_thread_is_shown_not_lost() -> None:
    runner = MailingRunner()

    def send(report):
        raise SociaparisError(FieldingError.SMTP_NOT_CONFIGURED)

    runner.start("f", send)
    runner.wait("f")
    assert runner.status("f").error.startswith("FIELD_016: ")
    assert runner.status("unknown") is None
