"""What a booking form's Save does, Qt-free: create a booking, or update one and then (re)assign it.

The console's booking form and call-center panel call `save_draft` on a worker; the CLI or a script
can save the same way.
"""

from dataclasses import dataclass
from datetime import datetime

from dispatch_desktop.services import bookings
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import BookingView


@dataclass(frozen=True)
class BookingDraft:
    """What the form would save, as plain values."""

    customer_name: str
    customer_phone: str
    customer_email: str | None
    address: str
    service: str
    start: datetime  # with its UTC offset once the team's zone is known
    end: datetime
    notes: str | None
    agent_id: int | None
    notify_customer: bool = True  # False: "don't notify the customer about this change"
    sms_consent: str | None = None  # the customer's answer to "OK to text you?" ('yes', 'no', None)


def save_draft(
    ctx: ServiceContext,
    draft: BookingDraft,
    original: BookingView | None,
    *,
    assign: bool,
    call_center: bool = False,
) -> BookingView:
    """A new booking from `draft`, or `original` edited to it (refused if someone saved it since).

    With `assign`, an edit whose agent differs also assigns the booking to the draft's agent (or
    unassigns it); without, the agent stays as it is. With `call_center`, a new booking is the
    call center's (see bookings.create_booking).
    """
    if original is None:
        return bookings.create_booking(
            ctx,
            call_center=call_center,
            customer_name=draft.customer_name,
            customer_phone=draft.customer_phone,
            customer_email=draft.customer_email,
            address=draft.address,
            service=draft.service,
            start=draft.start,
            end=draft.end,
            agent_id=draft.agent_id if assign else None,
            notes=draft.notes or None,
            sms_consent=draft.sms_consent,
            notify_customer=draft.notify_customer,
        )
    view = bookings.update_booking(
        ctx,
        original.id,
        expect_version=original.version,
        customer_name=draft.customer_name,
        customer_phone=draft.customer_phone,
        customer_email=draft.customer_email or "",
        address=draft.address,
        service=draft.service,
        start=draft.start,
        end=draft.end,
        notes=draft.notes or "",
        notify_customer=draft.notify_customer,
    )
    if assign and draft.agent_id != view.agent_id:
        view = bookings.assign_booking(
            ctx, view.id, draft.agent_id, expect_version=view.version, notify_customer=draft.notify_customer
        )
    return view
