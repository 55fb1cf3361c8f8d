import pytest
from sqlalchemy import event

from dispatch_desktop.domain.errors import ConflictError, ValidationError
from dispatch_desktop.services import bookings, timeoff
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from tests.core.helpers import DAY, add_agent, add_booking, row_counts


def test_request_then_approve(ctx: ServiceContext) -> None:
    agent = add_agent(ctx)
    request = timeoff.request_time_off(
        ctx, agent_id=agent.id, start=f"{DAY} 00:00", end="2026-12-03 00:00", reason="family wedding"
    )
    assert request.status == "pending"
    approved = timeoff.approve_time_off(ctx, request.id)
    assert (approved.status, approved.decided_by) == ("approved", "boss")


def test_approval_over_bookings_is_refused_and_lists_them(ctx: ServiceContext) -> None:
    agent = add_agent(ctx)
    first = add_booking(ctx, "09:00", "10:00", agent_id=agent.id)
    second = add_booking(ctx, "14:00", "15:00", agent_id=agent.id, phone="312-555-0142")
    request = timeoff.request_time_off(ctx, agent_id=agent.id, start=f"{DAY} 08:00", end=f"{DAY} 18:00")
    with pytest.raises(
        ConflictError, match=f"2 active booking.*{first.reference}.*{second.reference}.*force"
    ):
        timeoff.approve_time_off(ctx, request.id)
    assert timeoff.get_time_off(ctx, request.id).status == "pending"
    assert [b.id for b in timeoff.conflicting_bookings(ctx, request.id)] == [first.id, second.id]
    assert timeoff.approve_time_off(ctx, request.id, force=True).status == "approved"


def test_reassigning_the_clash_lets_approval_through(ctx: ServiceContext) -> None:
    ann, bob = add_agent(ctx), add_agent(ctx, "Bob Builder", "312-555-0102")
    booking = add_booking(ctx, "09:00", "10:00", agent_id=ann.id)
    request = timeoff.request_time_off(ctx, agent_id=ann.id, start=f"{DAY} 08:00", end=f"{DAY} 18:00")
    bookings.assign_booking(ctx, booking.id, bob.id)
    assert timeoff.approve_time_off(ctx, request.id).status == "approved"


def test_deny_records_the_reason_and_cannot_be_decided_twice(ctx: ServiceContext) -> None:
    agent = add_agent(ctx)
    request = timeoff.request_time_off(ctx, agent_id=agent.id, start=f"{DAY} 08:00", end=f"{DAY} 18:00")
    denied = timeoff.deny_time_off(ctx, request.id, reason="short-staffed that week")
    assert (denied.status, denied.decision_reason) == ("denied", "short-staffed that week")
    with pytest.raises(ConflictError, match="already denied"):
        timeoff.approve_time_off(ctx, request.id)


def test_pending_requests_are_listed_first(ctx: ServiceContext) -> None:
    agent = add_agent(ctx)
    early = timeoff.request_time_off(ctx, agent_id=agent.id, start="2026-12-01 08:00", end="2026-12-01 18:00")
    late = timeoff.request_time_off(ctx, agent_id=agent.id, start="2026-12-09 08:00", end="2026-12-09 18:00")
    timeoff.deny_time_off(ctx, early.id)
    assert [t.id for t in timeoff.list_time_off(ctx)] == [late.id, early.id]


def test_end_before_start_writes_nothing(ctx: ServiceContext, db: Database) -> None:
    agent = add_agent(ctx)
    before = row_counts(db)
    with pytest.raises(ValidationError, match="end must be after start"):
        timeoff.request_time_off(ctx, agent_id=agent.id, start=f"{DAY} 18:00", end=f"{DAY} 08:00")
    assert row_counts(db) == before


def test_the_list_counts_each_requests_bookings_in_one_query(ctx: ServiceContext, db: Database) -> None:
    ann, bob = add_agent(ctx), add_agent(ctx, "Bob Builder", "312-555-0102")
    cy = add_agent(ctx, "Cy Young", "312-555-0103")
    add_booking(ctx, "09:00", "10:00", agent_id=ann.id)
    add_booking(ctx, "14:00", "15:00", agent_id=ann.id, phone="312-555-0142")
    add_booking(ctx, "09:00", "10:00", agent_id=bob.id, phone="312-555-0143")
    cancelled = add_booking(ctx, "11:00", "12:00", agent_id=bob.id, phone="312-555-0144")
    bookings.change_status(ctx, cancelled.id, "cancelled", reason="customer called")
    day = {"start": f"{DAY} 08:00", "end": f"{DAY} 18:00"}
    first = timeoff.request_time_off(ctx, agent_id=ann.id, **day)
    selects: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert [t.affected for t in timeoff.list_time_off(ctx)] == [2]
        one_request = len(selects)
        denied = timeoff.request_time_off(ctx, agent_id=ann.id, start=f"{DAY} 12:00", end=f"{DAY} 16:00")
        timeoff.deny_time_off(ctx, denied.id)
        approved = timeoff.request_time_off(ctx, agent_id=bob.id, **day)
        timeoff.approve_time_off(ctx, approved.id, force=True)
        free = timeoff.request_time_off(ctx, agent_id=cy.id, **day)
        selects.clear()
        listed = {t.id: t.affected for t in timeoff.list_time_off(ctx)}
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    # Pending: Ann's two active bookings; approved: Bob's one not cancelled; denied counts none.
    assert listed == {first.id: 2, free.id: 0, approved.id: 1, denied.id: 0}
    assert len(selects) == one_request
