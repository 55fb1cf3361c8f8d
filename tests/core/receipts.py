"""Putting what Twilio said on outbox rows directly, as the receipt sync would (tests only)."""

from datetime import datetime

from sqlalchemy import update

from dispatch_desktop.domain.delivery import reason_for
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import OutboxMessage
from dispatch_desktop.storage.types import utcnow


def put_receipt(
    db: Database,
    message_id: int,
    delivery: str,
    code: int | None = None,
    *,
    at: datetime | None = None,
) -> None:
    """The row was sent and its receipt says `delivery` (with Twilio's error `code`)."""
    when = at or utcnow()
    with db.write() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(
                status="sent",
                sent_at=when,
                delivery=delivery,
                delivery_error_code=code,
                delivery_reason=reason_for(code),
                delivery_checked_at=when,
                updated_at=when,
            )
        )


def put_failure(db: Database, message_id: int, error: str, *, status: str = "failed") -> None:
    """The send itself was refused (`Twilio HTTP 400 21608: ...`)."""
    with db.write() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(status=status, last_error=error, updated_at=utcnow())
        )


def message_ids(db: Database, booking_id: int, kind: str, channel: str = "sms") -> list[int]:
    with db.read() as session:
        return list(
            session.scalars(
                OutboxMessage.__table__.select()
                .with_only_columns(OutboxMessage.id)
                .where(
                    OutboxMessage.booking_id == booking_id,
                    OutboxMessage.recipient_kind == kind,
                    OutboxMessage.channel == channel,
                )
                .order_by(OutboxMessage.id)
            )
        )
