"""Booking words as people read them: "en route", not "en_route"; "call center", not "call-center"."""

from PySide6.QtCore import QCoreApplication

from dispatch_desktop.domain.statuses import BookingStatus
from dispatch_desktop.services.views import BookingView

_S = BookingStatus


def status_label(status: str) -> str:
    """A status as people read it: "en route", not "en_route"."""
    labels: dict[str, str] = {
        _S.PENDING: QCoreApplication.translate("status", "pending"),
        _S.SCHEDULED: QCoreApplication.translate("status", "scheduled"),
        _S.CONFIRMED: QCoreApplication.translate("status", "confirmed"),
        _S.EN_ROUTE: QCoreApplication.translate("status", "en route"),
        _S.IN_PROGRESS: QCoreApplication.translate("status", "in progress"),
        _S.COMPLETED: QCoreApplication.translate("status", "completed"),
        _S.CANCELLED: QCoreApplication.translate("status", "cancelled"),
        _S.NO_SHOW: QCoreApplication.translate("status", "no-show"),
    }
    return labels.get(status, status)


def source_label(source: str) -> str:
    return {
        "dispatcher": QCoreApplication.translate("source", "dispatcher"),
        "call-center": QCoreApplication.translate("source", "call center"),
    }.get(source, source)


# The small marker of a booking whose customer texted R (two-way SMS): table, board and inbox.
RESCHEDULE_MARK = "↻"


def reschedule_note() -> str:
    return QCoreApplication.translate("status", "customer asks to reschedule")


def not_reached_marker(view: BookingView) -> str:
    """' ⚠ not reached' after a booking's status when some of its messages did not reach; else ''.

    Who and why is the tooltip's (`not_reached_tip`): the cell stays narrow.
    """
    return QCoreApplication.translate("reach", " ⚠ not reached") if view.unreached else ""


def not_reached_tip(view: BookingView) -> str:
    """Who was not reached, why, and what to do: one line each (plain text, for plain_tip or rich_tip)."""
    lines = [QCoreApplication.translate("reach", "Not reached:")]
    lines += [person.describe() for person in view.unreached]
    return "\n".join(lines) if view.unreached else ""


def cancel_reasons() -> list[str]:
    """The reasons a booking is usually cancelled for, offered first in the cancel dialog."""
    return [
        QCoreApplication.translate("cancel", "Customer cancelled"),
        QCoreApplication.translate("cancel", "Customer rebooked for another time"),
        QCoreApplication.translate("cancel", "Booked twice by mistake"),
        QCoreApplication.translate("cancel", "Problem fixed before the visit"),
        QCoreApplication.translate("cancel", "No agent available"),
        QCoreApplication.translate("cancel", "Customer could not be reached"),
    ]
