"""How many texts the outbox holds for a number or from an operator, for the team's SMS caps."""

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from dispatch_desktop.domain.outbox import Channel, OutboxStatus
from dispatch_desktop.storage.models import OutboxMessage

SMS, SKIPPED = Channel.SMS, OutboxStatus.SKIPPED
T = OutboxMessage.__table__


def _texts() -> Select[Any]:
    """SMS rows that were or will be sent (skipped ones never go out)."""
    return select(func.count()).select_from(T).where(T.c.channel == SMS, T.c.status != SKIPPED)


def recipients_queued_since(session: Session, operator: str, since: datetime) -> list[str]:
    """Numbers this operator's texts went to since `since` (in practice: this transaction's)."""
    rows = session.execute(
        select(T.c.recipient)
        .distinct()
        .where(
            T.c.channel == SMS,
            T.c.status != SKIPPED,
            T.c.queued_by == operator,
            T.c.created_at >= since,
        )
    )
    return sorted(recipient for (recipient,) in rows)


def texts_to(session: Session, recipient: str, since: datetime) -> int:
    return session.scalar(_texts().where(T.c.recipient == recipient, T.c.created_at >= since)) or 0


def texts_by(session: Session, operator: str, since: datetime) -> int:
    return session.scalar(_texts().where(T.c.queued_by == operator, T.c.created_at >= since)) or 0


def ever_texted(session: Session, recipient: str) -> bool:
    """Whether any text to this number was or will be sent (skipped and dismissed ones never go)."""
    statement = (
        select(T.c.id)
        .where(
            T.c.channel == SMS,
            T.c.recipient == recipient,
            T.c.status.not_in((SKIPPED, OutboxStatus.DISMISSED)),
        )
        .limit(1)
    )
    return session.scalar(statement) is not None
