"""Office 365 SMTP with OAuth2 (issue 7): STARTTLS, then AUTH XOAUTH2 as the mailbox, with an
app-only token that msal fetches from a local Entra ID stand-in (instance discovery off).

Every failure has its own message and outbox outcome, and the outbox keeps every row.
"""

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import msal
import pytest

from dispatch_desktop.config import Config, SmtpConfig, config_path, load_config
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.notify import credentials, oauth
from dispatch_desktop.notify.delivery import deliver_due
from dispatch_desktop.notify.notifier import setup_notification_logging
from dispatch_desktop.services import email_auth
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.types import utcnow
from tests.notify.helpers import CUSTOMER_EMAIL, add_agent, add_booking, rows
from tests.servers.memory_keyring import MemoryKeyring
from tests.servers.oauth_fake import CLIENT_ID, CLIENT_SECRET, SCOPE, TENANT, FakeEntra
from tests.servers.smtp_fake import FROM, USER, FakeSmtp

Env = Callable[..., None]
WRONG_SECRET = "wrong-secret-000-abcdef"
KEY = ("dispatch-desktop", "O365_CLIENT_SECRET")


def oauth_config(
    home: Path,
    smtp: FakeSmtp,
    entra: FakeEntra,
    *,
    secret: str = CLIENT_SECRET,
    tenant: str = TENANT,
    client_id: str = CLIENT_ID,
) -> Config:
    return credentials.set_smtp(
        home,
        Config(),
        host=smtp.host,
        port=smtp.port,
        user=USER,
        from_address=FROM,
        starttls=True,
        auth_mode="oauth2",
        tenant_id=tenant,
        client_id=client_id,
        client_secret=secret,
        authority=entra.authority,
    )


def later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """msal's clock (its token cache and its expiry check) runs `seconds` ahead."""
    clock = SimpleNamespace(time=lambda: time.time() + seconds)
    monkeypatch.setattr(msal.application, "time", clock)
    monkeypatch.setattr(msal.token_cache, "time", clock)


def email_rows(db: Database) -> list[Any]:
    return rows(db, channel="email")


# --- the happy path ------------------------------------------------------------------------------


def test_a_production_send_signs_in_with_xoauth2_using_a_token_from_msal(
    db: Database,
    ctx: ServiceContext,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    entra: FakeEntra,
    office: FakeSmtp,
) -> None:
    config = oauth_config(home, office, entra)
    # The client secret has its own keyring entry; the config file has the rest and no secret.
    assert memory_keyring.store == {KEY: CLIENT_SECRET}
    text = config_path(home).read_text()
    assert 'auth_mode = "oauth2"' in text and TENANT in text and CLIENT_ID in text and entra.authority in text
    assert CLIENT_SECRET not in text
    agent = add_agent(ctx)
    add_booking(ctx, agent_id=agent.id)
    report = deliver_due(db, config, worker_id="prod")
    assert sorted(office.recipients()) == ["ann@example.com", CUSTOMER_EMAIL]
    assert office.logins == [f"xoauth2:{USER}"] and office.connections == 1  # one sign-in for the batch
    [request] = entra.token_requests
    assert request["grant_type"] == "client_credentials" and request["client_id"] == CLIENT_ID
    assert request["scope"].split() and SCOPE in request["scope"].split()
    assert len(entra.issued) == 1
    assert {r.status for r in email_rows(db)} == {"sent"} and report.counts.get("sent") == 2


