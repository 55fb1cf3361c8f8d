"""Workstation and team settings: one page per concern, assembled in one scrolling dialog.

Pages: environment_page (log or send), sms_page (Twilio), email_page (SMTP, password or Office 365
OAuth2), team_page (time zone, phone region, company, language, reminders, quiet hours, customer hold),
log_page (log file rotation), and for supervisors a second tab, templates_page (the message
templates, which save on their own Save). The dialog loads what
they show on a worker (a keyring may block), saves them through services.workstation_settings, and
runs the test sends. Secrets go to the OS keyring and are never read back into a field.
"""

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from dispatch_desktop.config import Config
from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.services import email_auth, team_settings
from dispatch_desktop.services.console_notify import (
    CredentialsState,
    TestSendResult,
    load_credentials_state,
    send_test,
)
from dispatch_desktop.services.workstation_settings import SettingsChange, save_settings
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.message_line import MessageLine, error_style
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.screen import fit_to_screen
from dispatch_desktop.ui.settings.email_page import EmailPage
from dispatch_desktop.ui.settings.environment_page import EnvironmentPage
from dispatch_desktop.ui.settings.log_page import LogPage
from dispatch_desktop.ui.settings.sms_page import SmsPage
from dispatch_desktop.ui.settings.team_page import TeamPage
from dispatch_desktop.ui.settings.templates_page import TemplatesPage

Loaded = tuple[CredentialsState, TeamSettings, email_auth.EmailAuthState]
TEMPLATES_SIZE = (980, 660)  # room for an editor beside its variables, within a 1024x700 screen


