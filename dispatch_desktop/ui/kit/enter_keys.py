"""Enter in a form, the same in every form: it moves to the next field and saves on the last one;
Ctrl+Enter saves from any field."""

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class EnterMovesOn(QObject):
    """Installed on each field of `fields()` (in order; hidden or disabled ones are skipped)."""

    def __init__(self, form: QWidget, fields: Callable[[], list[QWidget]], save: Callable[[], None]) -> None:
        super().__init__(form)
        self.fields = fields
        self.save = save
        for field in fields():
            field.installEventFilter(self)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), form, save, Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER_KEYS
            and not event.modifiers()
            & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        ):
            reachable = [
                field for field in self.fields() if field.isVisibleTo(field.window()) and field.isEnabled()
            ]
            if watched in reachable:
                if watched is reachable[-1]:
                    self.save()
                else:
                    reachable[reachable.index(watched) + 1].setFocus(Qt.FocusReason.TabFocusReason)
                return True
        return super().eventFilter(watched, event)
