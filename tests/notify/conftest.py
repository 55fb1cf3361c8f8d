"""Fixtures for the notifier: clean environment, keyring, log capture and the local peers."""

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dispatch_desktop.notify.notifier import LOGGER_NAME
from tests.servers.oauth_fake import FakeEntra
from tests.servers.smtp_fake import Cert, FakeSmtp, make_cert
from tests.servers.twilio_fake import FakeTwilio


@pytest.fixture(autouse=True)
def notify_defaults(clean_notify_env: None, headless_keyring: None) -> None:
    """Every notifier test starts without the shell's notifier variables and without a usable keyring."""


@pytest.fixture(autouse=True)
def fresh_token_cache() -> Iterator[None]:
    """Each test starts without the process-wide msal apps and tokens of the one before."""
    from dispatch_desktop.notify import oauth

    oauth.forget_tokens()
    yield
    oauth.forget_tokens()


@pytest.fixture
def log_lines(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    """The notifier's log lines so far, as a function to call after acting."""
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    return lambda: [record.getMessage() for record in caplog.records if record.name == LOGGER_NAME]


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_ENV", "production")


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    with FakeSmtp() as fake:
        yield fake


@pytest.fixture
def smtp_tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSmtp]:
    """STARTTLS required, AUTH required; the client trusts the test certificate via SSL_CERT_FILE."""
    cert = make_cert(tmp_path / "tls")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert.cert_file))
    with FakeSmtp(tls=True, cert=cert) as fake:
        yield fake


@pytest.fixture
def use_env(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    def apply(*mappings: dict[str, str]) -> None:
        for mapping in mappings:
            for key, value in mapping.items():
                monkeypatch.setenv(key, value)

    return apply


@pytest.fixture
def cert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cert:
    """A test certificate that smtplib (SSL_CERT_FILE) and msal's requests (REQUESTS_CA_BUNDLE) trust."""
    made = make_cert(tmp_path / "o365-tls")
    monkeypatch.setenv("SSL_CERT_FILE", str(made.cert_file))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(made.cert_file))
    return made


@pytest.fixture
def entra(cert: Cert) -> Iterator[FakeEntra]:
    """A local Entra ID token endpoint (tenant "contoso")."""
    with FakeEntra(cert) as fake:
        yield fake


@pytest.fixture
def office(cert: Cert, entra: FakeEntra) -> Iterator[FakeSmtp]:
    """Like smtp.office365.com: STARTTLS required, AUTH required, XOAUTH2 checks the token with Entra."""
    with FakeSmtp(tls=True, cert=cert) as smtp:
        smtp.accept_token = entra.valid
        yield smtp
