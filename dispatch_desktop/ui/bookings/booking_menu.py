"""The right-click menu of a booking in the bookings tab: only what this operator may do to it."""

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMenu

from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.domain.statuses import FINAL_STATUSES, BookingStatus
from dispatch_desktop.services.views import BookingView
from dispatch_desktop.ui.bookings.labels import status_label

if TYPE_CHECKING:
    from dispatch_desktop.ui.bookings.page import BookingsPage


def booking_menu(page: "BookingsPage", view: BookingView) -> QMenu:
    """The actions this operator may take on this booking, and only those."""
    menu = QMenu(page)
    menu.setObjectName("bookingMenu")
    edit = menu.addAction(page.tr("&Edit…"))
    edit.setEnabled(page.may_edit(view) and BookingStatus(view.status) not in FINAL_STATUSES)
    edit.triggered.connect(lambda: page.with_fresh(view.id, page.edit_booking))
    if page.console.can(Permission.MANAGE_BOOKINGS):
        assign = menu.addAction(page.tr("&Reassign…") if view.agent_id else page.tr("&Assign…"))
        assign.setObjectName("assign")
        assign.setEnabled(page.may_assign(view))
        assign.triggered.connect(lambda: page.with_fresh(view.id, page.assign))
    choices = page.status_choices(view)
    if choices:
        status_menu = menu.addMenu(page.tr("Change &status"))
        for status in choices:
            if status == BookingStatus.CANCELLED:
                continue
            action = status_menu.addAction(status_label(status))
            action.setData(status.value)
            action.triggered.connect(
                lambda _checked=False, s=status: page.with_fresh(
                    view.id, lambda fresh: page.change_status(fresh, s)
                )
            )
        if status_menu.isEmpty():
            status_menu.menuAction().setVisible(False)
        if BookingStatus.CANCELLED in choices:
            cancel = menu.addAction(page.tr("&Cancel booking…"))
            cancel.setObjectName("cancel")
            cancel.triggered.connect(
                lambda: page.with_fresh(
                    view.id, lambda fresh: page.change_status(fresh, BookingStatus.CANCELLED)
                )
            )
    menu.addSeparator()
    details = menu.addAction(page.tr("View &details and notifications"))
    details.setObjectName("details")
    details.triggered.connect(lambda: page.show_details(view.id))
    history = menu.addAction(page.tr("View &history"))
    history.triggered.connect(lambda: page.show_history(view.id))
    return menu
