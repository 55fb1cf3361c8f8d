"""The provider sync's SQL: which texts still wait for a receipt, recording one, and resolving
`unknown` texts from what Twilio's own log says.

Every write is conditional on the row still being as the sync read it, so two passes at once
(two workstations that both believed they led) change each row once: the second finds nothing
to change and reports nothing.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, bindparam, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from dispatch_desktop.domain.delivery import FINAL_DELIVERY
from dispatch_desktop.domain.outbox import MOVES, Channel, Move, OutboxStatus, check_move
from dispatch_desktop.storage.models import OutboxMessage

T = OutboxMessage.__table__
# Twilio keeps changing a text's status for a while; after this the sync stops asking.
RECEIPT_WINDOW = timedelta(hours=72)
_FINAL = sorted(state.value for state in FINAL_DELIVERY)


@dataclass(frozen=True)
class Pending:
    """A sent text whose delivery is not final yet."""

    id: int
    provider_id: str
    recipient: str  # the number it went to (the redirect, when one was set)
    sent_at: datetime
    delivery: str | None
    delivery_error_code: int | None


@dataclass(frozen=True)
class Unknown:
    """A text that may or may not have reached Twilio."""

    id: int
    recipient: str
    body: str
    claimed_at: datetime | None
    updated_at: datetime


def _not_final() -> ColumnElement[bool]:
    # Each state as `!=`: an IN list is expanded anew at each execution of the fixed _RECORD.
    return or_(T.c.delivery.is_(None), and_(*(T.c.delivery != state for state in _FINAL)))


def pending(session: Session, *, now: datetime, environment: str) -> list[Pending]:
    """SMS rows `sent` in `environment` within RECEIPT_WINDOW whose delivery is not final, oldest first."""
    rows = session.execute(
        select(T.c.id, T.c.provider_id, T.c.recipient, T.c.sent_to, T.c.sent_at, T.c.delivery,
               T.c.delivery_error_code)
        .where(
            T.c.channel == Channel.SMS,
            T.c.status == OutboxStatus.SENT,
            T.c.environment == environment,
            T.c.provider_id.is_not(None),
            T.c.sent_at >= now - RECEIPT_WINDOW,
            _not_final(),
        )
        .order_by(T.c.sent_at, T.c.id)
    )  # fmt: skip
    return [
        Pending(row.id, row.provider_id, row.sent_to or row.recipient, row.sent_at, row.delivery,
                row.delivery_error_code)
        for row in rows
    ]  # fmt: skip


# One fixed statement: a pass records up to thousands of receipts, and building the UPDATE anew
# for each cost several times executing it (as claims._FINISH).
_RECORD = (
    update(T)
    .where(
        T.c.id == bindparam("r_id"),
        T.c.status == OutboxStatus.SENT,
        T.c.provider_id == bindparam("r_sid"),
        _not_final(),
        or_(
            T.c.delivery.is_distinct_from(bindparam("r_delivery", type_=T.c.delivery.type)),
            T.c.delivery_error_code.is_distinct_from(bindparam("r_code", type_=T.c.delivery_error_code.type)),
        ),
    )
    .values(
        delivery=bindparam("r_delivery", type_=T.c.delivery.type),
        delivery_error_code=bindparam("r_code", type_=T.c.delivery_error_code.type),
        delivery_reason=bindparam("r_reason", type_=T.c.delivery_reason.type),
        delivery_checked_at=bindparam("r_at", type_=T.c.delivery_checked_at.type),
        updated_at=bindparam("r_at", type_=T.c.updated_at.type),
    )
)


def record_receipt(
    session: Session,
    row_id: int,
    provider_id: str,
    *,
    delivery: str,
    error_code: int | None,
    reason: str | None,
    now: datetime,
) -> bool:
    """Record what Twilio says of one sent text, only when it changed and was not final.

    Returns whether this call changed the row (so the change is logged once, by one pass).
    """
    values = {"r_id": row_id, "r_sid": provider_id, "r_delivery": delivery, "r_code": error_code,
              "r_reason": reason, "r_at": now}  # fmt: skip
    return bool(cast(CursorResult[Any], session.execute(_RECORD, values)).rowcount)


def unknown(session: Session, *, environment: str) -> list[Unknown]:
    """SMS rows `unknown` in `environment`, oldest claim first."""
    rows = session.execute(
        select(T.c.id, T.c.recipient, T.c.body, T.c.claimed_at, T.c.updated_at)
        .where(*_unknown_sms(environment))
        .order_by(T.c.claimed_at, T.c.id)
    )
    return [Unknown(row.id, row.recipient, row.body, row.claimed_at, row.updated_at) for row in rows]


def _unknown_sms(environment: str) -> tuple[ColumnElement[bool], ...]:
    return (T.c.channel == Channel.SMS, T.c.status == OutboxStatus.UNKNOWN, T.c.environment == environment)


def known_sids(session: Session, sids: Sequence[str]) -> set[str]:
    """The SIDs among `sids` some row already has: a message in Twilio's log belongs to one row."""
    if not sids:
        return set()
    return set(session.scalars(select(T.c.provider_id).where(T.c.provider_id.in_(list(sids)))))


def _resolvable(row: Unknown) -> tuple[ColumnElement[bool], ...]:
    """The row as the sync read it: still unknown, under the same claim, not touched since."""
    (source,) = MOVES[Move.RESOLVE].sources
    claim = T.c.claimed_at.is_(None) if row.claimed_at is None else T.c.claimed_at == row.claimed_at
    return (T.c.id == row.id, T.c.status == source, claim, T.c.updated_at == row.updated_at)


def _resolve(session: Session, row: Unknown, to: OutboxStatus, **values: object) -> bool:
    """Move an unknown text to `to` with `values`, only while it is as the sync read it."""
    statement = update(T).where(*_resolvable(row)).values(status=check_move(Move.RESOLVE, to), **values)
    return bool(cast(CursorResult[Any], session.execute(statement)).rowcount)


def found_sent(
    session: Session,
    row: Unknown,
    *,
    provider_id: str,
    sent_to: str,
    sent_at: datetime,
    delivery: str | None,
    error_code: int | None,
    reason: str | None,
    now: datetime,
) -> bool:
    """An unknown text Twilio's log holds: `sent` with that SID and its receipt so far."""
    return _resolve(
        session,
        row,
        OutboxStatus.SENT,
        provider_id=provider_id,
        sent_to=sent_to,
        sent_at=sent_at,
        last_error=None,
        delivery=delivery,
        delivery_error_code=error_code,
        delivery_reason=reason,
        delivery_checked_at=now,
        updated_at=now,
    )


def release_absent(session: Session, row: Unknown, *, error: str, now: datetime) -> bool:
    """An unknown text Twilio's log provably lacks: `retry`, due now, so the next run sends it once."""
    return _resolve(session, row, OutboxStatus.RETRY, last_error=error, next_attempt_at=now, updated_at=now)
