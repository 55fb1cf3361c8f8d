"""The outbox life cycle: the one table of allowed status moves, and storage refusing the rest."""

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from dispatch_desktop.domain.outbox import (
    MOVES,
    NEW_STATUSES,
    IllegalMoveError,
    Move,
    OutboxStatus,
    allowed_next,
    check_move,
)
from dispatch_desktop.notify.notifier import Outcome
from dispatch_desktop.services import outbox
from dispatch_desktop.storage import outbox as store
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.outbox import moves, queries
from dispatch_desktop.storage.types import utcnow

S = OutboxStatus

EXPECTED = {
    S.QUEUED: {S.SENDING, S.RETRY, S.DISMISSED, S.SUPERSEDED, S.HELD},
    S.SENDING: {S.SENT, S.LOGGED, S.RETRY, S.FAILED, S.UNKNOWN, S.QUEUED},
    S.RETRY: {S.SENDING, S.RETRY, S.QUEUED, S.DISMISSED, S.SUPERSEDED, S.HELD},
    S.FAILED: {S.QUEUED, S.DISMISSED},
    S.UNKNOWN: {S.QUEUED, S.DISMISSED, S.SENT, S.RETRY},
    S.SENT: set(),
    S.LOGGED: set(),
    S.SKIPPED: set(),
    S.DISMISSED: set(),
    # Issue 14: a reminder waits for its time, a customer notice for quiet hours or a burst's end.
    S.SCHEDULED: {S.SENDING, S.RETRY, S.DISMISSED, S.SUPERSEDED, S.HELD},
    S.HELD: {S.SENDING, S.RETRY, S.DISMISSED, S.SUPERSEDED, S.HELD},
    S.SUPERSEDED: set(),
}


def test_the_table_allows_exactly_the_life_cycle() -> None:
    assert {status: set(allowed_next(status)) for status in S} == EXPECTED
    assert NEW_STATUSES == (S.QUEUED, S.SKIPPED, S.SCHEDULED, S.HELD, S.SUPERSEDED)


@pytest.mark.parametrize("move", list(Move))
def test_every_move_of_the_table_is_allowed_and_nothing_else(move: Move) -> None:
    for old in S:
        for new in S:
            allowed = old in MOVES[move].sources and new in MOVES[move].targets
            if allowed:
                assert check_move(move, new, old) is new
            else:
                with pytest.raises(IllegalMoveError):
                    check_move(move, new, old)


def test_an_illegal_move_is_refused_with_a_clear_error() -> None:
    with pytest.raises(IllegalMoveError) as refused:
        check_move(Move.RETRY, S.QUEUED, S.SENT)
    assert str(refused.value) == (
        "the outbox move 'retry' may not make a sent message queued: "
        "it moves failed/unknown/retry messages to queued"
    )
    assert refused.value.exit_code == 3


def test_every_send_outcome_is_a_status_a_send_finishes_in() -> None:
    assert [*Outcome] == [*MOVES[Move.FINISH].targets]


def test_the_services_and_the_cli_offer_every_status_and_channel_as_plain_text() -> None:
    assert outbox.STATUSES == (
        "queued", "sending", "sent", "logged", "retry", "failed", "unknown", "skipped", "dismissed",
        "scheduled", "held", "superseded",
    )  # fmt: skip
    assert outbox.CHANNELS == ("sms", "email")
    assert all(type(name) is str for name in outbox.STATUSES + outbox.CHANNELS)


def _queue_one(db: Database, status: str = "queued") -> int:
    now = utcnow()
    with db.write() as session:
        return session.execute(
            insert(queries.Message.__table__).returning(queries.Message.id),
            {
                "dedupe_key": "life-cycle|1",
                "event": "booking_created",
                "channel": "sms",
                "recipient": "+13125550101",
                "recipient_kind": "customer",
                "body": "hello",
                "status": status,
                "queued_environment": "development",
                "next_attempt_at": now - timedelta(seconds=1),
                "created_at": now,
                "updated_at": now,
            },
        ).scalar_one()


def _status(db: Database, row_id: int) -> str:
    with db.read() as session:
        return session.scalar(select(queries.Message.status).where(queries.Message.id == row_id))


def test_storage_refuses_to_finish_a_claimed_row_as_queued(db: Database) -> None:
    row_id = _queue_one(db)
    with db.write() as session:
        (claimed,) = store.claim_due(
            session, worker="w", now=utcnow(), limit=5, channels=["sms"], environment="development"
        )
    with (
        pytest.raises(IllegalMoveError, match="'finish' may not make a message queued"),
        db.write() as session,
    ):
        store.finish(session, claimed, status="queued", now=utcnow())
    assert _status(db, row_id) == "sending"
    with db.write() as session:
        assert store.finish(session, claimed, status="logged", now=utcnow())
    assert _status(db, row_id) == "logged"


def test_storage_refuses_a_persons_retry_of_a_sent_row(db: Database) -> None:
    row_id = _queue_one(db, "sent")
    with pytest.raises(IllegalMoveError, match="may not make a sent message queued"), db.write() as session:
        moves.requeue(queries.get(session, row_id), utcnow())
    assert _status(db, row_id) == "sent"


def test_a_new_row_is_queued_or_skipped_only(db: Database) -> None:
    row = {"dedupe_key": "x", "status": "sent"}
    with (
        pytest.raises(
            IllegalMoveError,
            match="a new outbox row is queued, skipped, scheduled, held or superseded, not sent",
        ),
        db.write() as s,
    ):
        store.insert_new(s, [row])
