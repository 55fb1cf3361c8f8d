"""The outbox's claiming SQL: every due row is taken by exactly one worker.

PostgreSQL locks candidate rows with FOR UPDATE SKIP LOCKED, so concurrent workers pass
over each other's rows; SQLite has one writer at a time (BEGIN IMMEDIATE), so one
conditional UPDATE ... WHERE status IN ('queued', 'retry') is atomic by itself.
Either way the claim commits before anything is sent.

A worker only ever takes rows queued in its own environment (`queued_environment`): a
development console on a production database must never log a customer's notification away.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Row, bindparam, case, func, or_, select, update
from sqlalchemy.engine import CursorResult  # Session.execute is typed Result; DML gives a CursorResult
from sqlalchemy.orm import Session

from dispatch_desktop.domain.outbox import DUE_STATUSES, MOVES, Move, OutboxStatus, check_move
from dispatch_desktop.storage.models import OutboxMessage
from dispatch_desktop.storage.outbox.supersede import supersede_started_reminders

SENDING = OutboxStatus.SENDING
T = OutboxMessage.__table__


def _may_leave(move: Move) -> ColumnElement[bool]:
    """The rows `move` may change, from the life-cycle table: each status UPDATE is guarded by it."""
    sources = MOVES[move].sources
    # One source as `=`: an IN list is expanded anew at each execution of the fixed _FINISH statement.
    return T.c.status == sources[0] if len(sources) == 1 else T.c.status.in_(sources)


@dataclass(frozen=True)
class Claimed:
    """A row this worker now owns, copied out so it can be sent with no session open."""

    id: int
    dedupe_key: str
    event: str
    channel: str
    recipient: str
    recipient_kind: str
    subject: str | None
    body: str
    html_body: str | None
    calendar: str | None
    attempts: int
    claimed_by: str
    created_at: datetime


def _due(now: datetime, channels: Sequence[str], environment: str) -> tuple[ColumnElement[bool], ...]:
    return (
        T.c.status.in_(DUE_STATUSES),
        T.c.next_attempt_at <= now,
        T.c.channel.in_(list(channels)),
        T.c.queued_environment == environment,
    )


def has_due(session: Session, *, now: datetime, channels: Sequence[str], environment: str) -> bool:
    """A cheap read first, so an idle poll never takes SQLite's write lock."""
    if not channels:
        return False
    query = select(T.c.id).where(*_due(now, channels, environment)).limit(1)
    return session.scalar(query) is not None


def _unannounced(environment: str) -> tuple[ColumnElement[bool], ...]:
    return (
        T.c.status == OutboxStatus.SKIPPED,
        T.c.environment.is_(None),
        T.c.queued_environment == environment,
    )


def has_unannounced_skips(session: Session, environment: str) -> bool:
    return session.scalar(select(T.c.id).where(*_unannounced(environment)).limit(1)) is not None


