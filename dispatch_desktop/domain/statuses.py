"""Booking and time-off statuses and the one table of allowed booking transitions."""

from enum import StrEnum


class BookingStatus(StrEnum):
    PENDING = "pending"
    SCHEDULED = "scheduled"
    CONFIRMED = "confirmed"
    EN_ROUTE = "en_route"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class BookingSource(StrEnum):
    DISPATCHER = "dispatcher"
    CALL_CENTER = "call-center"


class TimeOffStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    CANCELLED = "cancelled"


_S = BookingStatus

# Moves a person may make with "change status". Assigning an agent is a separate
# action that turns PENDING into SCHEDULED, so PENDING does not list SCHEDULED.
TRANSITIONS: dict[BookingStatus, tuple[BookingStatus, ...]] = {
    _S.PENDING: (_S.CANCELLED,),
    _S.SCHEDULED: (_S.CONFIRMED, _S.EN_ROUTE, _S.CANCELLED, _S.NO_SHOW),
    _S.CONFIRMED: (_S.EN_ROUTE, _S.CANCELLED, _S.NO_SHOW),
    _S.EN_ROUTE: (_S.IN_PROGRESS, _S.CANCELLED, _S.NO_SHOW),
    _S.IN_PROGRESS: (_S.COMPLETED, _S.CANCELLED),
    _S.COMPLETED: (),
    _S.CANCELLED: (),
    _S.NO_SHOW: (),
}

# Nothing more happens to a booking in these: no move leads out of them.
FINAL_STATUSES: frozenset[BookingStatus] = frozenset(
    status for status, moves in TRANSITIONS.items() if not moves
)

# Bookings in these statuses no longer hold the agent's time.
INACTIVE_STATUSES: frozenset[BookingStatus] = frozenset({_S.CANCELLED, _S.NO_SHOW})

# Statuses in which the agent may still be changed.
ASSIGNABLE_STATUSES: frozenset[BookingStatus] = frozenset({_S.PENDING, _S.SCHEDULED, _S.CONFIRMED})

# Assigning an agent schedules a pending booking; taking the agent away makes it pending again.
ASSIGNMENT_MOVES: frozenset[tuple[BookingStatus, BookingStatus]] = frozenset(
    {(_S.PENDING, _S.SCHEDULED)} | {(status, _S.PENDING) for status in ASSIGNABLE_STATUSES - {_S.PENDING}}
)

# Every status change a booking may make by any route; PostgreSQL's trigger refuses the rest
# (storage/roles.py generates it from this set).
STATUS_MOVES: frozenset[tuple[BookingStatus, BookingStatus]] = ASSIGNMENT_MOVES | {
    (old, new) for old, moves in TRANSITIONS.items() for new in moves
}

# A booking past its start and still in one of these has not progressed.
NOT_STARTED_STATUSES: frozenset[BookingStatus] = frozenset({_S.PENDING, _S.SCHEDULED, _S.CONFIRMED})


def allowed_next(status: BookingStatus) -> tuple[BookingStatus, ...]:
    return TRANSITIONS[status]


def is_active(status: BookingStatus) -> bool:
    return status not in INACTIVE_STATUSES
