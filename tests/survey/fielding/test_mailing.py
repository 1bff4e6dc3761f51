"""E-mail of invitations and reminders against a local SMTP server, on both
databases: every message once, reminders skip completed and opted-out
invitations, a sender killed mid-batch sends nothing twice when run again."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select, update

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import create_user
from sociaparis.core.config import Settings
from sociaparis.core.db import ensure_schema, make_engine, transaction
from sociaparis.core.errors import SociaparisError
from sociaparis.survey.fielding import service
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.survey.fielding.mail import (
    SmtpSettings,
    check_address,
    compose,
    load_template,
    read_links_file,
)
from sociaparis.survey.fielding.mailing import (
    SENDING,
    SENT,
    mailing_log,
    message_id,
    recipient_key,
    record_optout,
    send_mailing,
)
from sociaparis.survey.fielding.operations import invite_from_list, read_staff_list
from sociaparis.survey.models import MailLogRecord, ResponseRecord
from tests.conftest import REPO_ROOT
from tests.factories import field_form

SECRET = "test-secret-key-0123456789"
PEOPLE = [
    ("Alice Martin", "alice@example.org", "DFA", "A", "fr"),
    ("Bob Durand", "bob@example.org", "DFA", "B", "en"),
    ("Chloé Petit", "chloe@example.org", "DRH", "A", ""),
    ("Driss Benali", "driss@example.org", "DRH", "B", "fr"),
    ("Eva Roux", "eva@example.org", "DFA", "A", "fr"),
]


def _staff_csv() -> bytes:
    lines = ["name;email;directorate;job_category;lang"]
    lines += [";".join(person) for person in PEOPLE]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def study(database_url: str):
    """A fresh study on each backend: a fielded form, a researcher, a viewer."""
    settings = Settings(database_url=database_url, secret_key=SECRET)
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    yield engine
    engine.dispose()


def _field(engine, *, anonymous: bool = True) -> tuple[str, bytes, object]:
    with transaction(engine) as session:
        researcher = create_user(
            session=session,
            username="claire",
            password="a-long-password-1",
            role=Role.RESEARCHER,
        )
        form_id = field_form(session, anonymous=anonymous)
        invited = invite_from_list(
            session=session,
            actor=researcher,
            form_id=form_id,
            invitations=read_staff_list(_staff_csv(), filename="staff.csv"),
            base_url="https://enquetes.example.org",
        )
    return form_id, invited.links_csv.encode(), researcher


def _smtp(sink) -> SmtpSettings:
    return SmtpSettings(
        host="127.0.0.1",
        port=sink.port,
        security="none",
        sender="enquete@ville.example.org",
        rate=6000,
    )


def _send(engine, sink, form_id, links, actor, kind="invitation", **options):
    return send_mailing(
        engine=engine,
        actor=actor,
        form_id=form_id,
        kind=kind,
        recipients=read_links_file(links),
        smtp=_smtp(sink),
        secret=SECRET,
        sleep=lambda _seconds: None,
        **options,
    )


def _link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"https://\S+/i/\S+", text).group(0)


def test_each_person_gets_one_invitation_with_their_link_and_none_twice(
    study, smtp_sink
) -> None:
    form_id, links, researcher = _field(study)
    report = _send(study, smtp_sink, form_id, links, researcher)
    assert (report.sent, report.failed) == (5, 0)
    recipients = {r.address: r for r in read_links_file(links)}
    for _name, address, *_ in PEOPLE:
        [message] = smtp_sink.to(address)
        assert _link(message) == recipients[address].link
        html = message.get_body(("html",)).get_content()
        assert f'href="{recipients[address].link}"' in html
        assert message["List-Unsubscribe"] == (
            f"<https://enquetes.example.org/optout/{recipients[address].token}>"
        )
        token = recipients[address].token
        assert message["Message-ID"] == message_id(
            SECRET, form_id, "invitation", token, "x@ville.example.org"
        )
    # Each in its language: Bob's row says en, Chloé's is empty (the default, fr).
    assert smtp_sink.to("bob@example.org")[0]["Subject"].startswith("Invitation: ")
    assert smtp_sink.to("chloe@example.org")[0]["Subject"].startswith("Invitation : ")
    again = _send(study, smtp_sink, form_id, links, researcher)
    assert (again.sent, len(again.plan.already_sent)) == (0, 5)
    assert len(smtp_sink.messages) == 5
    with transaction(study) as session:
        log = mailing_log(session=session, form_id=form_id)
        stored = [
            (row.recipient_key, row.status)
            for row in session.scalars(select(MailLogRecord))
        ]
    assert log.mailings == {"invitation": {SENT: 5, "failed": 0, SENDING: 0}}
    # The log holds keyed hashes of the tokens, never an address.
    keys = {recipient_key(SECRET, r.token) for r in recipients.values()}
    assert {key for key, _ in stored} == keys
    assert not any("@" in key for key, _ in stored)


@pytest.mark.parametrize("anonymous", [True, False])
def test_reminders_skip_completed_and_opted_out_invitations(
    study, smtp_sink, anonymous: bool
) -> None:
    form_id, links, researcher = _field(study, anonymous=anonymous)
    by_address = {r.address: r for r in read_links_file(links)}
    with transaction(study) as session:
        # Alice answered (anonymous: her link was used); Bob started only.
        alice = service.start_from_invitation(
            session=session, token=by_address["alice@example.org"].token, secret=SECRET
        )
        service.start_from_invitation(
            session=session, token=by_address["bob@example.org"].token, secret=SECRET
        )
        session.execute(
            update(ResponseRecord)
            .where(ResponseRecord.id == alice.response_id)
            .values(status=service.COMPLETED)
        )
        record_optout(
            session=session, token=by_address["chloe@example.org"].token, secret=SECRET
        )
    report = _send(study, smtp_sink, form_id, links, researcher, kind="reminder")
    reminded = {m["To"] for m in smtp_sink.messages}
    # Anonymous: a used link counts as completed, so Bob (started) is skipped too.
    expected = {"driss@example.org", "eva@example.org"}
    if not anonymous:
        expected.add("bob@example.org")
    assert reminded == expected
    assert len(report.plan.completed) == (2 if anonymous else 1)
    assert len(report.plan.opted_out) == 1
    # A second round goes again to the same people; the same round never.
    assert _send(study, smtp_sink, form_id, links, researcher, kind="reminder").sent == 0
    second = _send(
        study, smtp_sink, form_id, links, researcher, kind="reminder", round_number=2
    )
    assert second.sent == len(expected)


def test_the_rate_limit_spaces_the_messages(study, smtp_sink) -> None:
    form_id, links, researcher = _field(study)
    waits: list[float] = []
    smtp = SmtpSettings(
        host="127.0.0.1", port=smtp_sink.port, security="none", sender="a@b.org", rate=30
    )
    report = send_mailing(
        engine=study,
        actor=researcher,
        form_id=form_id,
        kind="invitation",
        recipients=read_links_file(links),
        smtp=smtp,
        secret=SECRET,
        sleep=waits.append,
    )
    assert report.sent == 5
    assert waits == [2.0] * 4  # 30 a minute: 2 s between two messages


def test_a_refused_address_is_logged_failed_and_tried_again(study, smtp_sink) -> None:
    form_id, links, researcher = _field(study)
    smtp_sink.refuse = {"bob@example.org"}
    report = _send(study, smtp_sink, form_id, links, researcher)
    assert (report.sent, report.failed) == (4, 1)
    assert "550" in report.failures[0][1]
    smtp_sink.refuse = set()
    again = _send(study, smtp_sink, form_id, links, researcher)
    assert again.sent == 1
    assert [m["To"] for m in smtp_sink.messages].count("bob@example.org") == 1


def test_an_unreachable_server_stops_the_run_and_journals_nothing(study) -> None:
    form_id, links, researcher = _field(study)

    class Closed:
        port = 1  # nothing listens there

    report = _send(study, Closed(), form_id, links, researcher)
    assert report.sent == 0 and "ConnectionRefusedError" in report.stopped
    with transaction(study) as session:
        assert session.scalars(select(MailLogRecord)).all() == []


def test_a_connection_lost_while_handing_over_leaves_it_uncertain(
    study, smtp_sink
) -> None:
    from sociaparis.survey.fielding.mail import LostInFlight, SmtpTransport

    form_id, links, researcher = _field(study)

    class DropsTheSecond(SmtpTransport):
        calls = 0

        def send(self, message) -> None:
            DropsTheSecond.calls += 1
            if DropsTheSecond.calls == 2:
                raise LostInFlight(
                    "SMTPServerDisconnected: Connection unexpectedly closed"
                )
            super().send(message)

    report = _send(
        study,
        smtp_sink,
        form_id,
        links,
        researcher,
        transport=DropsTheSecond(_smtp(smtp_sink)),
    )
    assert (report.sent, report.uncertain) == (1, 1)
    assert "SMTPServerDisconnected" in report.stopped
    again = _send(study, smtp_sink, form_id, links, researcher)
    assert (again.sent, len(again.plan.uncertain)) == (3, 1)
    assert len(smtp_sink.messages) == 4  # the lost one is not sent again unasked


def test_only_researchers_and_admins_send(study, smtp_sink) -> None:
    form_id, links, _ = _field(study)
    with transaction(study) as session:
        viewer = create_user(
            session=session,
            username="victor",
            password="a-long-password-1",
            role=Role.VIEWER,
        )
    with pytest.raises(SociaparisError) as refused:
        _send(study, smtp_sink, form_id, links, viewer)
    assert refused.value.error is FieldingError.NOT_ALLOWED
    assert smtp_sink.messages == []


def test_a_links_file_for_another_form_or_without_addresses_is_refused(
    study, smtp_sink
) -> None:
    form_id, links, researcher = _field(study)
    with pytest.raises(SociaparisError) as no_address:
        read_links_file(b"name,link\nA,https://x.org/i/" + b"a" * 43 + b"\n")
    assert no_address.value.error is FieldingError.BAD_LINKS_FILE
    forged = links.replace(b"/i/", b"/i/X", 1)
    with pytest.raises(SociaparisError) as unknown:
        _send(study, smtp_sink, form_id, forged, researcher)
    assert "line 2" in unknown.value.message
    assert smtp_sink.messages == []


@pytest.mark.parametrize(
    "value",
    ["bob@example.org\r\nBcc: all@example.org", "a@b", "two@x.org, three@x.org", ""],
)
def test_an_address_that_is_not_one_address_is_refused(value: str) -> None:
    with pytest.raises(SociaparisError, match="line 7"):
        check_address(value, path="links.csv", line=7)


def test_template_values_are_escaped_in_html_and_unknown_placeholders_refused(
    tmp_path: Path,
) -> None:
    [recipient] = read_links_file(
        b"name,email,link\n<b>Zo\xc3\xa9</b>,z@example.org,https://x.org/i/"
        + b"t" * 43
        + b"\n"
    )
    (tmp_path / "invitation.fr.txt").write_text("Subject: Bonjour ${name}\n\n${link}\n")
    (tmp_path / "invitation.fr.html").write_text("<p>${name}</p><a href='${link}'>x</a>")
    template = load_template("invitation", "fr", folder=tmp_path)
    message = compose(
        template,
        recipient=recipient,
        sender="s@example.org",
        title="T",
        optout_link="https://x.org/optout/t",
        message_id="<1@example.org>",
    )
    assert "<p>&lt;b&gt;Zoé&lt;/b&gt;</p>" in message.get_body(("html",)).get_content()
    (tmp_path / "invitation.fr.txt").write_text("Subject: ${prenom}\n\n${link}\n")
    from sociaparis.survey.fielding.mail import check_placeholders

    with pytest.raises(SociaparisError, match=r"\$\{prenom\}"):
        check_placeholders(load_template("invitation", "fr", folder=tmp_path), ["name"])


def test_the_password_is_never_shown() -> None:
    smtp = SmtpSettings.from_settings(
        Settings(
            secret_key=SECRET,
            smtp_host="mail.example.org",
            smtp_sender="a@example.org",
            smtp_password="hunter2-very-secret",
        )
    )
    assert "hunter2" not in repr(smtp)
    assert "hunter2" not in repr(Settings(smtp_password="hunter2-very-secret"))


def test_a_sender_killed_mid_batch_sends_nothing_twice_when_run_again(
    tmp_path: Path, smtp_sink
) -> None:
    """Kill the CLI sender (SIGKILL) while the server holds its third message,
    before the sender hears it was accepted; run it again: the two sent and the
    one in flight are not sent again (the one in flight is reported uncertain),
    the others are sent once."""
    data = tmp_path / "data"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "SOCIAPARIS_DATA_DIR": str(data),
        "SOCIAPARIS_SECRET_KEY": SECRET,
        "SOCIAPARIS_SMTP_HOST": "127.0.0.1",
        "SOCIAPARIS_SMTP_PORT": str(smtp_sink.port),
        "SOCIAPARIS_SMTP_SECURITY": "none",
        "SOCIAPARIS_SMTP_SENDER": "enquete@ville.example.org",
        "SOCIAPARIS_SMTP_RATE": "6000",
    }
    settings = Settings(data_dir=data, secret_key=SECRET)
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    form_id, links, _ = _field(engine)
    links_path = tmp_path / "links.csv"
    links_path.write_bytes(links)
    command = [
        sys.executable,
        "-c",
        "from sociaparis.cli import main; main()",
        "mail",
        "send",
        form_id,
        "--links",
        str(links_path),
        "--user",
        "claire",
    ]
    sender = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)

    def kill_at_the_third(_message) -> None:
        if len(smtp_sink.messages) == 3:
            os.kill(sender.pid, signal.SIGKILL)
            sender.wait(timeout=30)

    smtp_sink.on_message = kill_at_the_third
    assert sender.wait(timeout=120) == -signal.SIGKILL
    smtp_sink.on_message = None
    in_flight = smtp_sink.messages[2]["To"]
    with transaction(engine) as session:
        log = mailing_log(session=session, form_id=form_id)
    assert log.mailings["invitation"] == {SENT: 2, "failed": 0, SENDING: 1}
    [(_, uncertain_id, _)] = log.uncertain
    assert uncertain_id == smtp_sink.messages[2]["Message-ID"]

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert ": 2 sent," in rerun.stdout and "1 uncertain" in rerun.stdout
    addresses = [m["To"] for m in smtp_sink.messages]
    assert sorted(addresses) == sorted(p[1] for p in PEOPLE)  # each exactly once
    with transaction(engine) as session:
        log = mailing_log(session=session, form_id=form_id)
    assert log.mailings["invitation"] == {SENT: 4, "failed": 0, SENDING: 1}

    # Asked to, it sends the uncertain one again, with the same Message-ID.
    resend = subprocess.run(
        [*command, "--resend-uncertain"], env=env, capture_output=True, timeout=120
    )
    assert resend.returncode == 0
    again = smtp_sink.to(in_flight)
    assert len(again) == 2 and again[0]["Message-ID"] == again[1]["Message-ID"]
    engine.dispose()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


# aiosmtpd warns about AUTH without STARTTLS, which is what implicit TLS is.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_starttls_and_implicit_tls_with_a_log_in(certificate, security: str) -> None:
    """The transport speaks STARTTLS or implicit TLS, verifies the server's
    certificate and logs in; a failed log-in hands nothing over."""
    import socket
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from sociaparis.survey.fielding.mail import NotHandedOver, SmtpTransport
    from tests.conftest import SmtpSink

    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"enquete" and auth_data.password == b"s3cret-pass"
        return AuthResult(success=ok)

    sink = SmtpSink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tls = (
        {"tls_context": server_context, "require_starttls": True}
        if security == "starttls"
        # aiosmtpd does not see implicit TLS as TLS for AUTH: the socket is TLS.
        else {"ssl_context": server_context, "auth_require_tls": False}
    )
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_required=True,
        server_hostname="127.0.0.1",
        **tls,
    )
    controller.start()
    try:
        client_context = ssl.create_default_context(cafile=str(cert))
        settings = SmtpSettings(
            host="127.0.0.1",
            port=port,
            security=security,
            user="enquete",
            password="s3cret-pass",
            sender="enquete@ville.example.org",
        )
        [recipient] = read_links_file(
            b"email,link\nz@example.org,https://x.org/i/" + b"t" * 43 + b"\n"
        )
        message = compose(
            load_template("invitation", "fr"),
            recipient=recipient,
            sender=settings.sender,
            title="Usages",
            optout_link="https://x.org/optout/t",
            message_id="<1@ville.example.org>",
        )
        SmtpTransport(settings, context=client_context).send(message)
        assert [m["To"] for m in sink.messages] == ["z@example.org"]
        # A failed log-in (aiosmtpd answers slowly: a short timeout) hands nothing over.
        wrong = replace(settings, password="wrong", timeout=3)
        with pytest.raises(NotHandedOver):
            SmtpTransport(wrong, context=client_context).send(message)
        # An unknown authority is refused: certificates are verified.
        with pytest.raises(NotHandedOver, match="CERTIFICATE_VERIFY_FAILED"):
            SmtpTransport(settings).send(message)
        assert len(sink.messages) == 1
    finally:
        controller.stop()
