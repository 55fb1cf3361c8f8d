"""Settings: secrets to the keyring (never the config file), environment lock, test sends, team settings."""

import pytest

from dispatch_desktop.config import config_path, load_config
from dispatch_desktop.services import team_settings
from dispatch_desktop.ui.settings.dialog import SettingsDialog
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
    assert dialog.sms_page.twilio_token_status.text() == "Auth token: not stored"
    dialog.sms_page.twilio_sid.setText(SID)
    dialog.sms_page.twilio_number.setText("+15005550006")
    dialog.sms_page.twilio_url.setText("http://127.0.0.1:8999/")
    dialog.sms_page.twilio_token.setText(TOKEN)
    dialog.email_page.smtp_host.setText("mail.example.com")
    dialog.email_page.smtp_port.setValue(2525)
    dialog.email_page.smtp_user.setText("dispatch")
    dialog.email_page.smtp_from.setText("dispatch@example.com")
    dialog.email_page.smtp_starttls.setChecked(True)  # a password never crosses the wire in clear
    dialog.email_page.smtp_password.setText(PASSWORD)
    dialog.log_page.log_size.setValue(2)
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
        True,
    )
    assert config.log_max_bytes == 2_000_000
    assert boss_console.config == config

    # The secrets are shown only as "stored", never read back into the fields.
    assert dialog.sms_page.twilio_token.text() == "" and dialog.email_page.smtp_password.text() == ""
    assert dialog.sms_page.twilio_token_status.text() == "Auth token: stored in the OS keyring"
    assert dialog.email_page.smtp_password_status.text() == "Password: stored in the OS keyring"
    again = _dialog(qtbot, boss_console)
    assert again.sms_page.twilio_token.text() == ""
    assert again.sms_page.twilio_token.placeholderText() == "stored — type a new one to replace it"

    # Saving again without typing a secret keeps the stored one.
    again.email_page.smtp_host.setText("relay.example.com")
    _save(qtbot, again)
    assert memory_keyring.store[("dispatch-desktop", "SMTP_PASSWORD")] == PASSWORD
    assert load_config(home).smtp.host == "relay.example.com"


def test_without_a_keyring_the_dialog_explains_and_still_saves_the_rest(qtbot, boss_console, home):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    assert "install a keyring backend" in dialog.keyring_note.text()
    assert "TWILIO_AUTH_TOKEN / SMTP_PASSWORD" in dialog.keyring_note.text()
    assert not dialog.keyring_note.isHidden()
    assert not dialog.sms_page.twilio_token.isEnabled()
    dialog.email_page.smtp_host.setText("relay.local")
    dialog.email_page.smtp_from.setText("dispatch@example.com")
    _save(qtbot, dialog)
    assert load_config(home).smtp.host == "relay.local"


def test_a_locked_keyring_is_named_as_locked_not_as_missing(qtbot, boss_console, memory_keyring):  # noqa: F811
    memory_keyring.store[("dispatch-desktop", "TWILIO_AUTH_TOKEN")] = TOKEN
    memory_keyring.locked = True
    dialog = _dialog(qtbot, boss_console)
    assert dialog.sms_page.twilio_token_status.text() == "Auth token: cannot tell: the OS keyring is locked"
    assert dialog.sms_page.twilio_token.placeholderText() == "cannot tell: the OS keyring is locked"
    note = dialog.keyring_note.text()
    assert note.startswith(
        "Secrets cannot be read or stored on this computer: the OS keyring is locked; unlock it"
    )
    assert "gnome-keyring-daemon --replace --unlock" in note and "install" not in note
    assert not dialog.keyring_note.isHidden() and not dialog.sms_page.twilio_token.isEnabled()


def test_a_bad_value_is_refused_with_the_reason(qtbot, boss_console, memory_keyring):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    dialog.sms_page.twilio_sid.setText("not-a-sid")
    dialog.sms_page.twilio_token.setText(TOKEN)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.message.is_error)
    assert "does not look like a Twilio account SID" in dialog.message.text()
    assert memory_keyring.store == {}


