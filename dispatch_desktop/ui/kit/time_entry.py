"""The start of a booking as two typed fields, a date and a time, shared by both booking forms.

Each field reads its shortcuts (domain/time_entry.py) as it is typed and shows the date or time
it understood once the cursor leaves it; nothing jumps to the next field by itself.
"""

from datetime import date, datetime, time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QWidget

from dispatch_desktop.domain import time_entry


class _SelectingLineEdit(QLineEdit):
    """A field whose text is selected when the cursor arrives, so typing replaces it."""

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if event.reason() != Qt.FocusReason.MouseFocusReason:
            self.selectAll()


class DateTimeEntry(QWidget):
    """A date field and a time field; `value()` is the wall-clock start they name, or None."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._today = date.today()
        self.date_field = _SelectingLineEdit()
        self.date_field.setObjectName("startDate")
        self.date_field.setPlaceholderText(self.tr("t, +1, 2026-12-03"))
        self.date_field.setToolTip(self.tr("t = today, +1 = tomorrow, +7 = in a week, or 12/3, 2026-12-03"))
        self.time_field = _SelectingLineEdit()
        self.time_field.setObjectName("startTime")
        self.time_field.setPlaceholderText(self.tr("10, 10:30, 2p"))
        self.time_field.setToolTip(self.tr("10 = 10:00, 10:30, 1030, 2p = 14:00, 2:30p"))
        self.time_field.setMaximumWidth(110)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.date_field, 2)
        row.addWidget(self.time_field, 1)
        for field in (self.date_field, self.time_field):
            field.textEdited.connect(lambda _text: self.changed.emit())
            field.editingFinished.connect(self._tidy)
        self.setFocusProxy(self.date_field)

    def fields(self) -> list[QWidget]:
        return [self.date_field, self.time_field]

    def set_today(self, today: date) -> None:
        """The day `t` and `+1` count from (the team's today)."""
        self._today = today

    def typed_date(self) -> date | None:
        return time_entry.parse_date(self.date_field.text(), self._today)

    def typed_time(self) -> time | None:
        return time_entry.parse_time(self.time_field.text())

    def value(self) -> datetime | None:
        day, clock = self.typed_date(), self.typed_time()
        return datetime.combine(day, clock) if day is not None and clock is not None else None

    def problem(self) -> str:
        """What to type instead, or empty when both fields read."""
        if self.typed_date() is None:
            return self.tr("Type a date: t for today, +1 for tomorrow, or 2026-12-03")
        if self.typed_time() is None:
            return self.tr("Type a time: 10, 10:30 or 2p")
        return ""

    def set_value(self, moment: datetime) -> None:
        self.date_field.setText(time_entry.date_text(moment.date()))
        self.time_field.setText(time_entry.time_text(moment.time()))
        self.changed.emit()

    def _tidy(self) -> None:
        """Show what was understood (`+1` becomes the date it means); leave unreadable text as typed."""
        day, clock = self.typed_date(), self.typed_time()
        if day is not None:
            self.date_field.setText(time_entry.date_text(day))
        if clock is not None:
            self.time_field.setText(time_entry.time_text(clock))
