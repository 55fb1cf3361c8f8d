"""Credentials: secrets in the keyring only, env vars override, the source of each field is known."""

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from dispatch_desktop.config import Config, config_path, load_config
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.notify import credentials
from dispatch_desktop.notify.credentials import KeyringUnavailableError
from dispatch_desktop.notify.notifier import LOGGER_NAME, setup_notification_logging
from dispatch_desktop.notify.secrets import register_secret
from dispatch_desktop.services.self_check import check_keyring
from tests.servers.memory_keyring import MemoryKeyring

SID = "AC" + "1" * 32
TOKEN = "super-secret-token-4711"
PASSWORD = "mail-password-0815"

Env = Callable[..., None]


def test_twilio_token_goes_to_the_keyring_and_the_rest_to_the_config_file(
    home: Path, memory_keyring: MemoryKeyring
) -> None:
    config = credentials.set_twilio(
        home, Config(), account_sid=SID, phone_number="+1 312 555 0100", auth_token=TOKEN
    )
    assert memory_keyring.store == {("dispatch-desktop", "TWILIO_AUTH_TOKEN"): TOKEN}
    text = config_path(home).read_text()
    assert SID in text and "+13125550100" in text and TOKEN not in text
    loaded = credentials.load_twilio(load_config(home))
    assert (loaded.account_sid.source, loaded.auth_token.source, loaded.phone_number.source) == (
        "config",
        "keyring",
        "config",
    )
    assert loaded.auth_token.value == TOKEN and loaded.missing() == []
    assert config.twilio.account_sid == SID


def test_smtp_password_goes_to_the_keyring(home: Path, memory_keyring: MemoryKeyring) -> None:
    credentials.set_smtp(
        home,
        Config(),
        host="smtp.office365.com",
        port=587,
        user="me@example.com",
        from_address="me@example.com",
        starttls=True,
        password=PASSWORD,
    )
    assert memory_keyring.store == {("dispatch-desktop", "SMTP_PASSWORD"): PASSWORD}
    assert PASSWORD not in config_path(home).read_text()
    loaded = credentials.load_smtp(load_config(home))
    assert loaded.missing() == [] and loaded.password.source == "keyring" and loaded.starttls


def test_seed_environment_variables_override_keyring_and_config(
    home: Path, memory_keyring: MemoryKeyring, use_env: Env
) -> None:
    credentials.set_twilio(home, Config(), account_sid=SID, phone_number="+13125550100", auth_token=TOKEN)
    use_env({"TWILIO_AUTH_TOKEN": "env-token-9999", "TWILIO_PHONE_NUMBER": "+13125550111"})
    loaded = credentials.load_twilio(load_config(home))
    assert (loaded.auth_token.value, loaded.auth_token.source) == ("env-token-9999", "env")
    assert (loaded.phone_number.value, loaded.phone_number.source) == ("+13125550111", "env")
    assert loaded.account_sid.source == "config"


def test_show_says_where_each_field_comes_from_and_never_shows_a_secret(
    home: Path, memory_keyring: MemoryKeyring, use_env: Env
) -> None:
    config = credentials.set_twilio(
        home, Config(), account_sid=SID, phone_number="+13125550100", auth_token=TOKEN
    )
    use_env({"SMTP_HOST": "127.0.0.1", "SMTP_PASSWORD": PASSWORD})
    fields, problem = credentials.describe(config)
    by_name = {f.name: f for f in fields}
    assert problem is None
    assert (by_name["TWILIO_AUTH_TOKEN"].configured, by_name["TWILIO_AUTH_TOKEN"].source) == (True, "keyring")
    assert by_name["TWILIO_AUTH_TOKEN"].shown is None and by_name["SMTP_PASSWORD"].shown is None
    assert (by_name["SMTP_HOST"].shown, by_name["SMTP_HOST"].source) == ("127.0.0.1", "env")
    assert (by_name["TWILIO_ACCOUNT_SID"].shown, by_name["TWILIO_ACCOUNT_SID"].source) == (SID, "config")
    dumped = repr([f.to_json() for f in fields])
    assert TOKEN not in dumped and PASSWORD not in dumped


def test_delete_removes_secret_and_fields(home: Path, memory_keyring: MemoryKeyring) -> None:
    config = credentials.set_twilio(
        home, Config(), account_sid=SID, phone_number="+13125550100", auth_token=TOKEN
    )
    config = credentials.delete_twilio(home, config)
    assert memory_keyring.store == {}
    assert credentials.load_twilio(load_config(home)).missing() == [
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "TWILIO_PHONE_NUMBER",
    ]


