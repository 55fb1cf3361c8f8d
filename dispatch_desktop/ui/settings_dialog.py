"""Workstation and team settings: environment, Twilio and SMTP, test sends, time zone, phone region, log size.

Secrets (Twilio auth token, SMTP password, Office 365 client secret) go to the OS keyring through
the notifier's credentials API and are never read back into a field: the dialog only says whether
one is stored and where it comes from. Everything runs on a worker, since a keyring may block.

SMTP signs in with a password, or with OAuth2 for Office 365 (an Entra ID app registration), since
Microsoft switches basic SMTP AUTH off (MC786329); the dialog warns while someone types an Office 365
host in password mode.
"""

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
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
from dispatch_desktop.domain import validation
from dispatch_desktop.domain.outbox import Channel
from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.services import email_auth, team_settings
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
from dispatch_desktop.ui.plain import PlainLabel, plain_tip

MB = 1_000_000
PASSWORD_AUTH, OAUTH2_AUTH = "password", "oauth2"


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
    smtp_auth_mode: str  # what the dialog shows (SMTP_AUTH's value when that locks it)
    smtp_auth_locked: bool  # SMTP_AUTH decides; the config file's mode is left as it is
    o365_tenant_id: str
    o365_client_id: str
    o365_client_secret: str
    o365_authority: str
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
        self.email_state: email_auth.EmailAuthState | None = None
        self.saved_auth_warning: str | None = None
        self.team: TeamSettings | None = None
        self.load_count = 0
        self.setWindowTitle(self.tr("Settings"))
        self.resize(640, 760)

        # Environment
        self.environment = QComboBox()
        self.environment.addItem(self.tr("Development: only log notifications"), "development")
        self.environment.addItem(self.tr("Production: send SMS and email for real"), "production")
        self.environment_note = PlainLabel()
        self.environment_note.setWordWrap(True)
        environment_box = QGroupBox(self.tr("Environment"))
        environment_form = QFormLayout(environment_box)
        environment_form.addRow(self.tr("This workstation"), self.environment)
        environment_form.addRow(self.environment_note)
        self.production_warning = PlainLabel(
            self.tr("Production sends real SMS and email to customers and agents from this workstation.")
        )
        self.production_warning.setWordWrap(True)
        self.production_warning.setStyleSheet(error_style())
        environment_form.addRow(self.production_warning)
        self.environment.currentIndexChanged.connect(self._warn_production)

        # Keyring
        self.keyring_note = PlainLabel()
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
        self.twilio_token_status = PlainLabel()
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
        self.smtp_password_status = PlainLabel()
        self.test_email_to = QLineEdit()
        self.test_email_to.setPlaceholderText(self.tr("address to mail"))
        self.test_email_button = QPushButton(self.tr("Send test &email"))
        self.test_email_button.clicked.connect(self.send_test_email)
        self.smtp_auth_warning = PlainLabel()
        self.smtp_auth_warning.setObjectName("smtpAuthWarning")
        self.smtp_auth_warning.setWordWrap(True)
        self.smtp_auth_warning.setStyleSheet(error_style())
        self.smtp_auth_warning.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.smtp_auth_warning.hide()
        self.smtp_auth_mode = QComboBox()
        self.smtp_auth_mode.addItem(self.tr("Password"), PASSWORD_AUTH)
        self.smtp_auth_mode.addItem(self.tr("OAuth2 (Office 365 app registration)"), OAUTH2_AUTH)
        self.smtp_auth_note = PlainLabel()
        self.smtp_auth_note.setWordWrap(True)
        self.smtp_auth_note.hide()
        self.o365_tenant = QLineEdit()
        self.o365_tenant.setPlaceholderText(self.tr("Directory (tenant) ID, or contoso.onmicrosoft.com"))
        self.o365_client = QLineEdit()
        self.o365_client.setPlaceholderText(self.tr("Application (client) ID"))
        self.o365_secret = QLineEdit()
        self.o365_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.o365_secret_status = PlainLabel()
        self.o365_authority = QLineEdit()
        self.o365_authority.setPlaceholderText("https://login.microsoftonline.com")
        self.oauth2_note = PlainLabel(
            self.tr(
                "Signs in with AUTH XOAUTH2 as the mailbox above, using an Entra ID app registration with "
                "the SMTP.SendAsApp permission; see docs/office365.md."
            )
        )
        self.oauth2_note.setWordWrap(True)
        smtp_box = QGroupBox(self.tr("SMTP (email)"))
        smtp_form = QFormLayout(smtp_box)
        self.smtp_form = smtp_form
        smtp_form.addRow(self.tr("Host"), self.smtp_host)
        smtp_form.addRow("", self.smtp_auth_warning)
        smtp_form.addRow(self.tr("Port"), self.smtp_port)
        smtp_form.addRow(self.tr("Sign in with"), self.smtp_auth_mode)
        smtp_form.addRow("", self.smtp_auth_note)
        smtp_form.addRow(self.tr("User"), self.smtp_user)
        smtp_form.addRow(self.tr("Password"), self.smtp_password)
        smtp_form.addRow("", self.smtp_password_status)
        smtp_form.addRow(self.oauth2_note)
        smtp_form.addRow(self.tr("Tenant ID"), self.o365_tenant)
        smtp_form.addRow(self.tr("Client ID"), self.o365_client)
        smtp_form.addRow(self.tr("Client secret"), self.o365_secret)
        smtp_form.addRow("", self.o365_secret_status)
        smtp_form.addRow(self.tr("Authority"), self.o365_authority)
        smtp_form.addRow(self.tr("From"), self.smtp_from)
        smtp_form.setRowVisible(self.smtp_auth_note, False)
        smtp_form.addRow("", self.smtp_starttls)
        smtp_form.addRow(self.tr("Test"), self._row(self.test_email_to, self.test_email_button))
        self.test_result = PlainLabel()
        self.test_result.setWordWrap(True)
        self.test_result.hide()
        tests_note = PlainLabel(
            self.tr("Test messages use the saved settings and go through the outbox like real ones.")
        )
        tests_note.setWordWrap(True)
        for widget in (self.test_sms_to, self.test_sms_button, self.test_email_to, self.test_email_button):
            widget.setVisible(self.may_test)
        tests_note.setVisible(self.may_test)

        # Team
        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.addItems(validation.team_timezones())
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
            team_form.addRow(PlainLabel(self.tr("Only supervisors change team settings.")))

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
        self.smtp_host.textChanged.connect(self._update_auth_warning)
        self.smtp_auth_mode.currentIndexChanged.connect(self._auth_mode_changed)
        self._fill_config(console.config)
        self._warn_production()
        self._auth_mode_changed()
        self.reload()

    def _warn_production(self, *_: object) -> None:
        missing = self.state.missing if self.state is not None else {}
        if missing:
            names = {Channel.SMS: self.tr("SMS"), Channel.EMAIL: self.tr("email")}
            lacking = "; ".join(
                f"{names[channel]}: {', '.join(fields)}" for channel, fields in missing.items()
            )
            self.production_warning.setText(
                self.tr(
                    "Production, but this workstation cannot send: missing credentials ({0}). Its "
                    "notifications wait as 'retry' (missing credentials) until a notifier that has "
                    "them sends them."
                ).format(lacking)
            )
        else:
            self.production_warning.setText(
                self.tr("Production sends real SMS and email to customers and agents from this workstation.")
            )
        self.production_warning.setVisible(self.environment.currentData() == "production")

    def auth_mode(self) -> str:
        return self.smtp_auth_mode.currentData() or PASSWORD_AUTH

    def _auth_mode_changed(self, *_: object) -> None:
        oauth2 = self.auth_mode() == OAUTH2_AUTH
        for field in (self.smtp_password, self.smtp_password_status):
            self.smtp_form.setRowVisible(field, not oauth2)
        for field in (
            self.oauth2_note,
            self.o365_tenant,
            self.o365_client,
            self.o365_secret,
            self.o365_secret_status,
            self.o365_authority,
        ):
            self.smtp_form.setRowVisible(field, oauth2)
        user_label = self.smtp_form.labelForField(self.smtp_user)
        if isinstance(user_label, QLabel):
            user_label.setText(self.tr("Mailbox") if oauth2 else self.tr("User"))
        self._update_auth_warning()

    def _update_auth_warning(self, *_: object) -> None:
        """The Office 365 retirement warning for what is typed now; the saved one while nothing changed."""
        saved = self.console.config.smtp
        typed = email_auth.retirement_warning_for(self.smtp_host.text().strip(), self.auth_mode())
        unchanged = self.smtp_host.text().strip() == (saved.host or "") and (
            self.auth_mode() == (saved.auth_mode or PASSWORD_AUTH)
            or (self.email_state is not None and self.email_state.auth_mode_locked)
        )
        warning = typed or (self.saved_auth_warning if unchanged else None)
        self.smtp_auth_warning.setText(warning or "")
        self.smtp_form.setRowVisible(self.smtp_auth_warning, bool(warning))

    def _secret_status(self, source: str) -> str:
        if source == "keyring":
            return self.tr("stored in the OS keyring")
        if source == "env":
            return self.tr("set by an environment variable (it overrides the keyring)")
        if source == "locked":
            return self.tr("cannot tell: the OS keyring is locked")
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

        def work() -> tuple[CredentialsState, TeamSettings, email_auth.EmailAuthState]:
            return (
                load_credentials_state(config),
                team_settings.get_team_settings(ctx),
                email_auth.load_email_auth_state(config),  # reads the keyring
            )

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
        self.smtp_auth_mode.setCurrentIndex(1 if config.smtp.auth_mode == OAUTH2_AUTH else 0)
        self.o365_tenant.setText(config.smtp.tenant_id or "")
        self.o365_client.setText(config.smtp.client_id or "")
        self.o365_authority.setText(config.smtp.authority or "")
        self.saved_auth_warning = email_auth.basic_auth_retirement_warning(config)  # no keyring: UI-safe
        self.log_size.setValue(max(1, round(config.log_max_bytes / MB)))
        self.log_backups.setValue(config.log_backup_count)
        configured = (config.environment or "").strip().lower()
        self.environment.setCurrentIndex(1 if configured == "production" else 0)

    def _loaded(self, result: tuple[CredentialsState, TeamSettings, email_auth.EmailAuthState]) -> None:
        self.state, self.team, self.email_state = result
        state = self.state
        self.twilio_token.clear()
        self.smtp_password.clear()
        self.o365_secret.clear()
        self._show_email_auth(self.email_state, keyring_ok=state.keyring_problem is None)
        self.twilio_token_status.setText(
            self.tr("Auth token: %s") % self._secret_status(state.twilio_token_source)
        )
        self.smtp_password_status.setText(
            self.tr("Password: %s") % self._secret_status(state.smtp_password_source)
        )
        for field, source in (
            (self.twilio_token, state.twilio_token_source),
            (self.smtp_password, state.smtp_password_source),
        ):
            field.setPlaceholderText(
                self.tr("stored — type a new one to replace it")
                if source in ("keyring", "env")
                else self._secret_status(source)
            )
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
        for field in (self.twilio_token, self.smtp_password, self.o365_secret):
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
        self._warn_production()
        if self.team is not None:
            self.timezone.setCurrentText(self.team.timezone_name)
            self.region.setText(self.team.region)
        self.save_button.setEnabled(True)
        self.load_count += 1
        self.loaded.emit()

    def _show_email_auth(self, auth: email_auth.EmailAuthState, *, keyring_ok: bool) -> None:
        self.o365_secret_status.setText(
            self.tr("Client secret: %s") % self._secret_status(auth.client_secret_source)
        )
        self.o365_secret.setPlaceholderText(
            self.tr("stored — type a new one to replace it")
            if auth.client_secret_stored
            else self.tr("the secret's Value from Certificates & secrets")
        )
        for field, value, source, variable in (
            (self.o365_tenant, auth.tenant_id, auth.tenant_id_source, "O365_TENANT_ID"),
            (self.o365_client, auth.client_id, auth.client_id_source, "O365_CLIENT_ID"),
            (self.o365_authority, auth.authority, auth.authority_source, "O365_AUTHORITY"),
        ):
            from_env = source == "env"
            if from_env:
                field.setText(value)
            field.setReadOnly(from_env)
            field.setToolTip(
                plain_tip(
                    self.tr("Set by %s where this program was started; it overrides this field.") % variable
                )
                if from_env
                else ""
            )
        self.saved_auth_warning = auth.warning
        locked = auth.auth_mode_locked
        self.smtp_auth_mode.setEnabled(not locked)
        if locked:
            index = self.smtp_auth_mode.findData(auth.auth_mode)
            if index >= 0:
                self.smtp_auth_mode.setCurrentIndex(index)
            self.smtp_auth_note.setText(
                self.tr(
                    "Locked: %s (from SMTP_AUTH). SMTP_AUTH is set where this program was started and "
                    "always wins; unset it to choose here."
                )
                % auth.auth_mode
            )
        self.smtp_form.setRowVisible(self.smtp_auth_note, locked)
        self._update_auth_warning()

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
            smtp_auth_mode=self.auth_mode(),
            smtp_auth_locked=self.email_state is not None and self.email_state.auth_mode_locked,
            o365_tenant_id=self._o365_value(self.o365_tenant, self.console.config.smtp.tenant_id),
            o365_client_id=self._o365_value(self.o365_client, self.console.config.smtp.client_id),
            o365_client_secret=self.o365_secret.text(),
            o365_authority=self._o365_value(self.o365_authority, self.console.config.smtp.authority),
            log_max_mb=self.log_size.value(),
            log_backups=self.log_backups.value(),
            timezone_name=self.timezone.currentText().strip() if team_changed else None,
            region=self.region.text().strip() if team_changed else None,
        )

    @staticmethod
    def _o365_value(field: QLineEdit, saved: str | None) -> str:
        """What to save: an environment override shown read-only is not copied into the config file."""
        return (saved or field.text()).strip() if field.isReadOnly() else field.text().strip()

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
            updated = _save_email(home, updated, form)
            updated = save_log_rotation(
                home, updated, max_bytes=form.log_max_mb * MB, backup_count=form.log_backups
            )
            if form.timezone_name is not None or form.region is not None:
                team_settings.update_team_settings(ctx, timezone_name=form.timezone_name, region=form.region)
            return updated

        run_for(self, work, self._saved, self._refused, changes="settings")

    def _saved(self, config: Config) -> None:
        self.console.use_config(config)
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


