"""Customer texts that came due in quiet hours: found before a claim, held to the window's end.

Which of them quiet hours hold is the services' rule (services/notices.quiet_hours); here is the
SQL: the due customer texts with their booking's start, and the DEFER or SUPERSEDE move of one.
"""

from datetime import datetime

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from dispatch_desktop.domain.outbox import MOVES, Channel, HoldReason, Move, OutboxStatus, check_move
from dispatch_desktop.storage.models import Booking, OutboxMessage

T = OutboxMessage.__table__
B = Booking.__table__
CUSTOMER = "customer"


def due_customer_texts(session: Session, *, now: datetime, environment: str) -> list[Row]:
    """Unsent customer texts of `environment` due by `now`: id, event, recipient, starts_at."""
    return list(
        session.execute(
            select(T.c.id, T.c.event, T.c.recipient, B.c.starts_at)
            .select_from(T.outerjoin(B, B.c.id == T.c.booking_id))
            .where(
                T.c.status.in_(MOVES[Move.DEFER].sources),
                T.c.next_attempt_at <= now,
                T.c.channel == Channel.SMS,
                T.c.recipient_kind == CUSTOMER,
                T.c.queued_environment == environment,
            )
            .order_by(T.c.id)
        )
    )


def hold_or_supersede(
    session: Session, row_id: int, status: OutboxStatus, *, due: datetime, reason: str | None, now: datetime
) -> bool:
    """Held for quiet hours until `due`, or superseded with `reason`, if still unsent."""
    if status == OutboxStatus.HELD:
        move = Move.DEFER
        values: dict[str, object] = {"hold_reason": HoldReason.QUIET_HOURS.value, "next_attempt_at": due}
    else:
        move = Move.SUPERSEDE
        values = {"last_error": reason}
    result = session.execute(
        update(T)
        .where(T.c.id == row_id, T.c.status.in_(MOVES[move].sources))
        .values(status=check_move(move, status), updated_at=now, **values)
        .returning(T.c.id)
    )
    return result.first() is not None
