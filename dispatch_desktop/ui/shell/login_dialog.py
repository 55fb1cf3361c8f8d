"""The first start on a PostgreSQL database that asks for a password: ask once, keep it in the keyring."""

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from dispatch_desktop.ui.kit.plain import PlainLabel


class LoginDialog(QDialog):
    """The database password, typed without echo; `password()` once accepted."""

    def __init__(self, where: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Database password"))
        explanation = PlainLabel(
            self.tr("{0} asks for your database password. It is kept in this computer's keyring.").format(
                where
            )
        )
        explanation.setWordWrap(True)
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setObjectName("databasePassword")
        form = QFormLayout()
        form.addRow(self.tr("&Password"), self.secret)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        if self.secret.text():
            self.accept()

    def password(self) -> str:
        return self.secret.text()