def test_flask_env_locks_the_environment_and_says_why(qtbot, boss_console, monkeypatch, home):  # noqa: F811
    monkeypatch.setenv("FLASK_ENV", "production")
    dialog = _dialog(qtbot, boss_console)
    assert not dialog.environment_page.environment.isEnabled()
    assert dialog.environment_page.environment.currentData() == "production"
    assert dialog.environment_page.environment_note.text().startswith(
        "Locked: production (from FLASK_ENV=production)."
    )
    _save(qtbot, dialog)
    assert load_config(home).environment is None


def test_environment_chosen_here_is_saved_for_this_workstation(qtbot, boss_console, home):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    assert (
        dialog.environment_page.environment_note.text() == "Now: development (default: FLASK_ENV is not set)."
    )
    assert dialog.environment_page.production_warning.isHidden()
    dialog.environment_page.environment.setCurrentIndex(
        dialog.environment_page.environment.findData("production")
    )
    assert not dialog.environment_page.production_warning.isHidden()
    _save(qtbot, dialog)
    assert load_config(home).environment == "production"
    assert dialog.environment_page.environment_note.text() == "Now: production (from config file=production)."


def test_send_test_sms_and_email_in_development_only_logs(qtbot, boss_console):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    dialog.sms_page.test_sms_to.setText("(312) 555-0142")
    with qtbot.waitSignal(dialog.testFinished, timeout=5000) as finished:
        dialog.sms_page.test_sms_button.click()
    assert finished.args[0].ok
    lines = dialog.test_result.text().splitlines()
    assert lines[0].startswith("[DEV] SMS (not sent) - To: +13125550142, Message: ")
    assert lines[-1] == "[DEV] delivered: 1 logged"

    dialog.email_page.test_email_to.setText("me@example.com")
    with qtbot.waitSignal(dialog.testFinished, timeout=5000):
        dialog.email_page.test_email_button.click()
    assert (
        dialog.test_result.text()
        .splitlines()[0]
        .startswith("[DEV] EMAIL (not sent) - To: me@example.com, Subject: ")
    )


def test_supervisor_changes_team_time_zone_and_region(qtbot, boss_console):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    assert dialog.team_page.timezone.currentText() == "America/Chicago"
    dialog.team_page.timezone.setCurrentText("Europe/London")
    dialog.team_page.region.setText("gb")
    _save(qtbot, dialog)
    settings = team_settings.get_team_settings(boss_console.ctx)
    assert (settings.timezone_name, settings.region) == ("Europe/London", "GB")


def test_supervisor_sets_the_teams_language(qtbot, boss_console):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    language = dialog.team_page.language
    assert (language.currentText(), language.count()) == ("English", 2)
    language.setCurrentIndex(language.findData("es"))
    _save(qtbot, dialog)
    assert team_settings.get_team_settings(boss_console.ctx).language == "es"


def test_supervisor_sets_reminders_quiet_hours_and_the_customer_hold(qtbot, boss_console):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    page = dialog.team_page
    assert (page.reminders.text(), page.quiet_hours.text(), page.customer_hold.value()) == ("off", "off", 0)
    page.reminders.setText("2h, 1d,90m")
    page.quiet_hours.setText("22:00-07:30")
    page.customer_hold.setValue(30)
    _save(qtbot, dialog)
    settings = team_settings.get_team_settings(boss_console.ctx)
    assert (str(settings.quiet_hours), settings.customer_hold_seconds) == ("22:00-07:30", 30)
    assert page.reminders.text() == "24h,2h,90m"  # read back as stored: largest first


def test_a_bad_quiet_hours_window_is_refused_with_the_reason(qtbot, boss_console):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    dialog.team_page.quiet_hours.setText("9pm-8am")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "is not a window like 21:00-08:00" in dialog.message.text())
    assert team_settings.get_team_settings(boss_console.ctx).quiet_hours is None


def test_dispatcher_cannot_change_team_settings_and_call_center_cannot_send_tests(qtbot, make_console):  # noqa: F811
    dispatcher = _dialog(qtbot, make_console("dispatcher"))
    assert not dispatcher.team_page.timezone.isEnabled() and not dispatcher.team_page.region.isEnabled()
    call_center = _dialog(qtbot, make_console("call-center"))
    assert (
        call_center.sms_page.test_sms_button.isHidden()
        and call_center.email_page.test_email_button.isHidden()
    )


