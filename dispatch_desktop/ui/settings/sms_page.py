"""Settings page: Twilio, for SMS; the auth token goes to the OS keyring and is never read back."""

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLineEdit, QPushButton, QWidget

from dispatch_desktop.config import Config
from dispatch_desktop.services.console_notify import CredentialsState
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.settings.fields import row, secret_placeholder, secret_status


def tr(text: str) -> str:
    return QCoreApplication.translate("SettingsDialog", text)


class SmsPage(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("Twilio (SMS)"), parent)
        self.twilio_sid = QLineEdit()
        self.twilio_sid.setPlaceholderText("AC…")
        self.twilio_number = QLineEdit()
        self.twilio_number.setPlaceholderText(tr("sending number, e.g. +15551234567"))
        self.twilio_service = QLineEdit()
        self.twilio_service.setPlaceholderText(tr("MG… (optional: send through a Messaging Service)"))
        self.twilio_url = QLineEdit()
        self.twilio_url.setPlaceholderText("https://api.twilio.com")
        self.twilio_token = QLineEdit()
        self.twilio_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.twilio_token_status = PlainLabel()
        self.test_sms_to = QLineEdit()
        self.test_sms_to.setPlaceholderText(tr("number to text, e.g. +13125550142"))
        self.test_sms_button = QPushButton(tr("Send test &SMS"))
        form = QFormLayout(self)
        form.addRow(tr("Account SID"), self.twilio_sid)
        form.addRow(tr("Phone number"), self.twilio_number)
        form.addRow(tr("Messaging Service SID"), self.twilio_service)
        form.addRow(tr("API base URL"), self.twilio_url)
        form.addRow(tr("Auth token"), self.twilio_token)
        form.addRow("", self.twilio_token_status)
        form.addRow(tr("Test"), row(self.test_sms_to, self.test_sms_button))

    def show_config(self, config: Config) -> None:
        self.twilio_sid.setText(config.twilio.account_sid or "")
        self.twilio_number.setText(config.twilio.phone_number or "")
        self.twilio_service.setText(config.twilio.messaging_service_sid or "")
        self.twilio_url.setText(config.twilio.api_base_url or "")

    def show_state(self, state: CredentialsState) -> None:
        self.twilio_token.clear()
        self.twilio_token_status.setText(tr("Auth token: %s") % secret_status(state.twilio_token_source))
        self.twilio_token.setPlaceholderText(secret_placeholder(state.twilio_token_source))
        self.twilio_token.setEnabled(state.keyring_problem is None)
