"""Warn before basic SMTP AUTH is switched off (MC786329), fail clearly when it is, and switch a
workstation to OAuth2 from the command line (issue 7)."""

import io
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from dispatch_desktop.cli import main
from dispatch_desktop.config import Config, SmtpConfig, config_path
from dispatch_desktop.notify import credentials
from dispatch_desktop.notify.delivery import deliver_due
from dispatch_desktop.notify.office365 import is_office365_host
from dispatch_desktop.services import email_auth
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.types import utcnow
from tests.notify.helpers import CUSTOMER_EMAIL, add_agent, add_booking, rows
from tests.servers.memory_keyring import MemoryKeyring
from tests.servers.oauth_fake import CLIENT_ID, CLIENT_SECRET, TENANT, FakeEntra
from tests.servers.smtp_fake import FROM, PASSWORD, USER, FakeSmtp

Env = Callable[..., None]
BASIC_OFF = "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [BN9PR03CA0123.namprd03.prod.outlook.com]"
NOT_SUPPORTED = "550 5.7.30 Basic authentication is not supported for Client Submission."
TENANT_OFF = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."


class Cli:
    def __init__(self, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.home, self.capsys = home, capsys

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        code = main(["--home", str(self.home), *argv])
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(home: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(home, capsys)


@pytest.mark.parametrize(
    ("host", "office"),
    [
        ("smtp.office365.com", True),
        ("SMTP.Office365.com.", True),
        ("smtp-legacy.office365.com", True),
        ("smtp-mail.outlook.com", True),
        ("smtp.office365.us", True),
        ("contoso-com.mail.protection.outlook.com", False),  # direct send: no SMTP AUTH at all
        ("smtp.gmail.com", False),
        ("127.0.0.1", False),
        ("", False),
        (None, False),
    ],
)
def test_office365_hosts(host: str | None, office: bool) -> None:
    assert is_office365_host(host) is office


def test_the_warning_is_for_office365_with_a_password_only(use_env: Env) -> None:
    office = Config(smtp=SmtpConfig(host="smtp.office365.com", user=USER, from_address=FROM))
    warning = email_auth.basic_auth_retirement_warning(office)
    assert warning is not None and "\n" not in warning
    assert "MC786329" in warning and "end of December 2026" in warning and "--auth oauth2" in warning
    assert email_auth.basic_auth_retirement_warning(Config(smtp=SmtpConfig(host="mail.example.com"))) is None
    oauth = Config(smtp=SmtpConfig(host="smtp.office365.com", auth_mode="oauth2"))
    assert email_auth.basic_auth_retirement_warning(oauth) is None
    # The environment decides like it does for the notifier.
    use_env({"SMTP_AUTH": "oauth2"})
    assert email_auth.basic_auth_retirement_warning(office) is None
    use_env({"SMTP_AUTH": "password", "SMTP_HOST": "mail.example.com"})
    assert email_auth.basic_auth_retirement_warning(office) is None
    # What the settings dialog checks while someone types, before saving.
    assert email_auth.retirement_warning_for("smtp.office365.com", "password") is not None
    assert email_auth.retirement_warning_for("smtp.office365.com", "oauth2") is None


def test_credentials_show_warns_for_office365_with_a_password(
    cli: Cli, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("mail-password-0815\n"))
    code, _out, err = cli(
        "credentials", "set", "smtp", "--host", "smtp.office365.com", "--port", "587", "--user", USER,
        "--from", FROM,
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = cli("credentials", "show")
    assert code == 0
    [warning] = [line for line in out.splitlines() if line.startswith("warning:")]
    assert "smtp.office365.com" in warning and "MC786329" in warning and "535 5.7.139" in warning
    assert "SMTP_AUTH            password  (default)" in out
    code, out, _ = cli("credentials", "show", "--json")
    payload = json.loads(out)
    assert len(payload["warnings"]) == 1 and "MC786329" in payload["warnings"][0]
    assert "mail-password-0815" not in out


@pytest.mark.parametrize("reply", [BASIC_OFF, NOT_SUPPORTED, TENANT_OFF])
def test_a_basic_auth_refusal_fails_the_rows_with_the_retirement_explanation_and_raises_the_banner(
    reply: str,
    db: Database,
    ctx: ServiceContext,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    office: FakeSmtp,
    log_lines: Callable[[], list[str]],
) -> None:
    office.refuse_logins = reply
    config = credentials.set_smtp(
        home,
        Config(),
        host=office.host,
        port=office.port,
        user=USER,
        from_address=FROM,
        starttls=True,
        password=PASSWORD,
    )
    assert email_auth.auth_retirement_alert(ctx) is None
    agent = add_agent(ctx)
    add_booking(ctx, agent_id=agent.id)
    deliver_due(db, config, worker_id="prod")
    emails = rows(db, channel="email")
    assert len(emails) == 2 and {r.status for r in emails} == {"failed"}  # failed, and kept
    [error] = {r.last_error or "" for r in emails}
    assert reply.split(" [")[0].rstrip(".") in error and "MC786329" in error and "--auth oauth2" in error
    assert PASSWORD not in error and "\n" not in error
    assert ("Set-CASMailbox" in error) is (reply == TENANT_OFF)
    lines = [line for line in log_lines() if "EMAIL failed" in line]
    assert len(lines) == 2 and all(line.endswith("(permanent)") and "MC786329" in line for line in lines)
    banner = email_auth.auth_retirement_alert(ctx)
    assert banner is not None and banner.startswith("2 emails could not be sent") and "MC786329" in banner
    assert email_auth.email_sign_in_alert(ctx) == banner
    # A day later the banner is gone unless it happens again.
    assert email_auth.auth_retirement_alert(ctx, now=utcnow() + timedelta(hours=25)) is None


def test_a_basic_auth_refusal_at_send_time_is_explained_too(
    db: Database,
    ctx: ServiceContext,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    office: FakeSmtp,
) -> None:
    office.fail_next(550, "5.7.30 Basic authentication is not supported for Client Submission.")
    config = credentials.set_smtp(
        home, Config(), host=office.host, port=office.port, user=USER, from_address=FROM, starttls=True,
        password=PASSWORD,
    )  # fmt: skip
    add_booking(ctx, call_center=True)
    deliver_due(db, config, worker_id="prod")
    [email] = rows(db, channel="email")
    assert email.status == "failed" and "MC786329" in (email.last_error or "")
    assert email_auth.auth_retirement_alert(ctx) is not None


def test_a_wrong_password_is_a_sign_in_failure_but_not_the_retirement(
    db: Database,
    ctx: ServiceContext,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    office: FakeSmtp,
) -> None:
    config = credentials.set_smtp(
        home, Config(), host=office.host, port=office.port, user=USER, from_address=FROM, starttls=True,
        password="not-the-password-1",
    )  # fmt: skip
    add_booking(ctx, call_center=True)
    deliver_due(db, config, worker_id="prod")
    [email] = rows(db, channel="email")
    assert email.status == "retry" and "login to" in (email.last_error or "")
    assert email_auth.auth_retirement_alert(ctx) is None
    banner = email_auth.email_sign_in_alert(ctx)
    assert banner is not None and "535 5.7.8" in banner and "MC786329" not in banner


def test_switching_a_workstation_to_oauth2_from_the_command_line(
    cli: Cli,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    entra: FakeEntra,
    office: FakeSmtp,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(CLIENT_SECRET + "\n"))
    code, out, err = cli(
        "credentials", "set", "smtp", "--host", office.host, "--port", str(office.port), "--user", USER,
        "--from", FROM, "--auth", "oauth2", "--tenant-id", TENANT, "--client-id", CLIENT_ID,
        "--authority", entra.authority,
    )  # fmt: skip
    assert code == 0, err
    assert "O365_CLIENT_SECRET" in out
    assert memory_keyring.store == {("dispatch-desktop", "O365_CLIENT_SECRET"): CLIENT_SECRET}
    code, out, _ = cli("credentials", "show")
    assert "SMTP_AUTH            oauth2  (config)" in out
    assert f"O365_TENANT_ID       {TENANT}  (config)" in out
    assert f"O365_CLIENT_ID       {CLIENT_ID}  (config)" in out
    assert "O365_CLIENT_SECRET   set  (keyring)" in out
    assert f"O365_AUTHORITY       {entra.authority}  (config)" in out
    assert "SMTP_PASSWORD" not in out and "warning:" not in out and CLIENT_SECRET not in out
    code, out, err = cli("notify", "test", "--email", CUSTOMER_EMAIL)
    assert code == 0, out + err
    assert office.recipients() == [CUSTOMER_EMAIL] and office.logins == [f"xoauth2:{USER}"]
    assert "[PROD] EMAIL sent - To: carla@example.com" in err
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert CLIENT_SECRET.encode() not in data and entra.issued[0].encode() not in data, path
    assert CLIENT_SECRET not in config_path(home).read_text()


def test_the_command_line_refuses_half_an_oauth2_setup(cli: Cli, memory_keyring: MemoryKeyring) -> None:
    code, _out, err = cli(
        "credentials", "set", "smtp", "--host", "smtp.office365.com", "--port", "587", "--user", USER,
        "--from", FROM, "--auth", "oauth2", "--tenant-id", TENANT,
    )  # fmt: skip
    assert code != 0 and "--client-id" in err
    code, _out, err = cli(
        "credentials", "set", "smtp", "--host", "smtp.office365.com", "--port", "587", "--user", USER,
        "--from", FROM, "--tenant-id", TENANT,
    )  # fmt: skip
    assert code != 0 and "--auth oauth2" in err
    assert memory_keyring.store == {}


def test_what_the_settings_dialog_reads_and_saves(
    home: Path, memory_keyring: MemoryKeyring, use_env: Env
) -> None:
    config = Config(smtp=SmtpConfig(host="smtp.office365.com", user=USER, from_address=FROM))
    state = email_auth.load_email_auth_state(config)
    assert (state.auth_mode, state.auth_mode_source, state.oauth2) == ("password", "default", False)
    assert state.warning is not None and not state.client_secret_stored
    config = email_auth.save_oauth2(
        home,
        config,
        host="smtp.office365.com",
        port=587,
        mailbox=USER,
        from_address=FROM,
        starttls=True,
        tenant_id=TENANT,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    state = email_auth.load_email_auth_state(config)
    assert state.oauth2 and state.warning is None and state.client_secret_source == "keyring"
    assert (state.tenant_id, state.client_id, state.authority) == (
        TENANT,
        CLIENT_ID,
        "https://login.microsoftonline.com",
    )
    # Saving again with an empty secret field keeps the stored secret.
    config = email_auth.save_oauth2(
        home, config, host="smtp.office365.com", port=587, mailbox=USER, from_address=FROM, starttls=True,
        tenant_id=TENANT, client_id=CLIENT_ID, client_secret="",
    )  # fmt: skip
    assert memory_keyring.store[("dispatch-desktop", "O365_CLIENT_SECRET")] == CLIENT_SECRET
    config = email_auth.use_password_auth(home, config)
    state = email_auth.load_email_auth_state(config)
    assert not state.oauth2 and state.warning is not None and state.tenant_id == TENANT
    use_env({"SMTP_AUTH": "oauth2"})
    assert email_auth.load_email_auth_state(config).auth_mode_locked
    assert CLIENT_SECRET not in repr(email_auth.load_email_auth_state(config))


def test_from_the_terminal_a_refused_password_fails_then_the_emails_are_resent_after_the_fix(
    cli: Cli,
    production: None,
    memory_keyring: MemoryKeyring,
    office: FakeSmtp,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    office.refuse_logins = BASIC_OFF
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, _out, err = cli(
        "credentials", "set", "smtp", "--host", office.host, "--port", str(office.port), "--user", USER,
        "--from", FROM,
    )  # fmt: skip
    assert code == 0, err
    code, _out, err = cli(
        "booking", "add", "--customer-name", "Carla Customer", "--customer-email", CUSTOMER_EMAIL,
        "--customer-phone", "+13125550199", "--address", "12 Elm Street", "--service", "Boiler service",
        "--start", "2026-12-01 09:00", "--end", "2026-12-01 10:00", "--call-center",
    )  # fmt: skip
    assert code == 0, err
    [line] = [line for line in err.splitlines() if "EMAIL failed" in line]
    assert "535 5.7.139" in line and "MC786329" in line and line.endswith("(permanent)")
    code, out, _ = cli("outbox", "list", "--status", "failed", "--json")
    [failed] = json.loads(out)
    assert failed["channel"] == "email" and "MC786329" in failed["last_error"]
    office.refuse_logins = (
        None  # (the admin switched to OAuth2; here the fake simply takes the password again)
    )
    code, out, _ = cli("outbox", "retry-sign-in")
    assert code == 0 and out.startswith("1 email(s)")
    code, _out, err = cli("notifier", "run", "--once")
    assert code == 0 and office.recipients() == [CUSTOMER_EMAIL]