def test_the_token_is_cached_across_batches_and_refreshed_when_it_expires(
    db: Database,
    ctx: ServiceContext,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    entra: FakeEntra,
    office: FakeSmtp,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = oauth_config(home, office, entra)
    add_booking(ctx, call_center=True)
    deliver_due(db, config, worker_id="prod")
    add_booking(ctx, call_center=True, start="11:00", end="12:00", email="dora@example.com", name="Dora")
    deliver_due(db, config, worker_id="prod")
    # Second batch: a new SMTP session, the same token, no request to the token endpoint.
    assert len(entra.token_requests) == 1 and len(office.logins) == 2
    assert len(entra.discovery_requests) == 1
    # An hour later the token has expired: msal fetches a new one without anyone noticing.
    later(monkeypatch, 3600)
    add_booking(ctx, call_center=True, start="13:00", end="14:00", email="eve@example.com", name="Eve")
    deliver_due(db, config, worker_id="prod")
    assert len(entra.issued) == 2 and len(office.logins) == 3
    assert {r.status for r in email_rows(db)} == {"sent"} and len(office.messages) == 3


def test_concurrent_lanes_share_one_token_request(
    home: Path, memory_keyring: MemoryKeyring, entra: FakeEntra, office: FakeSmtp
) -> None:
    loaded = credentials.load_smtp(oauth_config(home, office, entra))
    tokens: list[str] = []
    threads = [
        threading.Thread(target=lambda: tokens.append(oauth.smtp_access_token(loaded))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(tokens)) == 1 and len(tokens) == 8
    assert len(entra.token_requests) == 1


# --- each failure has its own message ------------------------------------------------------------


def _fail_once(
    db: Database, ctx: ServiceContext, config: Config, home: Path, log_lines: Callable[[], list[str]]
) -> str:
    add_agent(ctx)
    add_booking(ctx, agent_id=1)
    add_booking(ctx, call_center=True, start="11:00", end="12:00", email="dora@example.com", name="Dora")
    before = len(rows(db))
    deliver_due(db, config, worker_id="prod")
    emails = email_rows(db)
    assert len(rows(db)) == before and len(emails) == 3  # the outbox keeps every row
    assert {r.status for r in emails} == {"failed"}
    errors = {r.last_error for r in emails}
    assert len(errors) == 1
    [error] = errors
    assert error and "\n" not in error
    assert sum("EMAIL failed" in line and "(permanent)" in line for line in log_lines()) == 3
    return error


def test_a_wrong_tenant_id_fails_permanently_and_names_the_tenant(
    db: Database,
    ctx: ServiceContext,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    entra: FakeEntra,
    office: FakeSmtp,
    log_lines: Callable[[], list[str]],
) -> None:
    config = oauth_config(home, office, entra, tenant="contoso-typo.onmicrosoft.com")
    error = _fail_once(db, ctx, config, home, log_lines)
    assert "wrong tenant id" in error and "'contoso-typo.onmicrosoft.com'" in error
    assert "O365_TENANT_ID" in error and "client secret" not in error
    assert office.connections == 0 or office.logins == []
    assert entra.issued == []


def test_a_wrong_client_id_fails_permanently_and_says_client_id(
    db: Database,
    ctx: ServiceContext,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    entra: FakeEntra,
    office: FakeSmtp,
    log_lines: Callable[[], list[str]],
) -> None:
    other = "99999999-8888-7777-6666-555555555555"
    config = oauth_config(home, office, entra, client_id=other)
    error = _fail_once(db, ctx, config, home, log_lines)
    assert "wrong client id" in error and other in error and "AADSTS700016" in error
    assert "tenant id" not in error and "secret" not in error
    assert office.logins == [] and office.messages == []


def test_a_wrong_secret_fails_permanently_says_secret_and_never_shows_it(
    db: Database,
    ctx: ServiceContext,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    entra: FakeEntra,
    office: FakeSmtp,
    log_lines: Callable[[], list[str]],
) -> None:
    log_file = setup_notification_logging(home, Config(), console=False)
    logging.getLogger("dispatch_desktop.notify").propagate = True  # pytest's capture sees the lines too
    config = oauth_config(home, office, entra, secret=WRONG_SECRET)
    error = _fail_once(db, ctx, config, home, log_lines)
    assert "wrong client secret" in error and "AADSTS7000215" in error
    assert "tenant id" not in error and "client id '" not in error.split("secret")[0]
    for handler in logging.getLogger("dispatch_desktop.notify").handlers:
        handler.flush()
    everywhere = " ".join(
        [log_file.read_text(), config_path(home).read_text(), *log_lines()]
        + [repr(r.__dict__) for r in rows(db)]
    )
    assert WRONG_SECRET not in everywhere and CLIENT_SECRET not in everywhere
    assert office.messages == []


def test_a_missing_exchange_permission_fails_permanently_and_names_what_to_change(
    db: Database,
    ctx: ServiceContext,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    entra: FakeEntra,
    office: FakeSmtp,
    log_lines: Callable[[], list[str]],
) -> None:
    office.refuse_xoauth2 = (
        "535 5.7.3 Authentication unsuccessful [SN4PR0501CA0054.namprd05.prod.outlook.com]"
    )
    config = oauth_config(home, office, entra)
    error = _fail_once(db, ctx, config, home, log_lines)
    assert "535 5.7.3" in error and "SMTP.SendAsApp" in error
    assert (
        f"New-ServicePrincipal -AppId {CLIENT_ID}" in error
        and f"Add-MailboxPermission -Identity {USER}" in error
    )
    assert f"Set-CASMailbox -Identity {USER} -SmtpClientAuthenticationDisabled $false" in error
    assert office.xoauth2_attempts == [USER]  # the token was offered once, for the mailbox
    assert entra.issued[0] not in error
    # The admin grants the permission: the retried emails sign in with a fresh token (one that
    # carries the new role), not the refused one msal would otherwise reuse for an hour.
    office.refuse_xoauth2 = None
    assert email_auth.retry_sign_in_failures(ctx) == 3
    deliver_due(db, config, worker_id="prod")
    assert {r.status for r in email_rows(db)} == {"sent"} and len(entra.issued) == 2


def test_a_mailbox_without_smtp_auth_names_set_casmailbox(
    db: Database,
    ctx: ServiceContext,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    entra: FakeEntra,
    office: FakeSmtp,
    log_lines: Callable[[], list[str]],
) -> None:
    office.refuse_xoauth2 = (
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox."
    )
    config = oauth_config(home, office, entra)
    error = _fail_once(db, ctx, config, home, log_lines)
    assert "switched off for the mailbox" in error
    assert f"Set-CASMailbox -Identity {USER} -SmtpClientAuthenticationDisabled $false" in error
    assert "MC786329" not in error  # not the basic-auth retirement: OAuth2 is already in use
    assert email_auth.email_sign_in_alert(ctx) is not None and email_auth.auth_retirement_alert(ctx) is None


def test_an_unreachable_token_endpoint_is_transient_and_delivers_once_it_is_back(
    db: Database,
    ctx: ServiceContext,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    entra: FakeEntra,
    office: FakeSmtp,
    log_lines: Callable[[], list[str]],
) -> None:
    config = oauth_config(home, office, entra)
    entra.down()
    add_booking(ctx, call_center=True)
    deliver_due(db, config, worker_id="prod")
    [email] = email_rows(db)
    assert email.status == "retry" and email.attempts == 0  # waiting does not use up attempts
    assert "cannot reach the Entra ID token endpoint" in (email.last_error or "")
    assert "Connection refused" in (email.last_error or "")
    assert any("EMAIL failed" in line and "(retry)" in line for line in log_lines())
    assert office.messages == []
    entra.up()
    deliver_due(db, config, worker_id="prod", now=lambda: utcnow() + timedelta(minutes=5))
    [email] = email_rows(db)
    assert email.status == "sent" and office.recipients() == [CUSTOMER_EMAIL]
    deliver_due(db, config, worker_id="prod", now=lambda: utcnow() + timedelta(hours=2))
    assert len(office.messages) == 1  # delivered exactly once


def test_an_unreachable_endpoint_when_the_token_expires_is_transient_too(
    db: Database,
    ctx: ServiceContext,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    entra: FakeEntra,
    office: FakeSmtp,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = oauth_config(home, office, entra)
    add_booking(ctx, call_center=True)
    deliver_due(db, config, worker_id="prod")
    entra.down()
    later(monkeypatch, 3600)
    add_booking(ctx, call_center=True, start="11:00", end="12:00", email="dora@example.com", name="Dora")
    deliver_due(db, config, worker_id="prod")
    assert [r.status for r in email_rows(db)] == ["sent", "retry"]
    entra.up()
    deliver_due(db, config, worker_id="prod", now=lambda: utcnow() + timedelta(minutes=5))
    assert [r.status for r in email_rows(db)] == ["sent", "sent"] and len(entra.issued) == 2


def test_after_the_fix_the_failed_emails_are_queued_again_and_sent(
    db: Database,
    ctx: ServiceContext,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    entra: FakeEntra,
    office: FakeSmtp,
) -> None:
    oauth_config(home, office, entra, secret=WRONG_SECRET)
    add_booking(ctx, call_center=True)
    deliver_due(db, load_config(home), worker_id="prod")
    assert [r.status for r in email_rows(db)] == ["failed"]
    banner = email_auth.email_sign_in_alert(ctx)
    assert banner is not None and banner.startswith("1 email could not be sent") and "client secret" in banner
    config = oauth_config(home, office, entra)  # the admin stores the right secret
    assert email_auth.retry_sign_in_failures(ctx) == 1
    deliver_due(db, config, worker_id="prod")
    assert [r.status for r in email_rows(db)] == ["sent"] and office.recipients() == [CUSTOMER_EMAIL]
    assert email_auth.email_sign_in_alert(ctx) is None


# --- settings ------------------------------------------------------------------------------------


def test_environment_overrides_keyring_and_config(
    home: Path, memory_keyring: MemoryKeyring, entra: FakeEntra, office: FakeSmtp, use_env: Env
) -> None:
    oauth_config(home, office, entra)
    loaded = credentials.load_smtp(load_config(home))
    assert (loaded.auth_mode, loaded.auth_mode_source) == ("oauth2", "config")
    assert (loaded.client_secret.value, loaded.client_secret.source) == (CLIENT_SECRET, "keyring")
    assert (loaded.tenant_id.source, loaded.client_id.source, loaded.authority_source) == (
        "config",
        "config",
        "config",
    )
    use_env(
        {
            "O365_TENANT_ID": "fabrikam.onmicrosoft.com",
            "O365_CLIENT_ID": "22222222-3333-4444-5555-666666666666",
            "O365_CLIENT_SECRET": "env-secret-123456",
            "O365_AUTHORITY": "https://login.microsoftonline.us/",
        }
    )
    loaded = credentials.load_smtp(load_config(home))
    assert (loaded.tenant_id.value, loaded.tenant_id.source) == ("fabrikam.onmicrosoft.com", "env")
    assert loaded.client_id.source == "env" and loaded.client_secret.source == "env"
    assert (loaded.authority, loaded.authority_source) == ("https://login.microsoftonline.us", "env")
    fields, _ = credentials.describe(load_config(home))
    by_name = {f.name: f for f in fields}
    assert by_name["O365_CLIENT_SECRET"].source == "env" and by_name["O365_CLIENT_SECRET"].shown is None
    assert by_name["O365_TENANT_ID"].shown == "fabrikam.onmicrosoft.com"
    assert "env-secret-123456" not in repr([f.to_json() for f in fields])


def test_smtp_auth_environment_variable_switches_the_mode(home: Path, use_env: Env) -> None:
    config = Config(smtp=SmtpConfig(host="smtp.office365.com", from_address=FROM))
    assert credentials.load_smtp(config).auth_mode == "password"
    use_env({"SMTP_AUTH": "OAuth2"})
    loaded = credentials.load_smtp(config)
    assert (loaded.auth_mode, loaded.auth_mode_source) == ("oauth2", "env")
    assert loaded.missing() == ["SMTP_USER", "O365_TENANT_ID", "O365_CLIENT_ID", "O365_CLIENT_SECRET"]
    use_env({"SMTP_AUTH": "oauth"})
    assert credentials.load_smtp(config).missing() == ["SMTP_AUTH ('oauth' is neither password nor oauth2)"]


def test_oauth2_never_sends_a_token_without_tls(home: Path, use_env: Env) -> None:
    use_env({"SMTP_AUTH": "oauth2", "SMTP_STARTTLS": "false"})
    config = Config(
        smtp=SmtpConfig(host="127.0.0.1", user=USER, from_address=FROM, tenant_id=TENANT, client_id=CLIENT_ID)
    )
    use_env({"O365_CLIENT_SECRET": CLIENT_SECRET})
    assert credentials.load_smtp(config).missing() == ["SMTP_STARTTLS (OAuth2 needs STARTTLS or port 465)"]
    with pytest.raises(ValidationError, match="STARTTLS"):
        credentials.set_smtp(
            home,
            Config(),
            host="smtp.office365.com",
            port=587,
            user=USER,
            from_address=FROM,
            starttls=False,
            auth_mode="oauth2",
            tenant_id=TENANT,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        )


def test_bad_ids_are_refused_before_anything_is_stored(home: Path, memory_keyring: MemoryKeyring) -> None:
    common: dict[str, Any] = {
        "host": "smtp.office365.com",
        "port": 587,
        "user": USER,
        "from_address": FROM,
        "starttls": True,
        "auth_mode": "oauth2",
        "client_secret": CLIENT_SECRET,
    }
    with pytest.raises(ValidationError, match="client id"):
        credentials.set_smtp(home, Config(), tenant_id=TENANT, client_id="not-a-guid", **common)
    with pytest.raises(ValidationError, match="tenant id"):
        credentials.set_smtp(home, Config(), tenant_id="bad tenant!", client_id=CLIENT_ID, **common)
    with pytest.raises(ValidationError, match="https"):
        credentials.set_smtp(
            home, Config(), tenant_id=TENANT, client_id=CLIENT_ID, authority="http://login.example", **common
        )
    assert memory_keyring.store == {} and not config_path(home).exists()


def test_saving_without_a_mode_keeps_oauth2_and_delete_removes_both_secrets(
    home: Path, memory_keyring: MemoryKeyring, entra: FakeEntra, office: FakeSmtp
) -> None:
    config = oauth_config(home, office, entra)
    # What the settings dialog does: host, port, user, from and a typed password, no mode.
    config = credentials.set_smtp(
        home,
        config,
        host=office.host,
        port=office.port,
        user=USER,
        from_address=FROM,
        starttls=True,
        password="typed-in-dialog-1",
    )
    assert config.smtp.auth_mode == "oauth2" and memory_keyring.store[KEY] == CLIENT_SECRET
    config = credentials.delete_smtp(home, config)
    assert memory_keyring.store == {}
    assert config.smtp.auth_mode == "password" and config.smtp.tenant_id is None


def test_a_from_address_the_mailbox_may_not_send_as_names_add_recipientpermission(
    db: Database,
    ctx: ServiceContext,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    entra: FakeEntra,
    office: FakeSmtp,
) -> None:
    office.fail_next(550, "5.7.60 SMTP; Client does not have permissions to send as this sender")
    config = oauth_config(home, office, entra)
    add_booking(ctx, call_center=True)
    deliver_due(db, config, worker_id="prod")
    [email] = email_rows(db)
    assert email.status == "failed"
    assert f"Add-RecipientPermission -Identity {FROM} -Trustee {USER}" in (email.last_error or "")
    assert office.logins == [f"xoauth2:{USER}"]
