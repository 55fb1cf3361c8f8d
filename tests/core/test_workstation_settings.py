"""Saving the settings dialog's values without Qt: what the console's Save does, callable from the CLI."""

from dataclasses import replace
from pathlib import Path

import pytest

from dispatch_desktop.config import config_path, load_config
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.workstation_settings import (
    SettingsChange,
    save_email_sign_in,
    save_settings,
    sign_in_warning,
)
from tests.servers.memory_keyring import MemoryKeyring

SECRET = "client-secret-value-0123456789"
TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT = "66666666-7777-8888-9999-000000000000"

PASSWORD_CHANGE = SettingsChange(
    environment="development",
    twilio_account_sid="AC" + "0" * 32,
    twilio_phone_number="+13125550142",
    twilio_api_base_url="",
    twilio_auth_token="",
    smtp_host="smtp.office365.com",
    smtp_port=587,
    smtp_user="dispatch@contoso.com",
    smtp_from="dispatch@contoso.com",
    smtp_starttls=True,
    smtp_password="",
    smtp_auth_mode="password",
    smtp_auth_locked=False,
    o365_tenant_id="",
    o365_client_id="",
    o365_client_secret="",
    o365_authority="",
    log_max_mb=5,
    log_backups=3,
    timezone_name=None,
    region=None,
)
OAUTH2_CHANGE = replace(
    PASSWORD_CHANGE,
    smtp_auth_mode="oauth2",
    o365_tenant_id=TENANT,
    o365_client_id=CLIENT,
    o365_client_secret=SECRET,
)


@pytest.fixture
def keyring_home(home: Path, clean_notify_env: None, memory_keyring: MemoryKeyring) -> Path:
    return home


def test_switching_to_office365_oauth2_and_back_to_a_password(keyring_home: Path, memory_keyring) -> None:
    config = save_email_sign_in(keyring_home, load_config(keyring_home), OAUTH2_CHANGE)
    saved = load_config(keyring_home).smtp
    assert (saved.auth_mode, saved.tenant_id, saved.client_id) == ("oauth2", TENANT, CLIENT)
    assert memory_keyring.store[("dispatch-desktop", "O365_CLIENT_SECRET")] == SECRET
    assert SECRET not in config_path(keyring_home).read_text()

    save_email_sign_in(keyring_home, config, PASSWORD_CHANGE)
    saved = load_config(keyring_home).smtp
    assert saved.auth_mode == "password" and saved.tenant_id == TENANT  # the ids stay, for switching again


def test_while_smtp_auth_locks_the_mode_the_file_keeps_its_own(keyring_home: Path) -> None:
    config = save_email_sign_in(
        keyring_home, load_config(keyring_home), replace(OAUTH2_CHANGE, smtp_auth_locked=True)
    )
    assert load_config(keyring_home).smtp.auth_mode == "password"
    assert config.smtp.tenant_id == TENANT


def test_save_settings_writes_every_part_and_the_team(keyring_home: Path, ctx: ServiceContext) -> None:
    change = replace(PASSWORD_CHANGE, log_max_mb=7, timezone_name="Europe/Berlin", region="DE")
    config = save_settings(ctx, keyring_home, load_config(keyring_home), change)
    assert config.log_max_bytes == 7_000_000 and load_config(keyring_home).log_max_bytes == 7_000_000
    assert load_config(keyring_home).twilio.phone_number == "+13125550142"
    team = ctx.team_settings()
    assert (team.timezone_name, team.region) == ("Europe/Berlin", "DE")


def test_the_retirement_warning_follows_what_is_typed(keyring_home: Path) -> None:
    config = load_config(keyring_home)
    typed = sign_in_warning(config, "smtp.office365.com", "password", mode_locked=False, saved_warning=None)
    assert typed is not None and "MC786329" in typed
    assert (
        sign_in_warning(config, "smtp.office365.com", "oauth2", mode_locked=False, saved_warning=None) is None
    )
    # Nothing typed differs from what is saved: the saved warning (which knows SMTP_AUTH) stays.
    assert sign_in_warning(config, "", "password", mode_locked=False, saved_warning="saved") == "saved"
    assert (
        sign_in_warning(config, "mail.example.com", "password", mode_locked=False, saved_warning="saved")
        is None
    )
