"""First run on an empty database: add me as the team's supervisor, then agents or an empty start.

Sample data never goes into a real database: the dialog points to `--demo`, the separate demo home.
"""

import getpass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.domain.roles import Role
from dispatch_desktop.services import operators
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import PlainLabel


class WelcomeDialog(QDialog):
    """First run on an empty database: add me as supervisor, then add agents (the default) or start empty."""

    ADD_AGENTS, START_EMPTY = "agents", "empty"
    chosen = Signal(str)

    def __init__(self, console: ConsoleContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.setWindowTitle(self.tr("Welcome to Dispatch Desktop"))
        self.pages = QStackedWidget()

        first = QWidget()
        intro = PlainLabel(
            self.tr(
                "This database has no operators yet. Add yourself as the team's supervisor; "
                "you can add dispatchers and call-center staff afterwards."
            )
        )
        intro.setWordWrap(True)
        self.name = QLineEdit(os_full_name())
        self.name.setPlaceholderText(self.tr("Your full name, e.g. Dana Whitfield"))
        self.username = QLineEdit(console.ctx.username.lower())  # usernames are lowercase
        self.username.setReadOnly(True)
        self.username.setToolTip(self.tr("Your login name: the console identifies you by it"))
        self.message = PlainLabel()
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Your &name"), self.name)
        form.addRow(self.tr("Username"), self.username)
        self.add_button = QPushButton(self.tr("Add me as supervisor"))
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.add_me)
        column = QVBoxLayout(first)
        column.addWidget(intro)
        column.addLayout(form)
        column.addWidget(self.message)
        column.addWidget(self.add_button)

        second = QWidget()
        done = PlainLabel(self.tr("You are set up as supervisor. What next?"))
        self.agents_button = QPushButton(self.tr("Add my field agents"))
        self.agents_button.setDefault(True)  # Enter does the safe, useful thing
        self.empty_button = QPushButton(self.tr("Start with an empty database"))
        self.demo_hint = PlainLabel(
            self.tr(
                "To try the console with sample data, start it with --demo: it opens a separate "
                "demo home, and this database stays as it is."
            )
        )
        self.demo_hint.setWordWrap(True)
        self.agents_button.clicked.connect(lambda: self._choose(self.ADD_AGENTS))
        self.empty_button.clicked.connect(lambda: self._choose(self.START_EMPTY))
        column2 = QVBoxLayout(second)
        for widget in (done, self.agents_button, self.empty_button, self.demo_hint):
            column2.addWidget(widget)

        self.pages.addWidget(first)
        self.pages.addWidget(second)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(buttons)

    def add_me(self) -> None:
        ctx, name, username = self.console.ctx, self.name.text(), self.username.text()
        self.add_button.setEnabled(False)
        run_for(
            self,
            self.console.ops,
            lambda: (
                operators.add_operator(ctx, name=name, username=username, role=Role.SUPERVISOR.value),
                ctx.actor(),
            )[1],
            self._added,
            self._refused,
            changes=Change.OPERATORS,
        )

    def _added(self, actor: Any) -> None:
        self.console.actor = actor
        self.pages.setCurrentIndex(1)
        self.add_button.setDefault(False)
        self.agents_button.setDefault(True)
        self.agents_button.setFocus()

    def _refused(self, error: Exception) -> None:
        self.add_button.setEnabled(True)
        self.message.setText(one_line(error))

    def _choose(self, choice: str) -> None:
        self.accept()
        self.chosen.emit(choice)


def os_full_name() -> str:
    """The full name in the OS account (the first field of pwd's gecos); empty when the account has
    none, or only repeats the login name (root's is "root"): then the person types their name."""
    login = getpass.getuser()
    try:
        import pwd

        gecos = pwd.getpwnam(login).pw_gecos.split(",")[0].strip()
    except (ImportError, KeyError):
        return ""
    return gecos if gecos.casefold() != login.casefold() else ""
