"""Small builders for core tests."""

from sqlalchemy import func, select

from dispatch_desktop.services import agents, bookings
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import AgentView, BookingView
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import AuditEntry, Booking, Customer, OutboxMessage, TimeOff

DAY = "2026-12-01"


def add_agent(ctx: ServiceContext, name: str = "Ann Field", phone: str = "312-555-0101") -> AgentView:
    return agents.add_agent(ctx, name=name, phone=phone, email=f"{name.split()[0].lower()}@example.com")


def add_booking(
    ctx: ServiceContext,
    start: str = "09:00",
    end: str = "10:00",
    *,
    agent_id: int | None = None,
    call_center: bool = False,
    phone: str = "312-555-0199",
    name: str = "Carla Customer",
    email: str | None = "carla@example.com",
) -> BookingView:
    return bookings.create_booking(
        ctx,
        customer_name=name,
        customer_phone=phone,
        customer_email=email,
        address="12 Elm Street, Chicago",
        service="Boiler service",
        start=f"{DAY} {start}",
        end=f"{DAY} {end}",
        agent_id=agent_id,
        call_center=call_center,
    )


def row_counts(db: Database) -> dict[str, int]:
    """How many rows each written table has: the proof that a refused change wrote nothing."""
    with db.read() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Booking, Customer, TimeOff, AuditEntry, OutboxMessage)
        }
