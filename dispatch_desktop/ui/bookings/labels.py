"""Booking words as people read them: "en route", not "en_route"; "call center", not "call-center"."""

from PySide6.QtCore import QCoreApplication

from dispatch_desktop.domain.statuses import BookingStatus

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