def test_new_log_rotation_applies_at_once(qtbot, boss_console, home):  # noqa: F811
    import logging
    from logging.handlers import RotatingFileHandler

    from dispatch_desktop.services.console_notify import LOGGER_NAME
    from dispatch_desktop.services.workstation import start_notification_log

    start_notification_log(home, boss_console.config)
    dialog = _dialog(qtbot, boss_console)
    dialog.log_page.log_size.setValue(3)
    dialog.log_page.log_backups.setValue(2)
    _save(qtbot, dialog)
    [handler] = [h for h in logging.getLogger(LOGGER_NAME).handlers if isinstance(h, RotatingFileHandler)]
    assert (handler.maxBytes, handler.backupCount) == (3_000_000, 2)


# --- Office 365: sign-in mode, OAuth2 client secret, basic-auth retirement warning (issue 7) ---------

OFFICE365 = "smtp.office365.com"
TENANT_ID = "8f3c2b1a-4d5e-4f60-9a7b-1c2d3e4f5a6b"
CLIENT_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
CLIENT_SECRET = "o365~secret~Qx7.Zr2_Lk9"
MAILBOX = "dispatch@contoso.com"
OFFICE365_ENV = ("SMTP_AUTH", "O365_TENANT_ID", "O365_CLIENT_ID", "O365_CLIENT_SECRET", "O365_AUTHORITY")


@pytest.fixture(autouse=True)
def no_office365_env(monkeypatch):
    for name in OFFICE365_ENV:
        monkeypatch.delenv(name, raising=False)


def _fill_oauth2(dialog: SettingsDialog) -> None:
    dialog.email_page.smtp_host.setText(OFFICE365)
    dialog.email_page.smtp_port.setValue(587)
    dialog.email_page.smtp_user.setText(MAILBOX)
    dialog.email_page.smtp_from.setText(MAILBOX)
    dialog.email_page.smtp_starttls.setChecked(True)
    dialog.email_page.smtp_auth_mode.setCurrentIndex(dialog.email_page.smtp_auth_mode.findData("oauth2"))
    dialog.email_page.o365_tenant.setText(TENANT_ID)
    dialog.email_page.o365_client.setText(CLIENT_ID)
    dialog.email_page.o365_secret.setText(CLIENT_SECRET)


def _row_shown(dialog: SettingsDialog, field) -> bool:
    return dialog.email_page.smtp_form.isRowVisible(field)


def test_office365_host_with_a_password_warns_while_typing(qtbot, boss_console, memory_keyring):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    assert dialog.email_page.smtp_auth_mode.currentData() == "password"
    assert dialog.email_page.smtp_auth_warning.isHidden()
    dialog.email_page.smtp_host.setText(OFFICE365)
    assert not dialog.email_page.smtp_auth_warning.isHidden()
    warning = dialog.email_page.smtp_auth_warning.text()
    assert warning.startswith("smtp.office365.com is Office 365") and "MC786329" in warning
    assert "end of December 2026" in warning and "535 5.7.139" in warning
    # OAuth2 is the fix: the warning goes, and the password row makes way for the app registration.
    dialog.email_page.smtp_auth_mode.setCurrentIndex(dialog.email_page.smtp_auth_mode.findData("oauth2"))
    assert dialog.email_page.smtp_auth_warning.isHidden()
    assert not _row_shown(dialog, dialog.email_page.smtp_password)
    assert all(
        _row_shown(dialog, f)
        for f in (dialog.email_page.o365_tenant, dialog.email_page.o365_client, dialog.email_page.o365_secret)
    )
    assert dialog.email_page.smtp_form.labelForField(dialog.email_page.smtp_user).text() == "Mailbox"
    dialog.email_page.smtp_auth_mode.setCurrentIndex(dialog.email_page.smtp_auth_mode.findData("password"))
    assert not dialog.email_page.smtp_auth_warning.isHidden()
    assert _row_shown(dialog, dialog.email_page.smtp_password) and not _row_shown(
        dialog, dialog.email_page.o365_secret
    )
    dialog.email_page.smtp_host.setText("mail.example.com")
    assert dialog.email_page.smtp_auth_warning.isHidden()


