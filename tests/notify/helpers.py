"""Builders for notifier tests, through the real services."""

from typing import Any

from sqlalchemy import select

from dispatch_desktop.services import operators
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import BookingView
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import OutboxMessage
from tests.core import helpers as core_helpers
from tests.core.helpers import add_agent  # noqa: F401 - the notifier tests import it from here

CUSTOMER_PHONE = "+13125550199"
CUSTOMER_EMAIL = "carla@example.com"


def add_booking(
    ctx: ServiceContext, *, phone: str = CUSTOMER_PHONE, email: str | None = CUSTOMER_EMAIL, **options: Any
) -> BookingView:
    """The core tests' booking with the notifier tests' customer phone and email; options by keyword only."""
    return core_helpers.add_booking(ctx, phone=phone, email=email, **options)


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
