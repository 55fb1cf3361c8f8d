"""Office 365 style SMTP: STARTTLS, then XOAUTH2 with an app-only token from (a local) Entra."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dispatch_desktop.config import Config, SmtpConfig
from dispatch_desktop.notify import credentials
from dispatch_desktop.notify.delivery import deliver_due
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from tests.notify.helpers import CUSTOMER_EMAIL, add_agent, add_booking, rows
from tests.servers.memory_keyring import MemoryKeyring
from tests.servers.oauth_fake import CLIENT_ID, CLIENT_SECRET, TENANT, FakeEntra
from tests.servers.smtp_fake import FROM, USER, Cert, FakeSmtp, make_cert

Env = Callable[..., None]


@pytest.fixture
def cert(tmp_path: Path, use_env: Env) -> Cert:
    made = make_cert(tmp_path / "tls")
    use_env({"SSL_CERT_FILE": str(made.cert_file), "REQUESTS_CA_BUNDLE": str(made.cert_file)})
    return made


@pytest.fixture
def entra(cert: Cert) -> Iterator[FakeEntra]:
    with FakeEntra(cert) as fake:
        yield fake


@pytest.fixture
def office(cert: Cert, entra: FakeEntra) -> Iterator[FakeSmtp]:
    with FakeSmtp(tls=True, cert=cert) as smtp:
        smtp.accept_token = lambda token: token in entra.issued
        yield smtp


def oauth_config(home: Path, smtp: FakeSmtp, entra: FakeEntra, secret: str = CLIENT_SECRET) -> Config:
    base = Config(smtp=SmtpConfig(authority=entra.authority))
    return credentials.set_smtp(
        home,
        base,
        host=smtp.host,
        port=smtp.port,
        user=USER,
        from_address=FROM,
        starttls=True,
        password=secret,
        auth_mode="oauth2",
        tenant_id=TENANT,
        client_id=CLIENT_ID,
    )


def test_xoauth2_login_with_an_app_token(
    db: Database,
    ctx: ServiceContext,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    entra: FakeEntra,
    office: FakeSmtp,
) -> None:
    config = oauth_config(home, office, entra)
    assert memory_keyring.store == {("dispatch-desktop", "SMTP_PASSWORD"): CLIENT_SECRET}
    agent = add_agent(ctx)
    add_booking(ctx, agent_id=agent.id)
    deliver_due(db, config, worker_id="prod")
    assert sorted(office.recipients()) == ["ann@example.com", CUSTOMER_EMAIL]
    assert office.logins == [f"xoauth2:{USER}"]
    assert len(entra.issued) == 1 and entra.token_requests[0]["scope"].startswith(
        "https://outlook.office365.com/.default"
    )
    assert {r.status for r in rows(db, channel="email")} == {"sent"}


def test_a_refused_client_secret_keeps_mail_waiting_and_says_why(
    db: Database,
    ctx: ServiceContext,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    entra: FakeEntra,
    office: FakeSmtp,
) -> None:
    config = oauth_config(home, office, entra, secret="wrong-secret-000")
    add_booking(ctx, call_center=True)
    deliver_due(db, config, worker_id="prod")
    [email] = rows(db, channel="email")
    assert email.status == "retry" and email.attempts == 0
    assert "invalid_client" in (email.last_error or "") or "AADSTS7000215" in (email.last_error or "")
    assert "wrong-secret-000" not in (email.last_error or "")
    assert office.messages == [] and office.connections == 1


def test_oauth2_lists_what_is_missing(home: Path) -> None:
    config = Config(smtp=SmtpConfig(host="smtp.office365.com", from_address=FROM, auth_mode="oauth2"))
    assert credentials.load_smtp(config).missing() == [
        "SMTP_USER",
        "SMTP_PASSWORD",
        "SMTP_TENANT_ID",
        "SMTP_CLIENT_ID",
    ]
