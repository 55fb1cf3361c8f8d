"""Mail as real servers see it: sign-in failures, UTF-8 logins, 7-bit bodies, international addresses.

Every test sends through the local aiosmtpd server (tests/servers/smtp_fake.py) in production.
"""

from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from dispatch_desktop.config import Config, load_config
from dispatch_desktop.notify.delivery import EMAIL_BATCH_SIZE, deliver_due
from dispatch_desktop.notify.smtp_sender import INTENDED_HEADER
from dispatch_desktop.services import email_auth
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.types import utcnow
from tests.notify.helpers import CUSTOMER_EMAIL, add_agent, add_booking, rows
from tests.notify.test_cli import Cli
from tests.servers.smtp_fake import PASSWORD, USER, Cert, FakeSmtp, make_cert

Env = Callable[..., None]
Lines = Callable[[], list[str]]
UTF8_PASSWORD = "pässwörd€"


def later(minutes: float) -> Callable[[], object]:
    return lambda: utcnow() + timedelta(minutes=minutes)


@pytest.fixture
def tls_cert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cert:
    cert = make_cert(tmp_path / "tls")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert.cert_file))
    return cert


@pytest.fixture
def cli(home: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(home, capsys)


@pytest.fixture
def mail(production: None, use_env: Env) -> Iterator[Callable[..., FakeSmtp]]:
    """Start a FakeSmtp with the given options and point the notifier at it."""
    servers: list[FakeSmtp] = []

    def start(**options: object) -> FakeSmtp:
        server = FakeSmtp(**options).up()  # type: ignore[arg-type]
        servers.append(server)
        use_env(server.env())
        return server

    yield start
    for server in servers:
        server.down()


def _book_many(ctx: ServiceContext, count: int) -> None:
    agent = add_agent(ctx)
    for i in range(count):
        add_booking(
            ctx,
            agent_id=agent.id,
            email=f"c{i}@example.com",
            phone=f"312-555-01{i:02d}",
            start=f"{8 + i // 4:02d}:{(i % 4) * 15:02d}",
            end=f"{8 + i // 4:02d}:{(i % 4) * 15 + 10:02d}",
        )


# --- a wrong password --------------------------------------------------------------------------


def test_a_wrong_password_uses_up_attempts_backs_off_shows_the_banner_and_fails_at_max_attempts(
    db: Database,
    ctx: ServiceContext,
    mail: Callable[..., FakeSmtp],
    tls_cert: Cert,
    use_env: Env,
    log_lines: Lines,
) -> None:
    server = mail(tls=True, cert=tls_cert)
    use_env({"SMTP_PASSWORD": "not-the-password-1"})
    config = Config(max_attempts=3)
    _book_many(ctx, 11)  # 22 emails: two claimed batches in one run
    assert len(rows(db, channel="email")) > EMAIL_BATCH_SIZE

    started = utcnow()
    deliver_due(db, config, worker_id="prod")
    emails = rows(db, channel="email")
    assert {(r.status, r.attempts) for r in emails} == {("retry", 1)}
    # One refused login for the whole run, not one per batch of 20.
    assert server.failed_logins == 1 and server.messages == []
    [error] = {r.last_error for r in emails}
    assert error is not None and error.startswith("email sign-in failed: login to 127.0.0.1:")
    assert "535 5.7.8" in error and "not-the-password-1" not in error
    assert all(timedelta(seconds=29) <= r.next_attempt_at - started <= timedelta(seconds=40) for r in emails)
    banner = email_auth.email_sign_in_alert(ctx)
    assert banner is not None and banner.startswith("22 emails could not be sent") and "535 5.7.8" in banner

    second = utcnow() + timedelta(minutes=1)
    deliver_due(db, config, worker_id="prod", now=lambda: second)
    emails = rows(db, channel="email")
    assert {(r.status, r.attempts) for r in emails} == {("retry", 2)}
    # Backing off: 30 s after the first refusal, 60 s after the second.
    assert {r.next_attempt_at - second for r in emails} == {timedelta(seconds=60)}
    # Not due yet 59 s later: no login at all.
    deliver_due(db, config, worker_id="prod", now=lambda: second + timedelta(seconds=59))
    assert server.failed_logins == 2

    deliver_due(db, config, worker_id="prod", now=later(3))
    emails = rows(db, channel="email")
    assert {(r.status, r.attempts) for r in emails} == {("failed", 3)}
    assert server.failed_logins == 3 and server.messages == []
    assert all(
        (r.last_error or "").startswith("gave up after 3 attempts: email sign-in failed") for r in emails
    )
    failed = [line for line in log_lines() if line.startswith("[PROD] EMAIL failed - To: c0@example.com")]
    assert failed[-1].startswith("[PROD] EMAIL failed - To: c0@example.com, Error: gave up after 3 attempts")
    assert failed[-1].endswith("(permanent)") and failed[0].endswith("(retry)")
    assert email_auth.email_sign_in_alert(ctx) is not None
    # Nothing more is tried: the rows wait for a person.
    deliver_due(db, config, worker_id="prod", now=later(120))
    assert server.failed_logins == 3


def test_resending_from_the_banner_after_the_password_is_fixed_sends_the_waiting_emails(
    db: Database, ctx: ServiceContext, mail: Callable[..., FakeSmtp], tls_cert: Cert, use_env: Env
) -> None:
    server = mail(tls=True, cert=tls_cert)
    use_env({"SMTP_PASSWORD": "not-the-password-1"})
    add_booking(ctx, call_center=True)
    deliver_due(db, Config(), worker_id="prod")
    assert [r.status for r in rows(db, channel="email")] == ["retry"]

    use_env({"SMTP_PASSWORD": PASSWORD})
    assert email_auth.retry_sign_in_failures(ctx) == 1
    [email] = rows(db, channel="email")
    assert (email.status, email.attempts) == ("queued", 0)
    deliver_due(db, Config(), worker_id="prod")
    assert rows(db, channel="email")[0].status == "sent"
    assert server.recipients() == [CUSTOMER_EMAIL] and server.logins == [USER]
    assert email_auth.email_sign_in_alert(ctx) is None


def test_a_temporary_login_failure_waits_without_using_up_attempts(
    db: Database, ctx: ServiceContext, mail: Callable[..., FakeSmtp], tls_cert: Cert
) -> None:
    server = mail(tls=True, cert=tls_cert)
    server.refuse_logins = "454 4.7.0 Temporary authentication failure"
    add_booking(ctx, call_center=True)
    deliver_due(db, Config(), worker_id="prod")
    [email] = rows(db, channel="email")
    assert (email.status, email.attempts) == ("retry", 0)
    assert "454 4.7.0" in (email.last_error or "") and email_auth.email_sign_in_alert(ctx) is None


# --- a non-ASCII password ------------------------------------------------------------------------


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN", "CRAM-MD5"])
def test_a_non_ascii_password_signs_in_in_utf8(
    mechanism: str,
    db: Database,
    ctx: ServiceContext,
    mail: Callable[..., FakeSmtp],
    tls_cert: Cert,
    log_lines: Lines,
) -> None:
    server = mail(tls=True, cert=tls_cert, password=UTF8_PASSWORD, mechanisms=(mechanism,))
    add_booking(ctx, call_center=True)
    deliver_due(db, Config(), worker_id="prod")
    assert server.logins == [USER] and server.failed_logins == 0
    assert server.recipients() == [CUSTOMER_EMAIL]
    assert rows(db, channel="email")[0].status == "sent"
    assert UTF8_PASSWORD not in "\n".join(log_lines())


def test_over_tls_plain_is_preferred_to_cram_md5(
    db: Database, ctx: ServiceContext, mail: Callable[..., FakeSmtp], tls_cert: Cert
) -> None:
    server = mail(tls=True, cert=tls_cert, password=UTF8_PASSWORD, mechanisms=("CRAM-MD5", "LOGIN", "PLAIN"))
    add_booking(ctx, call_center=True)
    deliver_due(db, Config(), worker_id="prod")
    assert server.auth_mechanisms == ["PLAIN"] and server.logins == [USER]


def test_a_wrong_non_ascii_password_is_refused_like_any_wrong_password(
    db: Database, ctx: ServiceContext, mail: Callable[..., FakeSmtp], tls_cert: Cert, use_env: Env
) -> None:
    server = mail(tls=True, cert=tls_cert)
    use_env({"SMTP_PASSWORD": UTF8_PASSWORD})
    add_booking(ctx, call_center=True)
    deliver_due(db, Config(), worker_id="prod")
    [email] = rows(db, channel="email")
    assert email.status == "retry" and "535" in (email.last_error or "")
    assert UTF8_PASSWORD not in (email.last_error or "")
    # PLAIN was refused with 535: LOGIN is not tried as well (one failed login, not two).
    assert server.failed_logins == 1 and server.auth_mechanisms == ["PLAIN"]


# --- 7-bit bodies ---------------------------------------------------------------------------------


def _text_part(message: EmailMessage) -> EmailMessage:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return part  # type: ignore[return-value]


@pytest.mark.parametrize("eight_bit", [False, True], ids=["no-8BITMIME", "8BITMIME"])
def test_non_ascii_text_goes_out_quoted_printable_so_a_strict_server_takes_it(
    eight_bit: bool, db: Database, ctx: ServiceContext, mail: Callable[..., FakeSmtp]
) -> None:
    server = mail(eight_bit=eight_bit)
    add_booking(ctx, call_center=True, name="Åsa Lindqvist")
    deliver_due(db, Config(), worker_id="prod")
    assert rows(db, channel="email")[0].status == "sent"
    [raw], [message] = server.raw, server.messages
    assert raw.isascii()  # no raw 8-bit, so no BODY=8BITMIME is needed
    assert not any(option.startswith("BODY=") for option in server.mail_options[0])
    text = _text_part(message)
    assert text["Content-Transfer-Encoding"] == "quoted-printable"
    assert "Hello Åsa Lindqvist," in text.get_content()
    html = next(p for p in message.walk() if p.get_content_type() == "text/html")
    assert "Åsa Lindqvist" in html.get_content()


# --- international addresses -------------------------------------------------------------------


def test_a_unicode_domain_is_sent_to_its_ascii_form(
    db: Database, ctx: ServiceContext, mail: Callable[..., FakeSmtp], log_lines: Lines
) -> None:
    server = mail()  # no SMTPUTF8
    add_booking(ctx, call_center=True, email="kund@bücher.de")
    deliver_due(db, Config(), worker_id="prod")
    [email] = rows(db, channel="email")
    assert (email.recipient, email.status, email.attempts) == ("kund@bücher.de", "sent", 1)
    assert server.envelopes[0][1] == ["kund@xn--bcher-kva.de"]
    assert server.messages[0]["To"] == "kund@xn--bcher-kva.de"
    assert INTENDED_HEADER not in server.messages[0]  # not redirected: the same person
    assert (
        "[PROD] EMAIL sent - To: kund@bücher.de, Subject: Booking Request Received: BK-000001" in log_lines()
    )


def test_a_from_address_with_a_unicode_domain_goes_out_in_ascii_message_id_included(
    db: Database, ctx: ServiceContext, mail: Callable[..., FakeSmtp], use_env: Env
) -> None:
    server = mail()  # no SMTPUTF8
    use_env({"EMAIL_FROM": "dispatch@bücher.de"})
    add_booking(ctx, call_center=True)
    deliver_due(db, Config(), worker_id="prod")
    [email] = rows(db, channel="email")
    assert email.status == "sent", email.last_error
    [message] = server.messages
    assert (
        server.envelopes[0][0] == "dispatch@xn--bcher-kva.de"
        and message["From"] == "dispatch@xn--bcher-kva.de"
    )
    assert message["Message-ID"] == email.provider_id and email.provider_id.endswith("@xn--bcher-kva.de>")


def test_a_non_ascii_local_part_fails_at_once_on_a_server_without_smtputf8(
    db: Database, ctx: ServiceContext, mail: Callable[..., FakeSmtp], log_lines: Lines
) -> None:
    server = mail()
    add_booking(ctx, call_center=True, email="jörg@bücher.de")
    deliver_due(db, Config(), worker_id="prod")
    [email] = rows(db, channel="email")
    assert (email.status, email.attempts) == ("failed", 1)
    assert email.last_error == (
        f"127.0.0.1:{server.port} cannot take the address jörg@bücher.de: the part before the @ is not "
        "ASCII and the server does not offer SMTPUTF8 (international addresses); use an ASCII address or "
        "a server that offers SMTPUTF8"
    )
    assert server.messages == []
    assert f"[PROD] EMAIL failed - To: jörg@bücher.de, Error: {email.last_error} (permanent)" in log_lines()


def test_a_non_ascii_local_part_goes_out_where_the_server_offers_smtputf8(
    db: Database, ctx: ServiceContext, mail: Callable[..., FakeSmtp]
) -> None:
    server = mail(smtputf8=True)
    add_booking(ctx, call_center=True, email="jörg@bücher.de", name="Jörg Müller")
    deliver_due(db, Config(), worker_id="prod")
    assert rows(db, channel="email")[0].status == "sent"
    assert server.envelopes[0][1] == ["jörg@bücher.de"]
    assert "SMTPUTF8" in server.mail_options[0]
    assert server.messages[0]["To"] == "jörg@bücher.de"
    assert "Hello Jörg Müller," in _text_part(server.messages[0]).get_content()


# --- the from address: one rule for --from and EMAIL_FROM -------------------------------------


@pytest.mark.parametrize("sender", ["dispatch@corp.local", "dispatch@ops.internal", "dispatch@srv.lan"])
def test_company_network_from_addresses_are_taken_by_the_option_and_by_email_from(
    sender: str,
    cli: Cli,
    home: Path,
    db: Database,
    ctx: ServiceContext,
    mail: Callable[..., FakeSmtp],
    use_env: Env,
) -> None:
    code, _out, err = cli(
        "credentials", "set", "smtp", "--host", "127.0.0.1", "--port", "2525", "--from", sender, "--no-starttls"
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert load_config(home).smtp.from_address == sender

    server = mail()
    use_env({"EMAIL_FROM": sender})
    add_booking(ctx, call_center=True)
    deliver_due(db, Config(), worker_id="prod")
    assert rows(db, channel="email")[0].status == "sent"
    assert server.envelopes[0][0] == sender and server.messages[0]["From"] == sender


def test_a_bad_from_address_is_refused_alike_by_the_option_and_in_email_from(
    cli: Cli, db: Database, ctx: ServiceContext, mail: Callable[..., FakeSmtp], use_env: Env
) -> None:
    code, _out, err = cli(
        "credentials", "set", "smtp", "--host", "127.0.0.1", "--port", "2525", "--from", "dispatch@",
        "--no-starttls",
    )  # fmt: skip
    reason = "There must be something after the @-sign."
    assert code == 2 and err == f"error: from address 'dispatch@' is not a valid email address: {reason}\n"

    server = mail()
    use_env({"EMAIL_FROM": "dispatch@"})
    add_booking(ctx, call_center=True)
    deliver_due(db, Config(), worker_id="prod")
    [email] = rows(db, channel="email")
    assert email.status == "retry" and email.last_error == (
        f"missing credentials: EMAIL_FROM 'dispatch@' is not a valid email address: {reason}"
    )
    assert server.connections == 0
    _code, out, _err = cli("credentials", "show")
    [shown] = [line for line in out.splitlines() if " EMAIL_FROM " in line]
    assert "not set" in shown and f"EMAIL_FROM 'dispatch@' is not a valid email address: {reason}" in shown
