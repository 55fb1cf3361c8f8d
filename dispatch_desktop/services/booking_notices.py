"""The notifications one booking caused, so the console can say "confirmation sent" or "logged (DEV)"."""

from sqlalchemy import select

from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.outbox import OutboxView
from dispatch_desktop.storage.models import OutboxMessage


def booking_notifications(ctx: ServiceContext, booking_id: int) -> list[OutboxView]:
    """Every outbox row for the booking, oldest first."""
    with ctx.reading() as unit:
        rows = unit.session.scalars(
            select(OutboxMessage).where(OutboxMessage.booking_id == booking_id).order_by(OutboxMessage.id)
        )
        return [OutboxView.of(row) for row in rows]
