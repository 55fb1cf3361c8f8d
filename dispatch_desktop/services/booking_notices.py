"""The notifications one booking caused: for the call-center panel's "confirmation sent" or
"logged (DEV)", and for `booking notices` and the Notifications section of a booking's details."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dispatch_desktop.services.bookings import get_booking
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.outbox import OutboxView
from dispatch_desktop.services.views import jsonable, reach_advice
from dispatch_desktop.storage.outbox import queries, reach


def booking_notifications(ctx: ServiceContext, booking_id: int) -> list[OutboxView]:
    """Every outbox row for the booking, oldest first."""
    with ctx.reading() as unit:
        return [OutboxView.of(row) for row in queries.of_booking(unit.session, booking_id)]


@dataclass(frozen=True)
class BookingNotice:
    """One notification of a booking as a person reads it: to whom, how, and what became of it."""

    id: int
    event: str
    channel: str
    recipient_kind: str
    recipient_name: str | None
    recipient: str
    status: str
    delivery: str | None
    reason: str | None  # the receipt's plain words, else the send's error
    not_reached: bool  # the newest message to this person on this channel did not reach them
    created_at: datetime
    sent_at: datetime | None

    @property
    def advice(self) -> str | None:
        return reach_advice(self.recipient_kind) if self.not_reached else None

    def to_json(self) -> dict[str, Any]:
        return jsonable(self) | {"advice": self.advice}


def booking_notices(ctx: ServiceContext, booking_id: int) -> list[BookingNotice]:
    """Every notification of the booking, oldest first; refused for a booking that does not exist."""
    get_booking(ctx, booking_id)
    with ctx.reading() as unit:
        missed = {row.message_id for row in reach.unreached(unit.session, [booking_id]).get(booking_id, [])}
        return [
            BookingNotice(
                row.id,
                row.event,
                row.channel,
                row.recipient_kind,
                row.recipient_name,
                row.recipient,
                row.status,
                row.delivery,
                row.delivery_reason or row.last_error,
                row.id in missed,
                row.created_at,
                row.sent_at,
            )
            for row in queries.of_booking(unit.session, booking_id)
        ]
