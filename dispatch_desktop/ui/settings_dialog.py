"""Workstation and team settings: environment, Twilio and SMTP, test sends, time zone, phone region, log size.

Secrets (Twilio auth token, SMTP password) go to the OS keyring through the notifier's
credentials API and are never read back into a field: the dialog only says whether one is
stored and where it comes from. Everything runs on a worker, since a keyring may block.
"""

from dataclasses import dataclass
from zoneinfo import available_timezones

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.config import Config
from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.services import team_settings
from dispatch_desktop.services.console_notify import (
    CredentialsState,
    TestSendResult,
    load_credentials_state,
    save_environment,
    save_log_rotation,
    save_smtp,
    save_twilio,
    send_test,
)
from dispatch_desktop.ui.console import ConsoleContext
from dispatch_desktop.ui.operations import one_line
from dispatch_desktop.ui.pane_helpers import MessageLine, error_style, run_for

MB = 1_000_000


@dataclass(frozen=True)
class SettingsForm:
    """What the person typed, captured on the UI thread and saved on a worker."""

    environment: str | None  # None: leave as it is (FLASK_ENV decides)
    twilio_account_sid: str
    twilio_phone_number: str
    twilio_api_base_url: str
    twilio_auth_token: str
    smtp_host: str
    smtp_port: int
    smtp_user: str
    smtp_from: str
    smtp_starttls: bool
    smtp_password: str
    log_max_mb: int
    log_backups: int
    timezone_name: str | None  # None: not changed (or not allowed)
    region: str | None