def test_a_saved_office365_password_setup_is_warned_about_on_opening(qtbot, make_console):  # noqa: F811
    from dispatch_desktop.config import Config, SmtpConfig

    config = Config(smtp=SmtpConfig(host=OFFICE365, user=MAILBOX, from_address=MAILBOX))
    dialog = _dialog(qtbot, make_console(config=config))
    assert not dialog.email_page.smtp_auth_warning.isHidden()
    assert "MC786329" in dialog.email_page.smtp_auth_warning.text()
    assert dialog.email_page.smtp_auth_warning.text() == dialog.email_page.email_state.warning


def test_saving_oauth2_puts_the_client_secret_in_the_keyring_only(qtbot, boss_console, memory_keyring, home):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    assert dialog.email_page.o365_secret_status.text() == "Client secret: not stored"
    _fill_oauth2(dialog)
    _save(qtbot, dialog)

    assert memory_keyring.store == {("dispatch-desktop", "O365_CLIENT_SECRET"): CLIENT_SECRET}
    written = config_path(home).read_text(encoding="utf-8")
    assert CLIENT_SECRET not in written
    smtp = load_config(home).smtp
    assert (smtp.host, smtp.user, smtp.auth_mode, smtp.tenant_id, smtp.client_id) == (
        OFFICE365,
        MAILBOX,
        "oauth2",
        TENANT_ID,
        CLIENT_ID,
    )
    assert smtp.authority == "https://login.microsoftonline.com"
    assert boss_console.config.smtp == smtp
    # Shown as stored, never read back into the field; no retirement warning with OAuth2.
    assert dialog.email_page.o365_secret.text() == ""
    assert dialog.email_page.o365_secret_status.text() == "Client secret: stored in the OS keyring"
    assert dialog.email_page.smtp_auth_warning.isHidden()
    again = _dialog(qtbot, boss_console)
    assert again.email_page.smtp_auth_mode.currentData() == "oauth2"
    assert (
        again.email_page.o365_tenant.text(),
        again.email_page.o365_client.text(),
        again.email_page.o365_secret.text(),
    ) == (
        TENANT_ID,
        CLIENT_ID,
        "",
    )
    assert again.email_page.o365_secret.placeholderText() == "stored — type a new one to replace it"

    # Saving again without typing the secret keeps it; back to a password keeps the ids for later.
    again.email_page.smtp_from.setText("bookings@contoso.com")
    _save(qtbot, again)
    assert memory_keyring.store[("dispatch-desktop", "O365_CLIENT_SECRET")] == CLIENT_SECRET
    again.email_page.smtp_auth_mode.setCurrentIndex(again.email_page.smtp_auth_mode.findData("password"))
    again.email_page.smtp_password.setText(PASSWORD)
    assert not again.email_page.smtp_auth_warning.isHidden()
    _save(qtbot, again)
    smtp = load_config(home).smtp
    assert (smtp.auth_mode, smtp.tenant_id, smtp.client_id) == ("password", TENANT_ID, CLIENT_ID)
    assert memory_keyring.store[("dispatch-desktop", "SMTP_PASSWORD")] == PASSWORD
    assert not again.email_page.smtp_auth_warning.isHidden()  # saved: Office 365 with a password again


def test_a_wrong_client_id_is_refused_before_anything_is_stored(qtbot, boss_console, memory_keyring, home):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    _fill_oauth2(dialog)
    dialog.email_page.o365_client.setText("my-app")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.message.is_error)
    assert "client id 'my-app' is not a GUID" in dialog.message.text()
    assert memory_keyring.store == {}
    assert load_config(home).smtp.auth_mode == "password"


