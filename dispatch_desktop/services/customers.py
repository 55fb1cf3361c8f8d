"""Customers, found and reused by phone number."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import CustomerView
from dispatch_desktop.storage.models import Customer


def find_by_phone(ctx: ServiceContext, phone: str) -> CustomerView | None:
    """The known customer for a phone number, or None (also for a number that does not parse)."""
    with ctx.reading() as unit:
        try:
            e164 = validation.phone(phone, unit.settings.region)
        except ValidationError:
            return None
        row = unit.session.scalar(select(Customer).where(Customer.phone == e164))
        return CustomerView.of(row) if row else None


def upsert_customer(
    session: Session, settings: TeamSettings, *, name: str, phone: str, email: str | None
) -> Customer:
    """The customer with this phone, refreshed with the name and email given; created if new."""
    clean_name = validation.text(name, "customer name", validation.NAME_MAX)
    e164 = validation.phone(phone, settings.region, "customer phone")
    clean_email = validation.optional_email(email, "customer email")
    customer = session.scalar(select(Customer).where(Customer.phone == e164))
    if customer is None:
        customer = Customer(name=clean_name, phone=e164, email=clean_email)
        session.add(customer)
        session.flush()
        return customer
    customer.name = clean_name
    if clean_email:
        customer.email = clean_email
    return customer
