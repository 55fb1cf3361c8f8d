"""Outbox statuses and channels, and the one table of allowed outbox status moves.

A row is written `queued` (or `skipped`, when it can never go out; `scheduled`, a reminder that
waits for its time; `held`, a customer notice kept back for quiet hours or a burst of changes;
`superseded`, a reminder that could only go out after its booking starts). A worker claims it
(`sending`) once its due time (`next_attempt_at`, shown as `due_at`) has passed, never earlier, and
records the outcome. Every other change of status is one of the moves below; storage checks each
status UPDATE against this table (`check_move`) before it runs it.
"""

from dataclasses import dataclass
from enum import StrEnum

from dispatch_desktop.domain.errors import ConflictError


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    LOGGED = "logged"  # development: written to the log instead of sent
    RETRY = "retry"
    FAILED = "failed"
    UNKNOWN = "unknown"  # a text may or may not have reached Twilio: a person decides
    SKIPPED = "skipped"
    DISMISSED = "dismissed"
    SCHEDULED = "scheduled"  # a reminder: due at its time before the booking
    HELD = "held"  # a customer notice held back (quiet hours, coalescing): due when the hold ends
    SUPERSEDED = "superseded"  # a newer notice (or a change of the booking) made it moot: never sent


class HoldReason(StrEnum):
    QUIET_HOURS = "quiet hours"
    COALESCING = "coalescing"


# The event of a reminder row: written `scheduled`, superseded when its booking changes or starts.
REMINDER_EVENT = "booking_reminder"


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class Move(StrEnum):
    """Who changes a row's status, and why."""

    CLAIM = "claim"  # a worker takes a due row
    FINISH = "finish"  # the worker records the send's outcome (or puts a held row back)
    RECOVER = "recover"  # a dead or silent worker's row is released
    HOLD = "hold"  # production has no credentials for the row's channel: it waits
    RETRY = "retry"  # a person sends it again
    DISMISS = "dismiss"  # a person decides not to send it
    RESOLVE = "resolve"  # the provider sync found an unknown text in Twilio's log, or proved it absent
    SUPERSEDE = "supersede"  # a newer notice, or the booking's change, replaces one not yet sent
    DEFER = "defer"  # a customer text came due in quiet hours: held to the window's end


@dataclass(frozen=True)
class Moves:
    sources: tuple[OutboxStatus, ...]  # in the order error texts name them
    targets: tuple[OutboxStatus, ...]


class IllegalMoveError(ConflictError):
    """A status change the outbox life cycle does not allow."""


_S = OutboxStatus

# The statuses a row is written in.
NEW_STATUSES: tuple[OutboxStatus, ...] = (_S.QUEUED, _S.SKIPPED, _S.SCHEDULED, _S.HELD, _S.SUPERSEDED)
# Not sent yet, and not being sent: what a newer notice supersedes.
UNSENT: tuple[OutboxStatus, ...] = (_S.QUEUED, _S.SCHEDULED, _S.HELD, _S.RETRY)

MOVES: dict[Move, Moves] = {
    # A scheduled or held row is claimed like a queued one, once its due time has passed.
    Move.CLAIM: Moves((_S.QUEUED, _S.RETRY, _S.SCHEDULED, _S.HELD), (_S.SENDING,)),
    Move.FINISH: Moves((_S.SENDING,), (_S.SENT, _S.LOGGED, _S.RETRY, _S.FAILED, _S.UNKNOWN)),
    # Development rows never left the machine (queued), a production email is resent with the same
    # Message-ID (retry), a production text is in doubt (unknown).
    Move.RECOVER: Moves((_S.SENDING,), (_S.QUEUED, _S.RETRY, _S.UNKNOWN)),
    # A held row stays due: `retry` with the reason, so a worker with credentials still takes it.
    Move.HOLD: Moves((_S.QUEUED, _S.RETRY, _S.SCHEDULED, _S.HELD), (_S.RETRY,)),
    Move.RETRY: Moves((_S.FAILED, _S.UNKNOWN, _S.RETRY), (_S.QUEUED,)),
    # An unknown text Twilio's log holds was sent (with that SID); one it provably lacks is sent again.
    Move.RESOLVE: Moves((_S.UNKNOWN,), (_S.SENT, _S.RETRY)),
    Move.DISMISS: Moves((_S.QUEUED, _S.RETRY, _S.FAILED, _S.UNKNOWN, _S.SCHEDULED, _S.HELD), (_S.DISMISSED,)),
    Move.SUPERSEDE: Moves(UNSENT, (_S.SUPERSEDED,)),
    Move.DEFER: Moves(UNSENT, (_S.HELD,)),
}

# Due rows: what a worker claims.
DUE_STATUSES: tuple[OutboxStatus, ...] = MOVES[Move.CLAIM].sources
# What a person may send again, or decide not to send.
RETRYABLE: tuple[OutboxStatus, ...] = MOVES[Move.RETRY].sources
DISMISSABLE: tuple[OutboxStatus, ...] = MOVES[Move.DISMISS].sources
# The send went out (production) or was logged (development).
SENT_OR_LOGGED: tuple[OutboxStatus, ...] = (_S.SENT, _S.LOGGED)
# Rows no move leaves.
FINAL_STATUSES: frozenset[OutboxStatus] = frozenset(_S) - {
    source for moves in MOVES.values() for source in moves.sources
}


def allowed_next(status: OutboxStatus) -> tuple[OutboxStatus, ...]:
    """Every status a row in `status` may move to, by any move, in the table's order."""
    found: dict[OutboxStatus, None] = {}
    for moves in MOVES.values():
        if status in moves.sources:
            found.update(dict.fromkeys(moves.targets))
    return tuple(found)


def check_move(move: Move, new: str, old: str | None = None) -> OutboxStatus:
    """`new` as a status, if `move` may set it (from `old`, when known); else IllegalMoveError."""
    moves = MOVES[move]
    if new not in moves.targets or (old is not None and old not in moves.sources):
        which = f"a {old} message" if old is not None else "a message"
        raise IllegalMoveError(
            f"the outbox move '{move}' may not make {which} {new}: it moves "
            f"{'/'.join(moves.sources)} messages to {'/'.join(moves.targets)}"
        )
    return OutboxStatus(new)