class SettingsDialog(QDialog):
    saved = Signal(object)  # the new Config
    loaded = Signal()
    testFinished = Signal(object)  # TestSendResult or Exception

    def __init__(self, console: ConsoleContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.may_test = console.can(Permission.MANAGE_OUTBOX)
        self.state: CredentialsState | None = None
        self.load_count = 0
        self.setWindowTitle(self.tr("Settings"))
        self.resize(640, 760)

        self.environment_page = EnvironmentPage()
        self.keyring_note = PlainLabel()
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setStyleSheet(error_style())
        self.keyring_note.hide()
        self.sms_page = SmsPage()
        self.sms_page.test_sms_button.clicked.connect(self.send_test_sms)
        self.email_page = EmailPage(console.config)
        self.email_page.test_email_button.clicked.connect(self.send_test_email)
        self.test_result = PlainLabel()
        self.test_result.setWordWrap(True)
        self.test_result.hide()
        tests_note = PlainLabel(
            self.tr("Test messages use the saved settings and go through the outbox like real ones.")
        )
        tests_note.setWordWrap(True)
        for widget in (
            self.sms_page.test_sms_to,
            self.sms_page.test_sms_button,
            self.email_page.test_email_to,
            self.email_page.test_email_button,
            tests_note,
        ):
            widget.setVisible(self.may_test)
        self.team_page = TeamPage(console.can(Permission.MANAGE_SETTINGS))
        self.log_page = LogPage()

        content = QWidget()
        content_layout = QVBoxLayout(content)
        for part in (
            self.environment_page,
            self.keyring_note,
            self.sms_page,
            self.email_page,
            tests_note,
            self.test_result,
            self.team_page,
            self.log_page,
        ):
            content_layout.addWidget(part)
        content_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)

        self.message = MessageLine()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        self.templates_page: TemplatesPage | None = None
        self.tabs: QTabWidget | None = None
        if console.can(Permission.MANAGE_SETTINGS):
            self.templates_page = TemplatesPage(console)
            self.tabs = QTabWidget()
            self.tabs.addTab(scroll, self.tr("&General"))
            self.tabs.addTab(self.templates_page, self.tr("&Templates"))
            self.tabs.currentChanged.connect(self._tab_shown)
            layout.addWidget(self.tabs, 1)
        else:
            layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.save_button.setEnabled(False)
        self._show_config(console.config)
        self.environment_page.warn_production()
        self.reload()

    def show_templates(self) -> TemplatesPage | None:
        if self.tabs is not None and self.templates_page is not None:
            self.tabs.setCurrentWidget(self.templates_page)
        return self.templates_page

    def _tab_shown(self, _index: int) -> None:
        templates = self.tabs is not None and self.tabs.currentWidget() is self.templates_page
        # The templates save on their own button: the dialog's Save is the other settings'.
        self.save_button.setVisible(not templates)
        if templates:  # room for an editor beside its variables, within the screen
            screen = self.screen().availableGeometry()
            width, height = TEMPLATES_SIZE
            self.resize(
                min(max(self.width(), width), screen.width()),
                min(max(self.height(), height), screen.height()),
            )

    def reject(self) -> None:
        """Close (Esc), but ask first when a template has changes that are not saved."""
        page = self.templates_page
        if page is not None and page.edited():
            self.show_templates()
            page.confirm_leave(super().reject)
        else:
            super().reject()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_to_screen(self)  # on a 1024x700 screen the Save button must stay in reach; the pages scroll

    # --- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        ctx, config = self.console.ctx, self.console.config

        def work() -> Loaded:
            return (
                load_credentials_state(config),
                team_settings.get_team_settings(ctx),
                email_auth.load_email_auth_state(config),  # reads the keyring
            )

        run_for(self, self.console.ops, work, self._loaded, self.message.show_error)

    def _show_config(self, config: Config) -> None:
        self.sms_page.show_config(config)
        self.email_page.show_config(config)
        self.log_page.show_config(config)
        self.environment_page.show_configured(config.environment)

    def _loaded(self, result: Loaded) -> None:
        state, team, email_state = result
        self.state = state
        self.email_page.show_state(state, email_state)
        self.sms_page.show_state(state)
        if state.keyring_problem:
            self.keyring_note.setText(
                self.tr(
                    "Secrets cannot be read or stored on this computer: %s. The other settings still save."
                )
                % state.keyring_problem
            )
            self.keyring_note.show()
        else:
            self.keyring_note.hide()
        self.environment_page.show_state(state)
        self.team_page.show_team(team)
        self.save_button.setEnabled(True)
        self.load_count += 1
        self.loaded.emit()

    # --- saving ---------------------------------------------------------------------------

    def change(self) -> SettingsChange:
        sms, email, team, saved = self.sms_page, self.email_page, self.team_page, self.console.config.smtp
        team_changed, clock_changed = team.changed(), team.clock_changed()
        return SettingsChange(
            environment=self.environment_page.chosen(),
            twilio_account_sid=sms.twilio_sid.text(),
            twilio_phone_number=sms.twilio_number.text(),
            twilio_api_base_url=sms.twilio_url.text(),
            twilio_auth_token=sms.twilio_token.text(),
            twilio_messaging_service_sid=sms.twilio_service.text(),
            smtp_host=email.smtp_host.text(),
            smtp_port=email.smtp_port.value(),
            smtp_user=email.smtp_user.text(),
            smtp_from=email.smtp_from.text(),
            smtp_starttls=email.smtp_starttls.isChecked(),
            smtp_password=email.smtp_password.text(),
            smtp_auth_mode=email.auth_mode(),
            smtp_auth_locked=email.mode_locked(),
            o365_tenant_id=email.o365_value(email.o365_tenant, saved.tenant_id),
            o365_client_id=email.o365_value(email.o365_client, saved.client_id),
            o365_client_secret=email.o365_secret.text(),
            o365_authority=email.o365_value(email.o365_authority, saved.authority),
            log_max_mb=self.log_page.log_size.value(),
            log_backups=self.log_page.log_backups.value(),
            timezone_name=team.timezone.currentText().strip() if team_changed else None,
            region=team.region.text().strip() if team_changed else None,
            reminders=team.reminders.text() if clock_changed else None,
            quiet_hours=team.quiet_hours.text() if clock_changed else None,
            customer_hold_seconds=team.customer_hold.value() if clock_changed else None,
            company_name=team.company_name.text() if team_changed else None,
            company_phone=team.company_phone.text() if team_changed else None,
            language=team.language.currentData() if team_changed else None,
            two_way_sms=team.two_way_sms.isChecked() if team_changed else None,
            week_start=team.chosen_week_start() if team_changed else None,
        )

    def save(self) -> None:
        change, ctx, home, config = self.change(), self.console.ctx, self.console.home, self.console.config
        self.save_button.setEnabled(False)
        self.message.show_info(self.tr("Saving…"))
        run_for(
            self,
            self.console.ops,
            lambda: save_settings(ctx, home, config, change),
            self._saved,
            self._refused,
            changes=Change.SETTINGS | Change.SIGN_IN,
        )

    def _saved(self, config: Config) -> None:
        self.console.use_config(config)
        self.message.show_info(self.tr("Saved. Secrets, if any were typed, are in the OS keyring."))
        self.saved.emit(config)
        self._show_config(config)
        self.reload()

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        self.message.show_error(error)

    # --- test sends -----------------------------------------------------------------------

    def _test_buttons(self) -> tuple[QWidget, QWidget]:
        return self.sms_page.test_sms_button, self.email_page.test_email_button

    def send_test_sms(self) -> None:
        self._send_test(sms=self.sms_page.test_sms_to.text().strip() or None, email=None)

    def send_test_email(self) -> None:
        self._send_test(sms=None, email=self.email_page.test_email_to.text().strip() or None)

    def _send_test(self, *, sms: str | None, email: str | None) -> None:
        ctx, config = self.console.ctx, self.console.config
        for button in self._test_buttons():
            button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText(self.tr("Sending the test message…"))
        self.test_result.show()
        run_for(
            self,
            self.console.ops,
            lambda: send_test(ctx, config, sms=sms, email=email),
            self._tested,
            self._test_failed,
            changes=Change.OUTBOX,
        )

    def _tested(self, result: TestSendResult) -> None:
        self._test_done()
        self.test_result.setStyleSheet("" if result.ok else error_style())
        self.test_result.setText("\n".join([*result.lines(), result.summary]))
        self.testFinished.emit(result)

    def _test_failed(self, error: Exception) -> None:
        self._test_done()
        self.test_result.setStyleSheet(error_style())
        self.test_result.setText(one_line(error))
        self.testFinished.emit(error)

    def _test_done(self) -> None:
        for button in self._test_buttons():
            button.setEnabled(True)