def _save_email(home: Path, config: Config, form: SettingsForm) -> Config:
    """SMTP with a password, or Office 365 OAuth2 (the client secret to the keyring only); on a worker.

    While SMTP_AUTH locks the mode, the fields of the mode it picks are saved and the config
    file's own mode stays as it was.
    """
    saved_mode = config.smtp.auth_mode or PASSWORD_AUTH
    if form.smtp_auth_mode == OAUTH2_AUTH:
        updated = email_auth.save_oauth2(
            home,
            config,
            host=form.smtp_host,
            port=form.smtp_port,
            mailbox=form.smtp_user,
            from_address=form.smtp_from,
            starttls=form.smtp_starttls,
            tenant_id=form.o365_tenant_id,
            client_id=form.o365_client_id,
            client_secret=form.o365_client_secret or None,
            authority=form.o365_authority or None,
        )
        if form.smtp_auth_locked and saved_mode != OAUTH2_AUTH:
            updated = email_auth.use_password_auth(home, updated)
        return updated
    updated = config
    if saved_mode == OAUTH2_AUTH and not form.smtp_auth_locked:
        updated = email_auth.use_password_auth(home, updated)
    return save_smtp(
        home,
        updated,
        host=form.smtp_host,
        port=form.smtp_port,
        user=form.smtp_user,
        from_address=form.smtp_from,
        starttls=form.smtp_starttls,
        password=form.smtp_password or None,
    )
