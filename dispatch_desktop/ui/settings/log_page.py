"""Settings page: when the notification log file rotates, and how many old files it keeps."""

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFormLayout, QGroupBox, QSpinBox, QWidget

from dispatch_desktop.config import Config
from dispatch_desktop.services.workstation_settings import MB


def tr(text: str) -> str:
    return QCoreApplication.translate("SettingsDialog", text)


class LogPage(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("Notification log file"), parent)
        self.log_size = QSpinBox()
        self.log_size.setRange(1, 1000)
        self.log_size.setSuffix(" MB")
        self.log_backups = QSpinBox()
        self.log_backups.setRange(0, 100)
        form = QFormLayout(self)
        form.addRow(tr("Rotate after"), self.log_size)
        form.addRow(tr("Keep old files"), self.log_backups)

    def show_config(self, config: Config) -> None:
        self.log_size.setValue(max(1, round(config.log_max_bytes / MB)))
        self.log_backups.setValue(config.log_backup_count)
