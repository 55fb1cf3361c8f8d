"""Qt's dates as Python's: PySide's QDate.toPython() is typed as returning any object."""

from datetime import date

from PySide6.QtCore import QDate


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