def claim_due(
    session: Session,
    *,
    worker: str,
    now: datetime,
    limit: int,
    channels: Sequence[str],
    environment: str,
    due_by: datetime | None = None,
) -> list[Claimed]:
    """Claim up to `limit` rows due by `due_by` (default `now`), stamped as claimed at `now`.

    A scheduled or held row is claimed only once its due time has passed; a due reminder of a
    booking that has started is superseded first, never sent late.
    """
    if not channels or limit <= 0:
        return []
    supersede_started_reminders(session, now=now, environment=environment)
    claim = {
        "status": check_move(Move.CLAIM, SENDING),
        "claimed_by": worker,
        "claimed_at": now,
        "attempts": T.c.attempts + 1,
        "environment": environment,
        "updated_at": now,
    }
    candidates = (
        select(T.c.id)
        .where(*_due(due_by or now, channels, environment))
        .order_by(T.c.next_attempt_at, T.c.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(candidates.with_for_update(skip_locked=True)))
        if not ids:
            return []
        session.execute(update(T).where(T.c.id.in_(ids)).values(**claim))
    else:
        ids = list(
            session.scalars(
                update(T)
                .where(T.c.id.in_(candidates.scalar_subquery()), _may_leave(Move.CLAIM))
                .values(**claim)
                .returning(T.c.id)
            )
        )
        if not ids:
            return []
    rows = session.execute(select(T).where(T.c.id.in_(ids), T.c.claimed_by == worker).order_by(T.c.id)).all()
    return [_claimed(row) for row in rows]


def _claimed(row: Row) -> Claimed:
    return Claimed(
        id=row.id,
        dedupe_key=row.dedupe_key,
        event=row.event,
        channel=row.channel,
        recipient=row.recipient,
        recipient_kind=row.recipient_kind,
        subject=row.subject,
        body=row.body,
        html_body=row.html_body,
        calendar=row.calendar,
        attempts=row.attempts,
        claimed_by=row.claimed_by,
        created_at=row.created_at,
    )


# One fixed statement (a column given as None keeps its value): recording runs once per message,
# and building the UPDATE anew each time cost more than executing it.
_FINISH = (
    update(T)
    .where(T.c.id == bindparam("f_id"), _may_leave(Move.FINISH), T.c.claimed_by == bindparam("f_claimed_by"))
    .values(
        status=bindparam("f_status"),
        last_error=bindparam("f_error", type_=T.c.last_error.type),
        updated_at=bindparam("f_at", type_=T.c.updated_at.type),
        provider_id=func.coalesce(bindparam("f_provider_id", type_=T.c.provider_id.type), T.c.provider_id),
        sent_to=func.coalesce(bindparam("f_sent_to", type_=T.c.sent_to.type), T.c.sent_to),
        sent_at=case(
            (bindparam("f_status") == OutboxStatus.SENT.value, bindparam("f_at")), else_=T.c.sent_at
        ),
        next_attempt_at=func.coalesce(
            bindparam("f_next_attempt_at", type_=T.c.next_attempt_at.type), T.c.next_attempt_at
        ),
        attempts=func.coalesce(bindparam("f_attempts", type_=T.c.attempts.type), T.c.attempts),
    )
)


def finish(
    session: Session | Connection,
    claimed: Claimed,
    *,
    status: str,
    now: datetime,
    error: str | None = None,
    provider_id: str | None = None,
    sent_to: str | None = None,
    next_attempt_at: datetime | None = None,
    attempts: int | None = None,
) -> bool:
    """Record a send's outcome, only if this worker still owns the row. Returns whether it did."""
    result = session.execute(
        _FINISH,
        {
            "f_id": claimed.id,
            "f_claimed_by": claimed.claimed_by,
            "f_status": check_move(Move.FINISH, status).value,
            "f_error": error,
            "f_at": now,
            "f_provider_id": provider_id,
            "f_sent_to": sent_to,
            "f_next_attempt_at": next_attempt_at,
            "f_attempts": attempts,
        },
    )
    return bool(cast(CursorResult[Any], result).rowcount)


def in_flight(session: Session) -> list[Row]:
    return list(
        session.execute(
            select(
                T.c.id,
                T.c.channel,
                T.c.recipient,
                T.c.claimed_by,
                T.c.claimed_at,
                T.c.attempts,
                T.c.environment,
            ).where(T.c.status == SENDING)
        )
    )


def release_stale(
    session: Session, row_id: int, claimed_by: str | None, *, status: str, error: str, now: datetime
) -> bool:
    result = session.execute(
        update(T)
        .where(T.c.id == row_id, _may_leave(Move.RECOVER), T.c.claimed_by == claimed_by)
        .values(
            status=check_move(Move.RECOVER, status), last_error=error, updated_at=now, next_attempt_at=now
        )
    )
    return bool(cast(CursorResult[Any], result).rowcount)


def hold_for_credentials(
    session: Session, *, channel: str, error: str, now: datetime, environment: str
) -> list[Row]:
    """Due rows of a channel with no credentials: waiting, with the reason, not failed.

    Only rows queued in `environment` (production): a development row is never held.
    Returns only rows whose reason changed, so each is announced once, not on every run.
    """
    return list(
        session.execute(
            update(T)
            .where(
                *_due(now, [channel], environment),
                _may_leave(Move.HOLD),
                or_(T.c.last_error.is_(None), T.c.last_error != error),
            )
            .values(
                status=check_move(Move.HOLD, OutboxStatus.RETRY),
                last_error=error,
                updated_at=now,
                environment=environment,
            )
            .returning(T.c.id, T.c.recipient)
        )
    )


def announce_skips(session: Session, *, environment: str, now: datetime) -> list[Row]:
    """Skipped rows nobody has logged yet, marked logged by stamping the environment."""
    return list(
        session.execute(
            update(T)
            .where(*_unannounced(environment))
            .values(environment=environment, updated_at=now)
            .returning(T.c.id, T.c.channel, T.c.recipient_name, T.c.recipient_kind, T.c.last_error)
        )
    )


def due_summary(session: Session, *, now: datetime, held_prefix: str) -> list[Row]:
    """Rows due now per queued environment and channel, with the credentials reason they wait for.

    Each row: queued_environment, channel, held (the `held_prefix...` error, else None), count.
    """
    held = case((T.c.last_error.like(f"{held_prefix}%"), T.c.last_error), else_=None).label("held")
    return list(
        session.execute(
            select(T.c.queued_environment, T.c.channel, held, func.count().label("count"))
            .where(T.c.status.in_(DUE_STATUSES), T.c.next_attempt_at <= now)
            .group_by(T.c.queued_environment, T.c.channel, held)
            .order_by(T.c.queued_environment, T.c.channel)
        )
    )


def claimed_at(session: Session, *, worker: str, at: datetime) -> list[Claimed]:
    """Rows still `sending` under the claim `worker` stamped at `at`.

    After a claim's commit failed on the client side (the connection dropped), this tells
    whether it landed on the server anyway: those rows are the worker's, and nobody else's.
    """
    rows = session.execute(
        select(T)
        .where(T.c.status == SENDING, T.c.claimed_by == worker, T.c.claimed_at == at)
        .order_by(T.c.id)
    ).all()
    return [_claimed(row) for row in rows]


def recorded_as(session: Session | Connection, claimed: Claimed, status: str) -> bool:
    """Whether `finish` already landed for this claim (its commit's reply was lost on the way)."""
    return (
        session.scalar(
            select(T.c.id).where(
                T.c.id == claimed.id, T.c.status == status, T.c.claimed_by == claimed.claimed_by
            )
        )
        is not None
    )
