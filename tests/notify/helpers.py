"""Builders for notifier tests, through the real services."""

from sqlalchemy import select

from dispatch_desktop.services import agents, bookings, operators
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import AgentView, BookingView
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import OutboxMessage

DAY = "2026-12-01"
CUSTOMER_PHONE = "+13125550199"
CUSTOMER_EMAIL = "carla@example.com"


def add_agent(ctx: ServiceContext, name: str = "Ann Field", phone: str = "312-555-0101") -> AgentView:
    return agents.add_agent(ctx, name=name, phone=phone, email=f"{name.split()[0].lower()}@example.com")


def add_booking(
    ctx: ServiceContext,
    *,
    agent_id: int | None = None,
    call_center: bool = False,
    email: str | None = CUSTOMER_EMAIL,
    phone: str = CUSTOMER_PHONE,
    start: str = "09:00",
    end: str = "10:00",
    name: str = "Carla Customer",
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


def make_supervisor(ctx: ServiceContext) -> None:
    """Turn the bootstrap actor into a real supervisor, so other operators can be added."""
    operators.add_operator(ctx, name="Boss", username=ctx.username, role="supervisor")


def rows(db: Database, **where: object) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for key, value in where.items():
        query = query.where(getattr(OutboxMessage, key) == value)
    with db.read() as session:
        return list(session.scalars(query))


def statuses(db: Database) -> list[str]:
    return [row.status for row in rows(db)]
