"""What the settings pages are built from: a row of widgets, and where a secret is stored, in words."""

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QWidget


def row(*widgets: QWidget) -> QWidget:
    """Widgets side by side in one form row (a test address and its Send button)."""
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return holder


def secret_status(source: str) -> str:
    tr = QCoreApplication.translate
    if source == "keyring":
        return tr("SettingsDialog", "stored in the OS keyring")
    if source == "env":
        return tr("SettingsDialog", "set by an environment variable (it overrides the keyring)")
    if source == "locked":
        return tr("SettingsDialog", "cannot tell: the OS keyring is locked")
    return tr("SettingsDialog", "not stored")


def stored_placeholder() -> str:
    return QCoreApplication.translate("SettingsDialog", "stored — type a new one to replace it")


def secret_placeholder(source: str) -> str:
    """What an empty secret field says: that typing replaces the stored one, or why there is none."""
    return stored_placeholder() if source in ("keyring", "env") else secret_status(source)
