"""Someone else saved this booking while it was open and changed a field this form changed too.

Each such field is one row, "theirs / yours", and the person picks; fields only one side changed
were merged already (services/booking_drafts.merge_draft) and are only named in the sentence on top.
"""

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.services.booking_drafts import FIELD_WORDS, DraftMerge
from dispatch_desktop.ui.kit.plain import PlainLabel


def tr(text: str) -> str:
    return QCoreApplication.translate("ConflictDialog", text)


class ConflictDialog(QDialog):
    """Pick theirs or yours for each field both changed; "yours" is preselected (you just typed it)."""

    chosen = Signal(object)  # set[str]: the FIELD_WORDS keys to take from theirs

    def __init__(self, merge: DraftMerge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Booking changed by someone else"))
        self.merge = merge
        self.said = PlainLabel(merge.theirs_said + ".")
        self.said.setWordWrap(True)
        self.said.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        explain = PlainLabel(
            tr("Nothing was overwritten. You both changed the fields below: pick which to keep.")
        )
        explain.setWordWrap(True)
        grid = QGridLayout()
        self.groups: dict[str, QButtonGroup] = {}
        self.theirs_buttons: dict[str, QRadioButton] = {}
        for row, clash in enumerate(merge.clashes):
            grid.addWidget(PlainLabel(FIELD_WORDS[clash.field].removeprefix("the ").capitalize()), row, 0)
            theirs = QRadioButton(tr("Theirs: {0}").format(clash.theirs))
            yours = QRadioButton(tr("Yours: {0}").format(clash.yours))
            yours.setChecked(True)
            group = QButtonGroup(self)
            group.addButton(theirs)
            group.addButton(yours)
            self.groups[clash.field] = group
            self.theirs_buttons[clash.field] = theirs
            grid.addWidget(theirs, row, 1)
            grid.addWidget(yours, row, 2)
        self.buttons = QDialogButtonBox()
        self.use_button = self.buttons.addButton(
            tr("Use these in the form"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.use_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.said)
        layout.addWidget(explain)
        layout.addLayout(grid)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        super().accept()
        self.chosen.emit({field for field, button in self.theirs_buttons.items() if button.isChecked()})

    def reject(self) -> None:
        self.accept()  # closing keeps the preselected "yours"; the form is never left half-merged
