"""Settings: secrets to the keyring (never the config file), environment lock, test sends, team settings."""

import pytest

from dispatch_desktop.config import config_path, load_config
from dispatch_desktop.services import team_settings
from dispatch_desktop.ui.settings_dialog import SettingsDialog
from tests.ui._support import (  # noqa: F401 - fixtures
    OFFSCREEN_NOISE,
    boss_console,
    make_console,
    memory_keyring,
    notify_env,
)

pytestmark = [OFFSCREEN_NOISE, pytest.mark.usefixtures("notify_env")]
TOKEN = "tok-9f2c1e77d1a44b0b"
PASSWORD = "smtp-pass-51d3c0ffee"
SID = "AC" + "1" * 32


def _dialog(qtbot, console) -> SettingsDialog:
    dialog = SettingsDialog(console)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.load_count >= 1)
    return dialog


def _save(qtbot, dialog: SettingsDialog) -> None:
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.load_count >= 2)


def test_secrets_go_to_the_keyring_and_never_to_the_config_file(qtbot, boss_console, memory_keyring, home):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    assert dialog.twilio_token_status.text() == "Auth token: not stored"
    dialog.twilio_sid.setText(SID)
    dialog.twilio_number.setText("+15005550006")
    dialog.twilio_url.setText("http://127.0.0.1:8999/")
    dialog.twilio_token.setText(TOKEN)
    dialog.smtp_host.setText("mail.example.com")
    dialog.smtp_port.setValue(2525)
    dialog.smtp_user.setText("dispatch")
    dialog.smtp_from.setText("dispatch@example.com")
    dialog.smtp_starttls.setChecked(False)
    dialog.smtp_password.setText(PASSWORD)
    dialog.log_size.setValue(2)
    _save(qtbot, dialog)

    assert memory_keyring.store == {
        ("dispatch-desktop", "TWILIO_AUTH_TOKEN"): TOKEN,
        ("dispatch-desktop", "SMTP_PASSWORD"): PASSWORD,
    }
    written = config_path(home).read_text(encoding="utf-8")
    assert TOKEN not in written and PASSWORD not in written
    config = load_config(home)
    assert (config.twilio.account_sid, config.twilio.phone_number, config.twilio.api_base_url) == (
        SID,
        "+15005550006",
        "http://127.0.0.1:8999",
    )
    assert (config.smtp.host, config.smtp.port, config.smtp.user, config.smtp.starttls) == (
        "mail.example.com",
        2525,
        "dispatch",
        False,
    )
    assert config.log_max_bytes == 2_000_000
    assert boss_console.config == config

    # The secrets are shown only as "stored", never read back into the fields.
    assert dialog.twilio_token.text() == "" and dialog.smtp_password.text() == ""
    assert dialog.twilio_token_status.text() == "Auth token: stored in the OS keyring"
    assert dialog.smtp_password_status.text() == "Password: stored in the OS keyring"
    again = _dialog(qtbot, boss_console)
    assert again.twilio_token.text() == ""
    assert again.twilio_token.placeholderText() == "stored — type a new one to replace it"

    # Saving again without typing a secret keeps the stored one.
    again.smtp_host.setText("relay.example.com")
    _save(qtbot, again)
    assert memory_keyring.store[("dispatch-desktop", "SMTP_PASSWORD")] == PASSWORD
    assert load_config(home).smtp.host == "relay.example.com"


def test_without_a_keyring_the_dialog_explains_and_still_saves_the_rest(qtbot, boss_console, home):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    assert "install a keyring backend" in dialog.keyring_note.text()
    assert "TWILIO_AUTH_TOKEN / SMTP_PASSWORD" in dialog.keyring_note.text()
    assert not dialog.keyring_note.isHidden()
    assert not dialog.twilio_token.isEnabled()
    dialog.smtp_host.setText("relay.local")
    dialog.smtp_from.setText("dispatch@example.com")
    _save(qtbot, dialog)
    assert load_config(home).smtp.host == "relay.local"


