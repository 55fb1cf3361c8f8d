"""The customer part of a booking, shared by the booking form and the call-center panel: phone lookup,
field checks, a message under each field, and where a service error is shown.
"""

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QApplication, QCompleter, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.services import customers
from dispatch_desktop.services.booking_drafts import BookingDraft
from dispatch_desktop.services.display import phone_for_display
from dispatch_desktop.services.views import CallerView
from dispatch_desktop.ui.bookings.language_choice import LanguageChoice
from dispatch_desktop.ui.kit.console import ConsoleContext
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
    language: LanguageChoice
    lookup: HintLabel
    messages: dict[str, FieldMessage]
    known_caller: CallerView | None = None

    def _replaces_typed_name(self) -> bool:
        """Whether a known customer's name replaces a name already typed in."""
        return False

    def _find_customer(self, phone: str) -> None:
        ctx = self.console.ctx
        run_for(
            self,
            self.console.ops,
            lambda: customers.find_caller(ctx, phone),
            lambda found: self._customer_found(phone, found),
            lambda _e: None,
        )

    def _customer_found(self, phone: str, caller: CallerView | None) -> None:
        """Fill in a returning caller: name, email, their last address (the others a pick list
        away, on the Down key), and the cursor on Service when nothing was typed meanwhile."""
        if phone != self.phone.text().strip():
            return
        self.known_caller = caller
        self._caller_changed(caller)
        self.language.show_customer(caller.customer.language if caller else None)
        region = self.settings.region if self.settings else "US"
        if caller is None:
            self.lookup.setText(self.tr("New customer"))
            self.offer_addresses(())
            # A new caller's number reads like a known one's; one that is no number stays as typed
            # (the check under the field says why).
            with suppress(ValidationError):
                self.phone.setText(phone_for_display(validation.phone(phone, region), region))
            return
        customer = caller.customer
        self.phone.setText(phone_for_display(customer.phone, region))  # one national format everywhere
        self.lookup.setText(self._known_customer_text(customer.name))
        untouched = not self.name.text().strip() and not self.address.text().strip()
        if not self.name.text().strip() or self._replaces_typed_name():
            self.name.setText(customer.name)
        if customer.email and not self.email.text().strip():
            self.email.setText(customer.email)
        if caller.last_address and not self.address.text().strip():
            self.address.setText(caller.last_address)
        self.offer_addresses(caller.addresses)
        if untouched and QApplication.focusWidget() in (self.phone, self.name):
            self.service.setFocus(Qt.FocusReason.TabFocusReason)

    def offer_addresses(self, addresses: tuple[str, ...]) -> None:
        """The caller's addresses as the Address field's pick list (Down opens it)."""
        picker = self.address.completer()
        if picker is None:
            picker = QCompleter(self.address)
            picker.setModel(QStringListModel(picker))
            picker.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
            picker.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            self.address.setCompleter(picker)
        model = picker.model()
        assert isinstance(model, QStringListModel)
        model.setStringList(list(addresses))

    def _caller_changed(self, caller: CallerView | None) -> None:
        """What else a form shows of the caller (the call-center panel: their bookings)."""

    def _known_customer_text(self, name: str) -> str:
        return self.tr("Known customer: {0}").format(name)

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
            customer_language=self.language.chosen(),
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


def label_buddies_to_fields(form: QFormLayout) -> None:
    """Each row's Alt+letter puts the cursor in its field: the label's buddy is the first field that
    takes focus, not the box (`stacked`) holding the field with its hint and message."""
    for row in range(form.rowCount()):
        label_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        holder = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        label = label_item.widget() if label_item is not None else None
        box = holder.widget() if holder is not None else None
        if not isinstance(label, QLabel) or box is None:
            continue
        fields = [box, *box.findChildren(QWidget)]
        field = next((w for w in fields if w.focusPolicy() & Qt.FocusPolicy.TabFocus), None)
        if field is not None:
            label.setBuddy(field)