def test_without_a_keyring_the_error_says_what_to_do_and_env_vars_still_work(
    home: Path, use_env: Env
) -> None:
    with pytest.raises(KeyringUnavailableError) as raised:
        credentials.set_twilio(home, Config(), account_sid=SID, phone_number="+13125550100", auth_token=TOKEN)
    message = str(raised.value)
    assert "\n" not in message and TOKEN not in message
    assert "gnome-keyring" in message and "keyrings.alt" in message and "TWILIO_AUTH_TOKEN" in message
    assert not config_path(home).exists()  # nothing half-saved
    assert credentials.keyring_problem() is not None
    use_env({"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_PHONE_NUMBER": "+13125550100"})
    assert credentials.load_twilio(Config()).missing() == []


def test_a_locked_keyring_is_named_as_locked_with_what_to_do(
    home: Path, memory_keyring: MemoryKeyring
) -> None:
    credentials.set_twilio(home, Config(), account_sid=SID, phone_number="+13125550100", auth_token=TOKEN)
    config = load_config(home)
    saved = config_path(home).read_bytes()
    memory_keyring.locked = True

    assert credentials.keyring_problem() == credentials.KEYRING_LOCKED
    assert check_keyring().line() == f"FAIL keyring: {credentials.KEYRING_LOCKED}"
    twilio = credentials.load_twilio(config)
    assert twilio.auth_token == credentials.Value(None, "locked")
    assert twilio.missing() == [f"TWILIO_AUTH_TOKEN ({credentials.KEYRING_LOCKED})"]
    with pytest.raises(KeyringUnavailableError) as raised:
        credentials.set_smtp(
            home, config, host="relay.example.com", port=587, user="me@example.com",
            from_address="me@example.com", starttls=True, password=PASSWORD,
        )  # fmt: skip
    assert str(raised.value) == f"cannot store SMTP_PASSWORD: {credentials.KEYRING_LOCKED}"
    assert "apt install" not in str(raised.value) and PASSWORD not in str(raised.value)
    assert config_path(home).read_bytes() == saved  # nothing half-saved

    memory_keyring.locked = False
    assert credentials.keyring_problem() is None and check_keyring().line() == "ok   keyring: usable"
    assert credentials.load_twilio(config).missing() == []


def test_a_broken_keyring_says_what_failed_and_what_to_do(
    home: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("the Secret Service went away")

    monkeypatch.setattr(memory_keyring, "get_password", broken)
    monkeypatch.setattr(memory_keyring, "set_password", broken)
    failed = f"the OS keyring failed: the Secret Service went away; {credentials.INSTALL_HINT}"
    assert credentials.keyring_problem() == failed
    assert credentials.load_twilio(Config()).auth_token == credentials.Value(None, "missing")
    with pytest.raises(
        KeyringUnavailableError, match=r"^cannot store TWILIO_AUTH_TOKEN: the OS keyring failed"
    ):
        credentials.set_twilio(home, Config(), account_sid=SID, phone_number="+13125550100", auth_token=TOKEN)
    assert not config_path(home).exists()


def test_bad_input_is_refused_before_anything_is_stored(home: Path, memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(ValidationError, match="account SID"):
        credentials.set_twilio(
            home, Config(), account_sid="nope", phone_number="+13125550100", auth_token=TOKEN
        )
    with pytest.raises(ValidationError, match="international form"):
        credentials.set_twilio(home, Config(), account_sid=SID, phone_number="3125550100", auth_token=TOKEN)
    assert memory_keyring.store == {}


def test_a_secret_never_reaches_a_log_line(home: Path, memory_keyring: MemoryKeyring) -> None:
    credentials.set_twilio(home, Config(), account_sid=SID, phone_number="+13125550100", auth_token=TOKEN)
    path = setup_notification_logging(home, Config(), console=False)
    logging.getLogger(LOGGER_NAME).warning("[PROD] SMS failed - To: x, Error: server echoed %s back", TOKEN)
    for handler in logging.getLogger(LOGGER_NAME).handlers:
        handler.flush()
    text = path.read_text()
    assert "server echoed *** back" in text and TOKEN not in text


def test_every_handler_sees_secrets_masked(log_lines: Callable[[], list[str]]) -> None:
    register_secret(TOKEN)  # what loading credentials does with every secret it finds
    logging.getLogger(LOGGER_NAME).warning("Twilio said: bad token %s", TOKEN)
    assert log_lines() == ["Twilio said: bad token ***"]
