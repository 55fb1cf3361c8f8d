"""Settings page: SMTP, signing in with a password or with OAuth2 for Office 365.

Microsoft switches basic SMTP AUTH off (MC786329), so the page warns while someone types an
Office 365 host in password mode. Secrets go to the OS keyring and are never read back.
"""

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from dispatch_desktop.config import Config
from dispatch_desktop.services import email_auth
from dispatch_desktop.services.console_notify import CredentialsState
from dispatch_desktop.services.workstation_settings import sign_in_warning
from dispatch_desktop.ui.kit.message_line import error_style
from dispatch_desktop.ui.kit.plain import PlainLabel, plain_tip
from dispatch_desktop.ui.settings.fields import row, secret_placeholder, secret_status, stored_placeholder

PASSWORD_AUTH, OAUTH2_AUTH = "password", "oauth2"


def tr(text: str) -> str:
    return QCoreApplication.translate("SettingsDialog", text)


class EmailPage(QGroupBox):
    def __init__(self, config: Config, parent: QWidget | None = None) -> None:
        super().__init__(tr("SMTP (email)"), parent)
        self.config = config  # the saved settings, for the warning while nothing changed
        self.email_state: email_auth.EmailAuthState | None = None
        self.saved_auth_warning: str | None = None
        self.smtp_host = QLineEdit()
        self.smtp_port = QSpinBox()
        self.smtp_port.setRange(1, 65535)
        self.smtp_user = QLineEdit()
        self.smtp_from = QLineEdit()
        self.smtp_from.setPlaceholderText(tr("e.g. dispatch@yourcompany.com"))
        self.smtp_starttls = QCheckBox(tr("Use STARTTLS (turn off only for a plain local relay)"))
        self.smtp_password = QLineEdit()
        self.smtp_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.smtp_password_status = PlainLabel()
        self.test_email_to = QLineEdit()
        self.test_email_to.setPlaceholderText(tr("address to mail"))
        self.test_email_button = QPushButton(tr("Send test &email"))
        self.smtp_auth_warning = PlainLabel()
        self.smtp_auth_warning.setObjectName("smtpAuthWarning")
        self.smtp_auth_warning.setWordWrap(True)
        self.smtp_auth_warning.setStyleSheet(error_style())
        self.smtp_auth_warning.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.smtp_auth_warning.hide()
        self.smtp_auth_mode = QComboBox()
        self.smtp_auth_mode.addItem(tr("Password"), PASSWORD_AUTH)
        self.smtp_auth_mode.addItem(tr("OAuth2 (Office 365 app registration)"), OAUTH2_AUTH)
        self.smtp_auth_note = PlainLabel()
        self.smtp_auth_note.setWordWrap(True)
        self.smtp_auth_note.hide()
        self.o365_tenant = QLineEdit()
        self.o365_tenant.setPlaceholderText(tr("Directory (tenant) ID, or contoso.onmicrosoft.com"))
        self.o365_client = QLineEdit()
        self.o365_client.setPlaceholderText(tr("Application (client) ID"))
        self.o365_secret = QLineEdit()
        self.o365_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.o365_secret_status = PlainLabel()
        self.o365_authority = QLineEdit()
        self.o365_authority.setPlaceholderText("https://login.microsoftonline.com")
        self.oauth2_note = PlainLabel(
            tr(
                "Signs in with AUTH XOAUTH2 as the mailbox above, using an Entra ID app registration with "
                "the SMTP.SendAsApp permission; see docs/office365.md."
            )
        )
        self.oauth2_note.setWordWrap(True)
        form = QFormLayout(self)
        self.smtp_form = form
        form.addRow(tr("Host"), self.smtp_host)
        form.addRow("", self.smtp_auth_warning)
        form.addRow(tr("Port"), self.smtp_port)
        form.addRow(tr("Sign in with"), self.smtp_auth_mode)
        form.addRow("", self.smtp_auth_note)
        form.addRow(tr("User"), self.smtp_user)
        form.addRow(tr("Password"), self.smtp_password)
        form.addRow("", self.smtp_password_status)
        form.addRow(self.oauth2_note)
        form.addRow(tr("Tenant ID"), self.o365_tenant)
        form.addRow(tr("Client ID"), self.o365_client)
        form.addRow(tr("Client secret"), self.o365_secret)
        form.addRow("", self.o365_secret_status)
        form.addRow(tr("Authority"), self.o365_authority)
        form.addRow(tr("From"), self.smtp_from)
        form.setRowVisible(self.smtp_auth_note, False)
        form.addRow("", self.smtp_starttls)
        form.addRow(tr("Test"), row(self.test_email_to, self.test_email_button))
        self.smtp_host.textChanged.connect(self._update_auth_warning)
        self.smtp_auth_mode.currentIndexChanged.connect(self._auth_mode_changed)

    def auth_mode(self) -> str:
        return self.smtp_auth_mode.currentData() or PASSWORD_AUTH

    def mode_locked(self) -> bool:
        return self.email_state is not None and self.email_state.auth_mode_locked

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
            user_label.setText(tr("Mailbox") if oauth2 else tr("User"))
        self._update_auth_warning()

    def _update_auth_warning(self, *_: object) -> None:
        warning = sign_in_warning(
            self.config,
            self.smtp_host.text().strip(),
            self.auth_mode(),
            mode_locked=self.mode_locked(),
            saved_warning=self.saved_auth_warning,
        )
        self.smtp_auth_warning.setText(warning or "")
        self.smtp_form.setRowVisible(self.smtp_auth_warning, bool(warning))

    def show_config(self, config: Config) -> None:
        self.config = config
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
        self._auth_mode_changed()

    def show_state(self, state: CredentialsState, auth: email_auth.EmailAuthState) -> None:
        self.email_state = auth
        self.smtp_password.clear()
        self.o365_secret.clear()
        self.smtp_password_status.setText(tr("Password: %s") % secret_status(state.smtp_password_source))
        self.smtp_password.setPlaceholderText(secret_placeholder(state.smtp_password_source))
        for field in (self.smtp_password, self.o365_secret):
            field.setEnabled(state.keyring_problem is None)
        self.o365_secret_status.setText(tr("Client secret: %s") % secret_status(auth.client_secret_source))
        self.o365_secret.setPlaceholderText(
            stored_placeholder()
            if auth.client_secret_stored
            else tr("the secret's Value from Certificates & secrets")
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
                plain_tip(tr("Set by %s where this program was started; it overrides this field.") % variable)
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
                tr(
                    "Locked: %s (from SMTP_AUTH). SMTP_AUTH is set where this program was started and "
                    "always wins; unset it to choose here."
                )
                % auth.auth_mode
            )
        self.smtp_form.setRowVisible(self.smtp_auth_note, locked)
        self._update_auth_warning()

    def o365_value(self, field: QLineEdit, saved: str | None) -> str:
        """What to save: an environment override shown read-only is not copied into the config file."""
        return (saved or field.text()).strip() if field.isReadOnly() else field.text().strip()
