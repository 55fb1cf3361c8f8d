"""An agent's weekly working hours: seven rows of on/off with start and end, or "any time".

It reads and writes the text `domain/availability.parse_hours` reads, so the dialog saves what
`agent update --hours` would. A day with more spans than one (set at the command line) keeps its
later spans, named beside the row.
"""

from datetime import time

from PySide6.QtCore import QTime
from PySide6.QtWidgets import QCheckBox, QGridLayout, QPushButton, QTimeEdit, QVBoxLayout, QWidget

from dispatch_desktop.domain.availability import DAY_NAMES, WORKING_WEEK, Span, format_hours, parse_hours
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.services.agents import ANY_TIME
from dispatch_desktop.ui.kit.plain import PlainLabel


def _qtime(moment: time) -> QTime:
    return QTime(moment.hour, moment.minute)


def _time(value: QTime) -> time:
    return time(value.hour(), value.minute())


class DayRow:
    """One weekday: works it or not, from when to when, and any further spans kept as they are."""

    def __init__(self, weekday: int) -> None:
        self.weekday = weekday
        self.works = QCheckBox(DAY_NAMES[weekday])
        self.starts = QTimeEdit(QTime(8, 0))
        self.ends = QTimeEdit(QTime(17, 0))
        for edit in (self.starts, self.ends):
            edit.setDisplayFormat("HH:mm")
        self.later = PlainLabel()
        self.more: tuple[Span, ...] = ()
        self.works.toggled.connect(self._enable)

    def _enable(self, works: bool) -> None:
        self.starts.setEnabled(works)
        self.ends.setEnabled(works)

    def show(self, spans: list[Span]) -> None:
        self.works.setChecked(bool(spans))
        self._enable(bool(spans))
        if spans:
            self.starts.setTime(_qtime(spans[0].starts))
            self.ends.setTime(_qtime(spans[0].ends))
        self.more = tuple(spans[1:])
        self.later.setText(", ".join(f"+ {s.starts:%H:%M}–{s.ends:%H:%M}" for s in self.more))

    def spans(self) -> list[Span]:
        if not self.works.isChecked():
            return []
        return [Span(self.weekday, _time(self.starts.time()), _time(self.ends.time())), *self.more]


class WeeklyHoursEditor(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.any_time = QCheckBox(self.tr("Works &any time (no hours set)"))
        self.rows = [DayRow(day) for day in range(7)]
        self.copy_button = QPushButton(self.tr("Cop&y Monday to all weekdays"))
        self.copy_button.clicked.connect(self.copy_monday)
        grid = QGridLayout()
        for number, row in enumerate(self.rows):
            grid.addWidget(row.works, number, 0)
            grid.addWidget(row.starts, number, 1)
            grid.addWidget(PlainLabel("–"), number, 2)
            grid.addWidget(row.ends, number, 3)
            grid.addWidget(row.later, number, 4)
        grid.setColumnStretch(4, 1)
        grid.setContentsMargins(0, 0, 0, 0)
        self.days = QWidget()
        self.days.setLayout(grid)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.any_time)
        layout.addWidget(self.days)
        layout.addWidget(self.copy_button)
        self.any_time.toggled.connect(self._any_time)

    def _any_time(self, any_time: bool) -> None:
        self.days.setEnabled(not any_time)
        self.copy_button.setEnabled(not any_time)

    def show_hours(self, hours: str, suggestion: tuple[Span, ...], *, any_time: bool) -> None:
        """`hours` as an AgentView has them; when "" (never set) the rows show `suggestion`."""
        spans = parse_hours(hours) if hours else suggestion
        for row in self.rows:
            row.show([span for span in spans if span.weekday == row.weekday])
        self.any_time.setChecked(any_time)
        self._any_time(any_time)

    def copy_monday(self) -> None:
        monday = self.rows[0]
        for row in self.rows[1:]:
            if row.weekday in WORKING_WEEK:
                row.show([Span(row.weekday, s.starts, s.ends) for s in monday.spans()])

    def hours_text(self) -> str:
        """What to save: the hours as `parse_hours` reads them (checked by it), or ANY_TIME."""
        if self.any_time.isChecked():
            return ANY_TIME
        spans = [span for row in self.rows for span in row.spans()]
        if not spans:
            raise ValidationError(self.tr("tick the days the agent works, or 'any time'"), "hours")
        text = format_hours(sorted(spans))
        for span in spans:
            if span.ends <= span.starts:
                raise ValidationError(self.tr("%s ends before it starts") % DAY_NAMES[span.weekday], "hours")
        parse_hours(text)  # overlapping spans are refused with their day named
        return text