def test_smtp_auth_locks_the_sign_in_mode(qtbot, boss_console, memory_keyring, monkeypatch, home):  # noqa: F811
    monkeypatch.setenv("SMTP_AUTH", "oauth2")
    dialog = _dialog(qtbot, boss_console)
    assert not dialog.email_page.smtp_auth_mode.isEnabled()
    assert dialog.email_page.smtp_auth_mode.currentData() == "oauth2"
    assert dialog.email_page.smtp_auth_note.text().startswith("Locked: oauth2 (from SMTP_AUTH).")
    assert not dialog.email_page.smtp_auth_note.isHidden()
    assert _row_shown(dialog, dialog.email_page.o365_secret)
    # The app registration is saved; the config file's own mode stays as it was.
    _fill_oauth2(dialog)
    _save(qtbot, dialog)
    smtp = load_config(home).smtp
    assert (smtp.auth_mode, smtp.tenant_id, smtp.client_id) == ("password", TENANT_ID, CLIENT_ID)
    assert memory_keyring.store == {("dispatch-desktop", "O365_CLIENT_SECRET"): CLIENT_SECRET}
    assert not dialog.email_page.smtp_auth_mode.isEnabled()


def test_office365_env_values_are_read_only(qtbot, boss_console, memory_keyring, monkeypatch, home):  # noqa: F811
    """Values from O365_* are shown read-only, and not copied into the config file."""
    monkeypatch.setenv("O365_TENANT_ID", TENANT_ID)
    monkeypatch.setenv("O365_CLIENT_SECRET", CLIENT_SECRET)
    dialog = _dialog(qtbot, boss_console)
    _fill_oauth2(dialog)
    dialog.email_page.o365_secret.clear()
    _save(qtbot, dialog)
    assert dialog.email_page.o365_tenant.isReadOnly() and dialog.email_page.o365_tenant.text() == TENANT_ID
    assert "O365_TENANT_ID" in dialog.email_page.o365_tenant.toolTip()
    assert not dialog.email_page.o365_client.isReadOnly()
    assert dialog.email_page.o365_secret.text() == ""
    assert dialog.email_page.o365_secret_status.text() == (
        "Client secret: set by an environment variable (it overrides the keyring)"
    )
    assert memory_keyring.store == {}
    written = config_path(home).read_text(encoding="utf-8")
    assert CLIENT_SECRET not in written
    assert load_config(home).smtp.client_id == CLIENT_ID


def test_the_two_way_switch_and_the_messaging_service_save_where_they_are_read(qtbot, boss_console, home):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    assert not dialog.team_page.two_way_sms.isChecked()
    dialog.team_page.two_way_sms.setChecked(True)
    service = "MG" + "0123456789abcdef" * 2
    dialog.sms_page.twilio_service.setText(f" {service} ")
    _save(qtbot, dialog)
    assert team_settings.get_team_settings(boss_console.ctx).two_way_sms
    assert load_config(home).twilio.messaging_service_sid == service
    assert f'messaging_service_sid = "{service}"' in config_path(home).read_text(encoding="utf-8")
    again = _dialog(qtbot, boss_console)
    assert again.team_page.two_way_sms.isChecked() and again.sms_page.twilio_service.text() == service

    again.sms_page.twilio_service.setText("")  # texts go from the number again
    again.team_page.two_way_sms.setChecked(False)
    _save(qtbot, again)
    assert load_config(home).twilio.messaging_service_sid is None
    assert not team_settings.get_team_settings(boss_console.ctx).two_way_sms


def test_a_malformed_messaging_service_is_refused_and_nothing_is_saved(qtbot, boss_console, home):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    dialog.sms_page.twilio_service.setText("MG123")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "Messaging Service SID 'MG123' does not look like one" in dialog.message.text())
    assert load_config(home).twilio.messaging_service_sid is None


def test_the_dialog_fits_a_small_screen_with_save_in_reach(qtbot, boss_console):  # noqa: F811
    dialog = _dialog(qtbot, boss_console)
    screen = dialog.screen().availableGeometry()
    dialog.resize(640, screen.height() + 300)  # as it asks for 760 on a 1024x700 screen
    dialog.show()
    qtbot.waitExposed(dialog)
    assert screen.contains(dialog.frameGeometry())
    assert dialog.save_button.isVisible() and not dialog.save_button.visibleRegion().isEmpty()