def test_a_bad_value_is_refused_with_the_reason(qtbot, boss_console, memory_keyring):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    dialog.twilio_sid.setText("not-a-sid")
    dialog.twilio_token.setText(TOKEN)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.message.is_error)
    assert "does not look like a Twilio account SID" in dialog.message.text()
    assert memory_keyring.store == {}


def test_flask_env_locks_the_environment_and_says_why(qtbot, boss_console, monkeypatch, home):  # noqa: F811
    monkeypatch.setenv("FLASK_ENV", "production")
    dialog = _dialog(qtbot, boss_console)
    assert not dialog.environment.isEnabled()
    assert dialog.environment.currentData() == "production"
    assert dialog.environment_note.text().startswith("Locked: production (from FLASK_ENV=production).")
    _save(qtbot, dialog)
    assert load_config(home).environment is None


def test_environment_chosen_here_is_saved_for_this_workstation(qtbot, boss_console, home):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    assert dialog.environment_note.text() == "Now: development (default: FLASK_ENV is not set)."
    assert dialog.production_warning.isHidden()
    dialog.environment.setCurrentIndex(dialog.environment.findData("production"))
    assert not dialog.production_warning.isHidden()
    _save(qtbot, dialog)
    assert load_config(home).environment == "production"
    assert dialog.environment_note.text() == "Now: production (from config file=production)."


def test_send_test_sms_and_email_in_development_only_logs(qtbot, boss_console):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    dialog.test_sms_to.setText("(312) 555-0142")
    with qtbot.waitSignal(dialog.testFinished, timeout=5000) as finished:
        dialog.test_sms_button.click()
    assert finished.args[0].ok
    lines = dialog.test_result.text().splitlines()
    assert lines[0].startswith("[DEV] SMS (not sent) - To: +13125550142, Message: ")
    assert lines[-1] == "[DEV] delivered: 1 logged"

    dialog.test_email_to.setText("me@example.com")
    with qtbot.waitSignal(dialog.testFinished, timeout=5000):
        dialog.test_email_button.click()
    assert (
        dialog.test_result.text()
        .splitlines()[0]
        .startswith("[DEV] EMAIL (not sent) - To: me@example.com, Subject: ")
    )


def test_supervisor_changes_team_time_zone_and_region(qtbot, boss_console):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    assert dialog.timezone.currentText() == "America/Chicago"
    dialog.timezone.setCurrentText("Europe/London")
    dialog.region.setText("gb")
    _save(qtbot, dialog)
    settings = team_settings.get_team_settings(boss_console.ctx)
    assert (settings.timezone_name, settings.region) == ("Europe/London", "GB")


def test_dispatcher_cannot_change_team_settings_and_call_center_cannot_send_tests(qtbot, make_console):  # noqa: F811
    dispatcher = _dialog(qtbot, make_console("dispatcher"))
    assert not dispatcher.timezone.isEnabled() and not dispatcher.region.isEnabled()
    call_center = _dialog(qtbot, make_console("call-center"))
    assert call_center.test_sms_button.isHidden() and call_center.test_email_button.isHidden()


def test_new_log_rotation_applies_at_once(qtbot, boss_console, home):  # noqa: F811
    import logging
    from logging.handlers import RotatingFileHandler

    from dispatch_desktop.services.console_notify import LOGGER_NAME
    from dispatch_desktop.services.workstation import start_notification_log

    start_notification_log(home, boss_console.config)
    dialog = _dialog(qtbot, boss_console)
    dialog.log_size.setValue(3)
    dialog.log_backups.setValue(2)
    _save(qtbot, dialog)
    [handler] = [h for h in logging.getLogger(LOGGER_NAME).handlers if isinstance(h, RotatingFileHandler)]
    assert (handler.maxBytes, handler.backupCount) == (3_000_000, 2)
