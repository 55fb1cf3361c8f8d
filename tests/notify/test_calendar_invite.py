"""Calendar invites on booking emails, as a mail client and a phone calendar read them.

Every test sends through the local aiosmtpd server (tests/servers/smtp_fake.py) in production
and reads the received .ics with the `icalendar` parser.
"""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import cast

import pytest
from icalendar import Calendar, Component

from dispatch_desktop.config import Config
from dispatch_desktop.notify.delivery import deliver_due
from dispatch_desktop.services import bookings
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.team_settings import update_team_settings
from dispatch_desktop.storage.engine import Database
from tests.notify.helpers import CUSTOMER_EMAIL, add_agent, add_booking, rows
from tests.notify.test_oauth import oauth_config
from tests.servers.memory_keyring import MemoryKeyring
from tests.servers.oauth_fake import FakeEntra
from tests.servers.smtp_fake import FROM, USER, FakeSmtp

Env = Callable[..., None]
DAY = "2030-03-12"  # Chicago is on daylight time (UTC-5) from March 10
ANN, BOB = "ann@example.com", "bob@example.com"


@pytest.fixture
def server(production: None, use_env: Env) -> Iterator[FakeSmtp]:
    with FakeSmtp() as fake:
        use_env(fake.env())
        yield fake


def book(ctx: ServiceContext, agent_id: int | None) -> int:
    booking = bookings.create_booking(
        ctx,
        customer_name="Carla Customer",
        customer_phone="312-555-0199",
        customer_email=CUSTOMER_EMAIL,
        address="12 Elm Street, Chicago",
        service="Boiler service",
        start=f"{DAY} 09:00",
        end=f"{DAY} 10:00",
        agent_id=agent_id,
    )
    return booking.id


def tree(part: EmailMessage) -> str:
    """The MIME structure as one line: mixed[alternative[text/plain, text/html], text/calendar; method=X]."""
    kind = part.get_content_type()
    if part.is_multipart():
        inner = ", ".join(tree(cast(EmailMessage, sub)) for sub in part.iter_parts())
        return f"{kind.split('/')[1]}[{inner}]"
    method = part.get_param("method")
    return f"{kind}; method={method}" if method else kind


def invite_of(message: EmailMessage) -> Calendar | None:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(cast(EmailMessage, part).get_content())
    return None


def invite(message: EmailMessage) -> Calendar:
    calendar = invite_of(message)
    assert calendar is not None, "no text/calendar part"
    return calendar


def the_event(calendar: Calendar) -> Component:
    [event] = calendar.walk("VEVENT")
    return event


class PhoneCalendar:
    """One person's calendar applying the invites it receives as RFC 5546 says: one event per UID;
    a REQUEST adds it or, with a SEQUENCE not lower than the one held, replaces it; a CANCEL
    removes it; an invite older than the event held is ignored."""

    def __init__(self) -> None:
        self.events: dict[str, Component] = {}

    def receive(self, message: EmailMessage) -> None:
        calendar = invite_of(message)
        if calendar is None:
            return
        method = str(calendar["method"])
        for event in calendar.walk("VEVENT"):
            uid, sequence = str(event["uid"]), int(event.get("sequence", 0))
            held = self.events.get(uid)
            if held is not None and int(held.get("sequence", 0)) > sequence:
                continue
            if method == "CANCEL":
                self.events.pop(uid, None)
            elif method == "REQUEST":
                self.events[uid] = event

    def shown(self) -> list[tuple[str, datetime, datetime, str]]:
        return [
            (str(e["summary"]), e.decoded("dtstart"), e.decoded("dtend"), str(e["location"]))
            for e in self.events.values()
        ]


