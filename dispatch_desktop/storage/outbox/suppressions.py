"""Numbers that replied STOP: the sms_suppressions table."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, delete, select
from sqlalchemy.engine import CursorResult  # Session.execute is typed Result; DML gives a CursorResult
from sqlalchemy.orm import Session

from dispatch_desktop.storage.models import SmsSuppression
from dispatch_desktop.storage.upsert import dialect_insert

T = SmsSuppression.__table__


def suppress(connection: Connection, phone: str, reason: str, at: datetime) -> None:
    """Idempotent: two workers meeting the same STOP at once both succeed."""
    statement = dialect_insert(connection)(T).on_conflict_do_nothing(index_elements=["phone"])
    connection.execute(statement, {"phone": phone, "reason": reason[:300], "created_at": at})


def suppressed_among(session: Session, phones: Iterable[str]) -> set[str]:
    """The numbers of `phones` that are suppressed."""
    targets = set(phones)
    if not targets:
        return set()
    return set(session.scalars(select(T.c.phone).where(T.c.phone.in_(targets))))


def all_suppressions(session: Session) -> list[SmsSuppression]:
    return list(session.scalars(select(SmsSuppression).order_by(SmsSuppression.created_at)))


def clear(session: Session, phone: str) -> bool:
    """Remove a suppression; returns whether there was one."""
    result = cast(CursorResult[Any], session.execute(delete(T).where(T.c.phone == phone)))
    return bool(result.rowcount)
