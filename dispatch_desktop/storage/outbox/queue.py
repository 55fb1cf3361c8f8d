"""Writing new outbox rows, inside the caller's transaction."""

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy.engine import CursorResult  # Session.execute is typed Result; DML gives a CursorResult
from sqlalchemy.orm import Session

from dispatch_desktop.domain.outbox import NEW_STATUSES, IllegalMoveError
from dispatch_desktop.storage.models import OutboxMessage
from dispatch_desktop.storage.upsert import dialect_insert

# Session.info key: the environment a write transaction's change is made in (stamped on its rows).
ENVIRONMENT_INFO = "dispatch_environment"
# Session.info key naming the operator whose change queues outbox rows (outbox.queued_by).
QUEUED_BY = "dispatch_queued_by"
# Session.info key: this workstation's email From address, the organizer of the invites it queues.
SENDER_INFO = "dispatch_email_sender"

T = OutboxMessage.__table__


def insert_new(session: Session, rows: Sequence[Mapping[str, object]]) -> int:
    """Insert the rows; a row whose dedupe key already exists is left alone. Returns rows inserted."""
    if not rows:
        return 0
    for row in rows:
        if row["status"] not in NEW_STATUSES:
            *first, last = NEW_STATUSES
            raise IllegalMoveError(f"a new outbox row is {', '.join(first)} or {last}, not {row['status']}")
    statement = dialect_insert(session)(T).on_conflict_do_nothing(index_elements=["dedupe_key"])
    result = session.execute(statement, list(rows))
    return max(cast(CursorResult[Any], result).rowcount or 0, 0)