class SettingsDialog(QDialog):
    saved = Signal(object)  # the new Config
    loaded = Signal()
    testFinished = Signal(object)  # TestSendResult or Exception

    def __init__(self, console: ConsoleContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.may_manage_team = console.can(Permission.MANAGE_SETTINGS)
        self.may_test = console.can(Permission.MANAGE_OUTBOX)
        self.state: CredentialsState | None = None
        self.team: TeamSettings | None = None
        self.load_count = 0
        self.setWindowTitle(self.tr("Settings"))
        self.resize(640, 760)

        # Environment
        self.environment = QComboBox()
        self.environment.addItem(self.tr("Development: only log notifications"), "development")
        self.environment.addItem(self.tr("Production: send SMS and email for real"), "production")
        self.environment_note = QLabel()
        self.environment_note.setWordWrap(True)
        environment_box = QGroupBox(self.tr("Environment"))
        environment_form = QFormLayout(environment_box)
        environment_form.addRow(self.tr("This workstation"), self.environment)
        environment_form.addRow(self.environment_note)
        self.production_warning = QLabel(
            self.tr("Production sends real SMS and email to customers and agents from this workstation.")
        )
        self.production_warning.setWordWrap(True)
        self.production_warning.setStyleSheet(error_style())
        environment_form.addRow(self.production_warning)
        self.environment.currentIndexChanged.connect(self._warn_production)

        # Keyring
        self.keyring_note = QLabel()
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setStyleSheet(error_style())
        self.keyring_note.hide()

        # Twilio
        self.twilio_sid = QLineEdit()
        self.twilio_sid.setPlaceholderText("AC…")
        self.twilio_number = QLineEdit()
        self.twilio_number.setPlaceholderText(self.tr("sending number, e.g. +15551234567"))
        self.twilio_url = QLineEdit()
        self.twilio_url.setPlaceholderText("https://api.twilio.com")
        self.twilio_token = QLineEdit()
        self.twilio_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.twilio_token_status = QLabel()
        self.test_sms_to = QLineEdit()
        self.test_sms_to.setPlaceholderText(self.tr("number to text, e.g. +13125550142"))
        self.test_sms_button = QPushButton(self.tr("Send test &SMS"))
        self.test_sms_button.clicked.connect(self.send_test_sms)
        twilio_box = QGroupBox(self.tr("Twilio (SMS)"))
        twilio_form = QFormLayout(twilio_box)
        twilio_form.addRow(self.tr("Account SID"), self.twilio_sid)
        twilio_form.addRow(self.tr("Phone number"), self.twilio_number)
        twilio_form.addRow(self.tr("API base URL"), self.twilio_url)
        twilio_form.addRow(self.tr("Auth token"), self.twilio_token)
        twilio_form.addRow("", self.twilio_token_status)
        twilio_form.addRow(self.tr("Test"), self._row(self.test_sms_to, self.test_sms_button))

        # SMTP
        self.smtp_host = QLineEdit()
        self.smtp_port = QSpinBox()
        self.smtp_port.setRange(1, 65535)
        self.smtp_user = QLineEdit()
        self.smtp_from = QLineEdit()
        self.smtp_from.setPlaceholderText(self.tr("e.g. dispatch@yourcompany.com"))
        self.smtp_starttls = QCheckBox(self.tr("Use STARTTLS (turn off only for a plain local relay)"))
        self.smtp_password = QLineEdit()
        self.smtp_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.smtp_password_status = QLabel()
        self.test_email_to = QLineEdit()
        self.test_email_to.setPlaceholderText(self.tr("address to mail"))
        self.test_email_button = QPushButton(self.tr("Send test &email"))
        self.test_email_button.clicked.connect(self.send_test_email)
        smtp_box = QGroupBox(self.tr("SMTP (email)"))
        smtp_form = QFormLayout(smtp_box)
        smtp_form.addRow(self.tr("Host"), self.smtp_host)
        smtp_form.addRow(self.tr("Port"), self.smtp_port)
        smtp_form.addRow(self.tr("User"), self.smtp_user)
        smtp_form.addRow(self.tr("Password"), self.smtp_password)
        smtp_form.addRow("", self.smtp_password_status)
        smtp_form.addRow(self.tr("From"), self.smtp_from)
        smtp_form.addRow("", self.smtp_starttls)
        smtp_form.addRow(self.tr("Test"), self._row(self.test_email_to, self.test_email_button))
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.test_result.hide()
        tests_note = QLabel(
            self.tr("Test messages use the saved settings and go through the outbox like real ones.")
        )
        tests_note.setWordWrap(True)
        for widget in (self.test_sms_to, self.test_sms_button, self.test_email_to, self.test_email_button):
            widget.setVisible(self.may_test)
        tests_note.setVisible(self.may_test)

        # Team
        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.addItems(sorted(available_timezones()))
        self.region = QLineEdit()
        self.region.setMaxLength(2)
        self.region.setPlaceholderText("US")
        team_box = QGroupBox(self.tr("Team (shared by every workstation)"))
        team_form = QFormLayout(team_box)
        team_form.addRow(self.tr("Business time zone"), self.timezone)
        team_form.addRow(self.tr("Default phone region"), self.region)
        if not self.may_manage_team:
            self.timezone.setEnabled(False)
            self.region.setEnabled(False)
            team_form.addRow(QLabel(self.tr("Only supervisors change team settings.")))

        # Log
        self.log_size = QSpinBox()
        self.log_size.setRange(1, 1000)
        self.log_size.setSuffix(" MB")
        self.log_backups = QSpinBox()
        self.log_backups.setRange(0, 100)
        log_box = QGroupBox(self.tr("Notification log file"))
        log_form = QFormLayout(log_box)
        log_form.addRow(self.tr("Rotate after"), self.log_size)
        log_form.addRow(self.tr("Keep old files"), self.log_backups)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        for widget in (
            environment_box,
            self.keyring_note,
            twilio_box,
            smtp_box,
            tests_note,
            self.test_result,
            team_box,
            log_box,
        ):
            content_layout.addWidget(widget)
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
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.save_button.setEnabled(False)
        self._fill_config(console.config)
        self._warn_production()
        self.reload()

    def _warn_production(self, *_: object) -> None:
        self.production_warning.setVisible(self.environment.currentData() == "production")

    def _secret_status(self, source: str) -> str:
        if source == "keyring":
            return self.tr("stored in the OS keyring")
        if source == "env":
            return self.tr("set by an environment variable (it overrides the keyring)")
        return self.tr("not stored")

    def _row(self, *widgets: QWidget) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            layout.addWidget(widget)
        return row

    # --- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        ctx, config = self.console.ctx, self.console.config

        def work() -> tuple[CredentialsState, TeamSettings]:
            return load_credentials_state(config), team_settings.get_team_settings(ctx)

        run_for(self, work, self._loaded, self.message.show_error)

    def _fill_config(self, config: Config) -> None:
        self.twilio_sid.setText(config.twilio.account_sid or "")
        self.twilio_number.setText(config.twilio.phone_number or "")
        self.twilio_url.setText(config.twilio.api_base_url or "")
        self.smtp_host.setText(config.smtp.host or "")
        self.smtp_port.setValue(config.smtp.port)
        self.smtp_user.setText(config.smtp.user or "")
        self.smtp_from.setText(config.smtp.from_address or "")
        self.smtp_starttls.setChecked(config.smtp.starttls)
        self.log_size.setValue(max(1, round(config.log_max_bytes / MB)))
        self.log_backups.setValue(config.log_backup_count)
        configured = (config.environment or "").strip().lower()
        self.environment.setCurrentIndex(1 if configured == "production" else 0)

    def _loaded(self, result: tuple[CredentialsState, TeamSettings]) -> None:
        self.state, self.team = result
        state = self.state
        self.twilio_token.clear()
        self.smtp_password.clear()
        self.twilio_token_status.setText(
            self.tr("Auth token: %s") % self._secret_status(state.twilio_token_source)
        )
        self.smtp_password_status.setText(
            self.tr("Password: %s") % self._secret_status(state.smtp_password_source)
        )
        for field, stored in (
            (self.twilio_token, state.twilio_token_stored),
            (self.smtp_password, state.smtp_password_stored),
        ):
            field.setPlaceholderText(
                self.tr("stored — type a new one to replace it") if stored else self.tr("not stored")
            )
        if state.keyring_problem:
            self.keyring_note.setText(
                self.tr("Secrets cannot be stored on this computer: %s. The other settings still save.")
                % state.keyring_problem
            )
            self.keyring_note.show()
        else:
            self.keyring_note.hide()
        for field in (self.twilio_token, self.smtp_password):
            field.setEnabled(state.keyring_problem is None)
        if state.environment_locked:
            self.environment.setEnabled(False)
            self.environment.setCurrentIndex(1 if state.environment_production else 0)
            self.environment_note.setText(
                self.tr(
                    "Locked: %s. FLASK_ENV is set where this program was started and always wins; "
                    "unset it to choose here."
                )
                % state.environment_description
            )
        else:
            self.environment.setEnabled(True)
            self.environment_note.setText(self.tr("Now: %s.") % state.environment_description)
        if self.team is not None:
            self.timezone.setCurrentText(self.team.timezone_name)
            self.region.setText(self.team.region)
        self.save_button.setEnabled(True)
        self.load_count += 1
        self.loaded.emit()

    # --- saving ---------------------------------------------------------------------------

    def form(self) -> SettingsForm:
        locked = self.state is not None and self.state.environment_locked
        team_changed = (
            self.may_manage_team
            and self.team is not None
            and (
                self.timezone.currentText().strip() != self.team.timezone_name
                or self.region.text().strip().upper() != self.team.region
            )
        )
        return SettingsForm(
            environment=None if locked else self.environment.currentData(),
            twilio_account_sid=self.twilio_sid.text(),
            twilio_phone_number=self.twilio_number.text(),
            twilio_api_base_url=self.twilio_url.text(),
            twilio_auth_token=self.twilio_token.text(),
            smtp_host=self.smtp_host.text(),
            smtp_port=self.smtp_port.value(),
            smtp_user=self.smtp_user.text(),
            smtp_from=self.smtp_from.text(),
            smtp_starttls=self.smtp_starttls.isChecked(),
            smtp_password=self.smtp_password.text(),
            log_max_mb=self.log_size.value(),
            log_backups=self.log_backups.value(),
            timezone_name=self.timezone.currentText().strip() if team_changed else None,
            region=self.region.text().strip() if team_changed else None,
        )

    def save(self) -> None:
        form, ctx, home, config = self.form(), self.console.ctx, self.console.home, self.console.config
        self.save_button.setEnabled(False)
        self.message.show_info(self.tr("Saving…"))

        def work() -> Config:
            updated = config
            if form.environment is not None:
                updated = save_environment(home, updated, form.environment)
            updated = save_twilio(
                home,
                updated,
                account_sid=form.twilio_account_sid,
                phone_number=form.twilio_phone_number,
                api_base_url=form.twilio_api_base_url,
                auth_token=form.twilio_auth_token or None,
            )
            updated = save_smtp(
                home,
                updated,
                host=form.smtp_host,
                port=form.smtp_port,
                user=form.smtp_user,
                from_address=form.smtp_from,
                starttls=form.smtp_starttls,
                password=form.smtp_password or None,
            )
            updated = save_log_rotation(
                home, updated, max_bytes=form.log_max_mb * MB, backup_count=form.log_backups
            )
            if form.timezone_name is not None or form.region is not None:
                team_settings.update_team_settings(ctx, timezone_name=form.timezone_name, region=form.region)
            return updated

        run_for(self, work, self._saved, self._refused, changes="settings")

    def _saved(self, config: Config) -> None:
        self.console.config = config
        self.message.show_info(self.tr("Saved. Secrets, if any were typed, are in the OS keyring."))
        self.saved.emit(config)
        self._fill_config(config)
        self.reload()

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        self.message.show_error(error)

    # --- test sends -----------------------------------------------------------------------

    def send_test_sms(self) -> None:
        self._send_test(sms=self.test_sms_to.text().strip() or None, email=None)

    def send_test_email(self) -> None:
        self._send_test(sms=None, email=self.test_email_to.text().strip() or None)

    def _send_test(self, *, sms: str | None, email: str | None) -> None:
        ctx, config, home = self.console.ctx, self.console.config, self.console.home
        for button in (self.test_sms_button, self.test_email_button):
            button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText(self.tr("Sending the test message…"))
        self.test_result.show()
        run_for(
            self,
            lambda: send_test(ctx, config, home, sms=sms, email=email),
            self._tested,
            self._test_failed,
            changes="outbox",
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
        for button in (self.test_sms_button, self.test_email_button):
            button.setEnabled(True)
