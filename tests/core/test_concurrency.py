"""Two workstations racing for one agent: exactly one wins, on either engine."""

import threading

import pytest
from sqlalchemy.exc import IntegrityError

from dispatch_desktop.domain.errors import ConflictError
from dispatch_desktop.services import bookings
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import Booking
from tests.core.helpers import add_agent, add_booking

RACERS = 4


def test_racing_workstations_book_an_agent_once(db: Database, database_url: str) -> None:
    ann = add_agent(ServiceContext(db, "boss"))
    workstations = [Database(database_url) for _ in range(RACERS)]
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def book(index: int) -> None:
        ctx = ServiceContext(workstations[index], "boss")
        barrier.wait()
        try:
            add_booking(ctx, f"09:{index:02d}", "10:30", agent_id=ann.id, phone=f"312-555-01{index:02d}")
            outcomes.append("won")
        except ConflictError as exc:
            outcomes.append(f"refused: {exc}")

    threads = [threading.Thread(target=book, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for workstation in workstations:
        workstation.dispose()

    assert outcomes.count("won") == 1, outcomes
    assert all("Ann Field is already booked" in o or "just booked" in o for o in outcomes if o != "won")
    assert len(bookings.list_bookings(ServiceContext(db, "boss"))) == 1


def test_postgresql_itself_refuses_overlap(pg_db: Database) -> None:
    """The EXCLUDE constraint holds even for a writer that skips the service checks."""
    db = pg_db
    ctx = ServiceContext(db, "boss")
    ann = add_agent(ctx)
    first = add_booking(ctx, "09:00", "10:00", agent_id=ann.id)
    with pytest.raises(IntegrityError, match="ex_bookings_agent_overlap"), db.write() as session:
        original = session.get(Booking, first.id)
        assert original is not None
        session.add(
            Booking(
                customer_id=original.customer_id,
                agent_id=ann.id,
                address="x",
                service="y",
                starts_at=original.starts_at,
                ends_at=original.ends_at,
                source="dispatcher",
                status="scheduled",
                created_by="rogue",
                updated_by="rogue",
            )
        )
    assert [b.id for b in bookings.list_bookings(ctx)] == [first.id]
