"""A person's decisions on a row: send it again, or do not send it. Checked against the life cycle."""

from datetime import datetime

from dispatch_desktop.domain.outbox import Move, OutboxStatus, check_move
from dispatch_desktop.storage.models import OutboxMessage


def requeue(row: OutboxMessage, now: datetime) -> None:
    """Queued and due now, with a fresh set of attempts."""
    row.status = check_move(Move.RETRY, OutboxStatus.QUEUED, row.status).value
    row.attempts, row.next_attempt_at, row.updated_at = 0, now, now
    row.claimed_by = row.claimed_at = None


def dismiss(row: OutboxMessage, note: str, now: datetime) -> None:
    """Dismissed, with `note` added to its error: the row stays as the record."""
    row.status = check_move(Move.DISMISS, OutboxStatus.DISMISSED, row.status).value
    row.updated_at = now
    row.last_error = f"{row.last_error}; {note}" if row.last_error else note
