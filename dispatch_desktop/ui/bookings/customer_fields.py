"""The customer part of a booking, shared by the booking form and the call-center panel: phone lookup,
field checks, a message under each field, and where a service error is shown.
"""

from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.services import customers
from dispatch_desktop.services.booking_drafts import BookingDraft
from dispatch_desktop.services.views import CustomerView
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.dates import to_date
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.style import field_error_style

# Service error fields (see domain.validation) -> the form field that shows the message.
ERROR_FIELDS = {
    "customer phone": "phone",
    "phone": "phone",
    "customer email": "email",
    "email": "email",
    "customer name": "name",
    "address": "address",
    "service": "service",
    "notes": "notes",
    "start": "start",
    "end": "duration",
    "agent": "agent",
}


class HintLabel(PlainLabel):
    """A line under a field that takes no room while it has nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self.hide()

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.setText("")


class FieldMessage(PlainLabel):
    """The red line under a field that says what is wrong with it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self.setWordWrap(True)
        self.setStyleSheet(field_error_style(self.palette()))
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


def to_qdatetime(moment: datetime) -> QDateTime:
    return QDateTime(
        QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute, moment.second)
    )


def from_qdatetime(value: QDateTime) -> datetime:
    clock = value.time()
    return datetime.combine(to_date(value.date()), time(clock.hour(), clock.minute()))


def next_quarter_hour(now: datetime) -> datetime:
    rounded = now.replace(second=0, microsecond=0) + timedelta(minutes=15 - now.minute % 15)
    return rounded


if TYPE_CHECKING:
    # The classes using CustomerFields are widgets; at run time it is a plain mixin, since a
    # second Qt base class beside QDialog or QWidget is not something PySide supports.
    _Widget = QWidget
else:
    _Widget = object


class CustomerFields(_Widget):
    """The customer fields the booking form and the call-center panel share: phone lookup and checks.

    The widget using it sets these attributes.
    """

    console: ConsoleContext
    settings: TeamSettings | None
    phone: QLineEdit
    name: QLineEdit
    email: QLineEdit
    address: QLineEdit
    service: QLineEdit
    lookup: HintLabel
    messages: dict[str, FieldMessage]
    _known_customer: CustomerView | None = None

    def _replaces_typed_name(self) -> bool:
        """Whether a known customer's name replaces a name already typed in."""
        return False

    def _find_customer(self, phone: str) -> None:
        ctx = self.console.ctx
        run_for(
            self,
            self.console.ops,
            lambda: customers.find_by_phone(ctx, phone),
            lambda found: self._customer_found(phone, found),
            lambda _e: None,
        )

    def _customer_found(self, phone: str, customer: CustomerView | None) -> None:
        if phone != self.phone.text().strip():
            return
        self._known_customer = customer
        if customer is None:
            self.lookup.setText(self.tr("New customer"))
            return
        self.lookup.setText(self.tr("Known customer: {0}").format(customer.name))
        if not self.name.text().strip() or self._replaces_typed_name():
            self.name.setText(customer.name)
        if customer.email and not self.email.text().strip():
            self.email.setText(customer.email)

    def _show_at_field(self, error: Exception) -> bool:
        """A service refusal naming a field (error.field) shows under it; False when none here."""
        key = ERROR_FIELDS.get(getattr(error, "field", None) or "")
        if key not in self.messages:
            return False
        self.messages[key].show_message(one_line(error))
        return True

    def _draft(
        self, start: datetime, end: datetime, *, notes: str | None = None, agent_id: int | None = None
    ) -> BookingDraft:
        """The booking as typed in, to save with services.booking_drafts.save_draft."""
        return BookingDraft(
            customer_name=self.name.text().strip(),
            customer_phone=self.phone.text().strip(),
            customer_email=self.email.text().strip() or None,
            address=self.address.text().strip(),
            service=self.service.text().strip(),
            start=start,
            end=end,
            notes=notes,
            agent_id=agent_id,
        )

    def _check_field(self, key: str, check: Callable[[], object]) -> bool:
        """Run one validation: its refusal shows under the field, a pass clears the field's message."""
        try:
            check()
        except ValidationError as exc:
            self.messages[key].show_message(str(exc))
            return False
        self.messages[key].show_message("")
        return True

    def _check_phone(self) -> bool:
        region = self.settings.region if self.settings else "US"
        return self._check_field("phone", lambda: validation.phone(self.phone.text(), region))

    def _check_email(self) -> bool:
        return self._check_field("email", lambda: validation.optional_email(self.email.text()))

    def _check_required(self) -> bool:
        checks = [
            self._check_field(key, partial(validation.text, field.text(), key, limit))
            for field, key, limit in (
                (self.name, "name", validation.NAME_MAX),
                (self.address, "address", validation.ADDRESS_MAX),
                (self.service, "service", validation.SERVICE_MAX),
            )
        ]
        return all(checks)


def stacked(*widgets: QWidget) -> QWidget:
    """Widgets one under another without margins: a field, its hint, its message."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    for widget in widgets:
        column.addWidget(widget)
    return box
