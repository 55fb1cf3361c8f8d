"""The Templates page's widgets laid out: the kinds on the left; on the right the language, the
booking to preview with, the part editors with the variables beside them, the preview under them,
and the buttons. No behaviour here: templates_page.py connects and runs them.
"""

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QSplitter, QVBoxLayout, QWidget

from dispatch_desktop.ui.kit.message_line import MessageLine
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.settings.template_editor import (
    KindList,
    LanguagePicker,
    PartEditors,
    PreviewPane,
    VariableList,
    buddy,
    column,
)

KINDS_WIDTH = 230


def tr(text: str) -> str:
    return QCoreApplication.translate("TemplatesPage", text)


class TemplatesView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kinds = KindList()
        self.language = LanguagePicker()
        self.booking = QLineEdit()
        self.booking.setPlaceholderText(tr("the sample booking, or a reference: BK-000123"))
        self.title = PlainLabel()
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: 600;")
        self.changed = PlainLabel()
        self.parts = PartEditors()
        self.problem = MessageLine()
        self.variables = VariableList()
        self.preview = PreviewPane()
        self.save_button = QPushButton(tr("Sav&e"))
        self.save_button.setToolTip(tr("Save the parts changed (Ctrl+S)"))
        self.revert_button = QPushButton(tr("Revert to shipped &default"))
        self.message = MessageLine()
        self._build_layout()

    def _build_layout(self) -> None:
        heading = QHBoxLayout()
        heading.addWidget(self.title, 1)
        heading.addWidget(self.changed)
        choices = QHBoxLayout()
        choices.addWidget(buddy(tr("&Language"), self.language))
        choices.addWidget(self.language)
        choices.addSpacing(12)
        choices.addWidget(buddy(tr("Pre&view with"), self.booking))
        choices.addWidget(self.booking, 1)
        editor_row = QSplitter()
        editor_row.addWidget(column(self.parts, self.problem, stretch=self.parts))
        editor_row.addWidget(
            column(buddy(tr("Va&riables"), self.variables), self.variables, stretch=self.variables)
        )
        editor_row.setStretchFactor(0, 3)
        editor_row.setStretchFactor(1, 1)
        stacked = QSplitter(Qt.Orientation.Vertical)
        stacked.addWidget(editor_row)
        stacked.addWidget(self.preview)
        stacked.setStretchFactor(0, 3)
        stacked.setStretchFactor(1, 2)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        for row in (heading, choices):
            right_column.addLayout(row)
        right_column.addWidget(stacked, 1)
        right_column.addLayout(buttons)
        right_column.addWidget(self.message)
        sides = QSplitter()
        sides.addWidget(column(buddy(tr("&Message kinds"), self.kinds), self.kinds, stretch=self.kinds))
        sides.addWidget(right)
        sides.setStretchFactor(1, 1)
        sides.setSizes([KINDS_WIDTH, 4 * KINDS_WIDTH])
        layout = QVBoxLayout(self)
        layout.addWidget(sides)
