"""The notifications one booking caused, so the console can say "confirmation sent" or "logged (DEV)"."""

from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.outbox import OutboxView
from dispatch_desktop.storage.outbox import queries


def booking_notifications(ctx: ServiceContext, booking_id: int) -> list[OutboxView]:
    """Every outbox row for the booking, oldest first."""
    with ctx.reading() as unit:
        return [OutboxView.of(row) for row in queries.of_booking(unit.session, booking_id)]
