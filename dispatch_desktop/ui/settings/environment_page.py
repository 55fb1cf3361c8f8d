"""Settings page: does this workstation only log notifications, or send them for real."""

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QWidget

from dispatch_desktop.domain.outbox import Channel
from dispatch_desktop.services.console_notify import CredentialsState
from dispatch_desktop.ui.kit.message_line import error_style
from dispatch_desktop.ui.kit.plain import PlainLabel


def tr(text: str) -> str:
    return QCoreApplication.translate("SettingsDialog", text)


class EnvironmentPage(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("Environment"), parent)
        self.state: CredentialsState | None = None
        self.environment = QComboBox()
        self.environment.addItem(tr("Development: only log notifications"), "development")
        self.environment.addItem(tr("Production: send SMS and email for real"), "production")
        self.environment_note = PlainLabel()
        self.environment_note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(tr("This workstation"), self.environment)
        form.addRow(self.environment_note)
        self.production_warning = PlainLabel(
            tr("Production sends real SMS and email to customers and agents from this workstation.")
        )
        self.production_warning.setWordWrap(True)
        self.production_warning.setStyleSheet(error_style())
        form.addRow(self.production_warning)
        self.environment.currentIndexChanged.connect(self.warn_production)

    def show_configured(self, configured: str | None) -> None:
        self.environment.setCurrentIndex(1 if (configured or "").strip().lower() == "production" else 0)

    def show_state(self, state: CredentialsState) -> None:
        self.state = state
        if state.environment_locked:
            self.environment.setEnabled(False)
            self.environment.setCurrentIndex(1 if state.environment_production else 0)
            self.environment_note.setText(
                tr(
                    "Locked: %s. FLASK_ENV is set where this program was started and always wins; "
                    "unset it to choose here."
                )
                % state.environment_description
            )
        else:
            self.environment.setEnabled(True)
            self.environment_note.setText(tr("Now: %s.") % state.environment_description)
        self.warn_production()

    def warn_production(self, *_: object) -> None:
        missing = self.state.missing if self.state is not None else {}
        if missing:
            names: dict[str, str] = {Channel.SMS: tr("SMS"), Channel.EMAIL: tr("email")}
            lacking = "; ".join(
                f"{names[channel]}: {', '.join(fields)}" for channel, fields in missing.items()
            )
            self.production_warning.setText(
                tr(
                    "Production, but this workstation cannot send: missing credentials ({0}). Its "
                    "notifications wait as 'retry' (missing credentials) until a notifier that has "
                    "them sends them."
                ).format(lacking)
            )
        else:
            self.production_warning.setText(
                tr("Production sends real SMS and email to customers and agents from this workstation.")
            )
        self.production_warning.setVisible(self.environment.currentData() == "production")

    def chosen(self) -> str | None:
        """What to save; None while FLASK_ENV decides."""
        locked = self.state is not None and self.state.environment_locked
        return None if locked else self.environment.currentData()
