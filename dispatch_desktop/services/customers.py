"""Customers, found and reused by phone number."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch_desktop.domain import language as languages
from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.notify import languages as shipped
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import BookingView, CallerView, CustomerView
from dispatch_desktop.storage.models import Booking, Customer
from dispatch_desktop.storage.types import utcnow
from dispatch_desktop.storage.upsert import dialect_insert


def find_by_phone(ctx: ServiceContext, phone: str) -> CustomerView | None:
    """The known customer for a phone number, or None (also for a number that does not parse)."""
    with ctx.reading() as unit:
        try:
            e164 = validation.phone(phone, unit.settings.region)
        except ValidationError:
            return None
        row = unit.session.scalar(select(Customer).where(Customer.phone == e164))
        return CustomerView.of(row) if row else None


SMS_CONSENT = ("yes", "no")


def sms_consent(value: str | None) -> str | None:
    """'yes', 'no', or None when the customer was not asked."""
    if value is None or not value.strip():
        return None
    answer = value.strip().lower()
    if answer not in SMS_CONSENT:
        raise ValidationError(f"SMS consent must be yes or no, not {value!r}", "sms consent")
    return answer


def customer_language(value: str | None) -> str | None:
    """A shipped language's code, or None when none was chosen (the customer follows the team)."""
    if value is None or not value.strip():
        return None
    return languages.chosen(value, shipped.offered(), "customer language")


def message_languages() -> list[tuple[str, str]]:
    """The languages a customer's messages may be in: (code, the language's own name)."""
    return [(code, languages.name(code)) for code in shipped.offered()]


def message_language(customer: Customer, settings: TeamSettings) -> str:
    """What the customer's messages are written in: their language, else the team's."""
    return customer.language or settings.language


CALLER_ADDRESSES = 5
CALLER_UPCOMING = 5
CALLER_RECENT = 3


def find_caller(ctx: ServiceContext, phone: str, now: datetime | None = None) -> CallerView | None:
    """A returning caller by phone: the customer, the addresses they booked (latest first), and
    their upcoming and recent bookings with status ("Where is my technician?"). None when unknown."""
    with ctx.reading() as unit:
        try:
            e164 = validation.phone(phone, unit.settings.region)
        except ValidationError:
            return None
        customer = unit.session.scalar(select(Customer).where(Customer.phone == e164))
        if customer is None:
            return None
        moment = now or utcnow()
        latest = func.max(Booking.created_at)
        addresses = unit.session.scalars(
            select(Booking.address)
            .where(Booking.customer_id == customer.id)
            .group_by(Booking.address)
            .order_by(latest.desc(), Booking.address)
            .limit(CALLER_ADDRESSES)
        ).all()
        mine = select(Booking).where(Booking.customer_id == customer.id)
        upcoming = unit.session.scalars(
            mine.where(Booking.ends_at > moment)
            .order_by(Booking.starts_at, Booking.id)
            .limit(CALLER_UPCOMING)
        ).all()
        recent = unit.session.scalars(
            mine.where(Booking.ends_at <= moment)
            .order_by(Booking.starts_at.desc(), Booking.id.desc())
            .limit(CALLER_RECENT)
        ).all()
        return CallerView(
            CustomerView.of(customer),
            tuple(addresses),
            tuple(BookingView.of(row) for row in upcoming),
            tuple(BookingView.of(row) for row in recent),
        )


def upsert_customer(
    session: Session,
    settings: TeamSettings,
    *,
    name: str,
    phone: str,
    email: str | None,
    consent: str | None = None,
    language: str | None = None,
) -> Customer:
    """The customer with this phone, refreshed with the name and email given; created if new.

    A consent answer ('yes' or 'no') replaces the stored one; None keeps it (not asked this time).
    So does a language: a returning caller keeps theirs unless a new one is given.

    One INSERT ... ON CONFLICT, so two workstations booking the same new customer at once
    both end with the one row instead of a unique-key error.
    """
    clean_name = validation.text(name, "customer name", validation.NAME_MAX)
    e164 = validation.textable_phone(phone, settings.region, settings.texted_countries, "customer phone")
    clean_email = validation.optional_email(email, "customer email")
    clean_consent = sms_consent(consent)
    clean_language = customer_language(language)
    insert = dialect_insert(session)(Customer).values(
        name=clean_name,
        phone=e164,
        email=clean_email,
        sms_consent=clean_consent,
        language=clean_language,
        created_at=utcnow(),
    )
    refreshed = {"name": insert.excluded.name}
    if clean_email:
        refreshed["email"] = insert.excluded.email
    if clean_consent:
        refreshed["sms_consent"] = insert.excluded.sms_consent
    if clean_language:
        refreshed["language"] = insert.excluded.language
    customer_id = session.scalar(
        insert.on_conflict_do_update(index_elements=["phone"], set_=refreshed).returning(Customer.id)
    )
    customer = session.get(Customer, customer_id, populate_existing=True)
    assert customer is not None
    return customer