class Phones:
    """The calendars of everyone who gets mail, fed with what the server received since last time."""

    def __init__(self, db: Database, server: FakeSmtp) -> None:
        self.db, self.server, self.read = db, server, 0
        self.calendars: dict[str, PhoneCalendar] = {}

    def deliver(self) -> None:
        deliver_due(self.db, Config(), worker_id="prod")
        for message in self.server.messages[self.read :]:
            self.calendars.setdefault(str(message["To"]), PhoneCalendar()).receive(message)
        self.read = len(self.server.messages)

    def of(self, address: str) -> list[tuple[str, datetime, datetime, str]]:
        return self.calendars.get(address, PhoneCalendar()).shown()


def utc(hour: int) -> datetime:
    return datetime(2030, 3, 12, hour, tzinfo=UTC)


def test_an_invite_is_mixed_of_the_alternative_and_a_calendar_part_with_the_booking_in_utc(
    db: Database, ctx: ServiceContext, server: FakeSmtp
) -> None:
    booking_id = book(ctx, add_agent(ctx).id)
    deliver_due(db, Config(), worker_id="prod")
    received = {str(message["To"]): message for message in server.messages}
    assert set(received) == {CUSTOMER_EMAIL, ANN}
    for address, message in received.items():
        assert tree(message) == "mixed[alternative[text/plain, text/html], text/calendar; method=REQUEST]"
        [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        assert part.get_content_charset() == "utf-8" and part.get_filename() == "invite.ics"
        calendar = invite(message)
        assert str(calendar["method"]) == "REQUEST"
        assert str(calendar["x-wr-timezone"]) == "America/Chicago"
        event = the_event(calendar)
        assert str(event["uid"]) == f"BK-{booking_id:06d}@example.com"
        assert int(event["sequence"]) == 1 and str(event["status"]) == "CONFIRMED"
        # 09:00 in Chicago on daylight time, written in UTC.
        assert (event.decoded("dtstart"), event.decoded("dtend")) == (utc(14), utc(15))
        assert event["dtstart"].to_ical() == b"20300312T140000Z"
        assert str(event["location"]) == "12 Elm Street, Chicago"
        assert f"BK-{booking_id:06d}" in str(event["description"])
        assert str(event["organizer"]) == f"mailto:{FROM}"
        assert str(event["attendee"]) == f"mailto:{address}"
    customer, agent = the_event(invite(received[CUSTOMER_EMAIL])), the_event(invite(received[ANN]))
    assert str(customer["summary"]) == "Boiler service"  # the team set no company name
    assert str(agent["summary"]) == "Boiler service - Carla Customer"
    # Still 7-bit on the wire: every server takes it.
    assert all(max(raw) < 128 for raw in server.raw)


def test_phone_calendars_follow_the_booking_through_reschedule_reassignment_and_cancel(
    db: Database, ctx: ServiceContext, server: FakeSmtp
) -> None:
    ann, bob = add_agent(ctx), add_agent(ctx, "Bob Tech", "312-555-0102")
    phones = Phones(db, server)
    booking_id = book(ctx, ann.id)
    phones.deliver()
    at_nine = [("Boiler service - Carla Customer", utc(14), utc(15), "12 Elm Street, Chicago")]
    assert phones.of(ANN) == at_nine and phones.of(BOB) == []
    assert phones.of(CUSTOMER_EMAIL) == [("Boiler service", utc(14), utc(15), "12 Elm Street, Chicago")]

    bookings.reschedule_booking(ctx, booking_id, start=f"{DAY} 11:00", end=f"{DAY} 12:30")
    phones.deliver()
    at_eleven = [
        ("Boiler service - Carla Customer", utc(16), utc(17).replace(minute=30), "12 Elm Street, Chicago")
    ]
    assert phones.of(ANN) == at_eleven and phones.of(BOB) == []
    assert [shown[1:3] for shown in phones.of(CUSTOMER_EMAIL)] == [(utc(16), utc(17).replace(minute=30))]

    bookings.assign_booking(ctx, booking_id, bob.id)
    phones.deliver()
    assert phones.of(ANN) == [] and phones.of(BOB) == at_eleven
    assert [shown[1:3] for shown in phones.of(CUSTOMER_EMAIL)] == [(utc(16), utc(17).replace(minute=30))]

    bookings.change_status(ctx, booking_id, "cancelled", reason="customer moved away")
    phones.deliver()
    assert phones.of(ANN) == [] and phones.of(BOB) == [] and phones.of(CUSTOMER_EMAIL) == []
    cancels = [m for m in server.messages if tree(m).endswith("method=CANCEL]")]
    assert sorted(str(m["To"]) for m in cancels) == sorted([ANN, BOB, CUSTOMER_EMAIL])
    assert all(str(the_event(invite(m))["status"]) == "CANCELLED" for m in cancels)


def test_texts_and_emails_without_an_invite_keep_their_structure(
    db: Database, ctx: ServiceContext, server: FakeSmtp
) -> None:
    booking = add_booking(ctx, call_center=True)  # a request: no appointment for a calendar yet
    assert [row.calendar for row in rows(db)] == [None, None]
    deliver_due(db, Config(), worker_id="prod")
    [message] = server.messages
    assert tree(message) == "alternative[text/plain, text/html]"
    bookings.assign_booking(ctx, booking.id, add_agent(ctx).id)
    assert {row.channel for row in rows(db) if row.calendar} == {"email"}
    assert all(row.calendar is None for row in rows(db, channel="sms"))


def test_without_a_sender_the_uid_takes_the_documented_fallback_domain(
    db: Database, ctx: ServiceContext
) -> None:
    update_team_settings(ctx, company_name="Acme Plumbing")
    booking_id = book(ctx, None)
    bookings.assign_booking(ctx, booking_id, add_agent(ctx).id)
    invites = {r.recipient_kind: the_event(Calendar.from_ical(r.calendar)) for r in rows(db) if r.calendar}
    assert {str(e["uid"]) for e in invites.values()} == {f"BK-{booking_id:06d}@dispatch-desktop.local"}
    assert {int(e["sequence"]) for e in invites.values()} == {2}
    assert str(invites["customer"]["summary"]) == "Boiler service - Acme Plumbing"
    assert str(invites["agent"]["summary"]) == "Boiler service - Carla Customer"
    assert invites["customer"]["organizer"].params["CN"] == "Acme Plumbing"


def test_office365_over_xoauth2_carries_the_invite_from_the_configured_sender(
    db: Database,
    home: Path,
    production: None,
    memory_keyring: MemoryKeyring,
    entra: FakeEntra,
    office: FakeSmtp,
) -> None:
    config = oauth_config(home, office, entra)  # the From address is in the config file, not EMAIL_FROM
    ctx = ServiceContext(db, "boss", config)
    booking_id = book(ctx, add_agent(ctx).id)
    deliver_due(db, config, worker_id="prod")
    assert office.logins == [f"xoauth2:{USER}"]
    for message in office.messages:
        assert tree(message) == "mixed[alternative[text/plain, text/html], text/calendar; method=REQUEST]"
        assert str(the_event(invite(message))["uid"]) == f"BK-{booking_id:06d}@example.com"


def test_a_booking_taken_back_to_pending_keeps_the_customers_event_and_moves_it_on_reschedule(
    db: Database, ctx: ServiceContext, server: FakeSmtp
) -> None:
    phones = Phones(db, server)
    booking_id = book(ctx, add_agent(ctx).id)
    phones.deliver()
    bookings.assign_booking(ctx, booking_id, None)
    phones.deliver()
    assert phones.of(ANN) == [] and [e[1] for e in phones.of(CUSTOMER_EMAIL)] == [utc(14)]
    bookings.reschedule_booking(ctx, booking_id, start=f"{DAY} 11:00", end=f"{DAY} 12:00")
    phones.deliver()
    assert phones.of(ANN) == [] and [e[1:3] for e in phones.of(CUSTOMER_EMAIL)] == [(utc(16), utc(17))]
