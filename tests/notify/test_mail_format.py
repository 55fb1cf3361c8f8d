"""Booking emails byte for byte as the server received them, the way mail clients and calendars read them.

Found by sending bookings through a real postfix and reading the delivered Maildir files
(docs/mail-format.md); each test reproduces one problem against the local aiosmtpd server.
"""

import email
import email.policy
import re
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import cast

import pytest
from icalendar import Calendar

from dispatch_desktop.config import Config
from dispatch_desktop.notify.delivery import deliver_due
from dispatch_desktop.services import bookings, templates
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from tests.conftest import prepared_database
from tests.core.helpers import add_agent
from tests.notify.helpers import rows
from tests.servers.smtp_fake import FakeSmtp

Env = Callable[..., None]


@pytest.fixture
def server(production: None, use_env: Env) -> Iterator[FakeSmtp]:
    with FakeSmtp() as fake:
        use_env(fake.env())
        yield fake


def book(ctx: ServiceContext, *, name: str, email_address: str, address: str, service: str) -> None:
    bookings.create_booking(
        ctx,
        customer_name=name,
        customer_phone="312-555-0199",
        customer_email=email_address,
        address=address,
        service=service,
        start="2030-03-12 09:00",
        end="2030-03-12 10:00",
        agent_id=add_agent(ctx).id,
    )


def raw_to(server: FakeSmtp, address: str) -> bytes:
    [raw] = [
        raw for raw, message in zip(server.raw, server.messages, strict=True) if message["To"] == address
    ]
    return raw


def parts(raw: bytes, content_type: str) -> list[EmailMessage]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    return [cast(EmailMessage, p) for p in message.walk() if p.get_content_type() == content_type]


def bare_line_feeds(data: bytes) -> int:
    return len(re.findall(rb"(?<!\r)\n", data))


def test_an_invite_and_texts_in_chinese_keep_crlf_lines(
    db: Database, ctx: ServiceContext, server: FakeSmtp
) -> None:
    # A booking written in Chinese: the email library picks base64 for such text, and it encoded
    # the lines with bare LF, while RFC 5545 requires CRLF in a .ics and RFC 2045 in any text.
    book(
        ctx,
        name="陈伟明",
        email_address="chen@example.com",
        address="上海市浦东新区世纪大道一百号环球金融中心七十八楼",
        service="锅炉维修服务与家庭暖气系统年度检查",
    )
    deliver_due(db, Config(), worker_id="prod")
    raw = raw_to(server, "chen@example.com")
    [calendar] = parts(raw, "text/calendar")
    ics = cast(bytes, calendar.get_payload(decode=True))
    assert ics.startswith(b"BEGIN:VCALENDAR\r\n") and bare_line_feeds(ics) == 0
    assert str(Calendar.from_ical(ics).walk("VEVENT")[0]["location"]).startswith("上海市浦东新区")
    for text in parts(raw, "text/plain") + parts(raw, "text/html"):
        body = cast(bytes, text.get_payload(decode=True))
        assert "陈伟明" in body.decode("utf-8") and bare_line_feeds(body) == 0


def test_the_invites_people_are_ascii_mailto_uris_of_the_addresses_the_mail_went_to(
    db: Database, ctx: ServiceContext, use_env: Env, production: None
) -> None:
    # A CAL-ADDRESS is a URI (RFC 5545 3.3.3), so ASCII: the invite named the Unicode domain while the
    # mail went to its punycode form, and a calendar matching ATTENDEE to its own address missed it.
    with FakeSmtp(smtputf8=True) as server:
        use_env({**server.env(), "EMAIL_FROM": "dispatch@fontanería.example.com"})
        book(
            ctx,
            name="Jörg Müller",
            email_address="jörg@correo-españa.example.com",
            address="Calle Mayor 1",
            service="Boiler service",
        )
        deliver_due(db, Config(), worker_id="prod")
        raw = raw_to(server, "jörg@correo-españa.example.com")
    [calendar] = parts(raw, "text/calendar")
    event = Calendar.from_ical(calendar.get_content()).walk("VEVENT")[0]
    assert str(event["attendee"]) == "mailto:j%C3%B6rg@xn--correo-espaa-khb.example.com"
    assert str(event["organizer"]) == "mailto:dispatch@xn--fontanera-n5a.example.com"
    assert str(event["uid"]).endswith("@xn--fontanera-n5a.example.com")


def test_an_invite_line_folded_after_a_space_survives_a_relay_that_trims_trailing_spaces(
    db: Database, ctx: ServiceContext, server: FakeSmtp
) -> None:
    # icalendar may fold a long line right after a space, which then ends the line. Sent as 7bit,
    # a gateway trimming trailing white space (RFC 2049 warns some do) glued the words together.
    address = "Park Elm Suite Elm Shore Park Illinois Illinois Illinois Apt Oak North North Chicago Lake"
    book(
        ctx,
        name="Carla Customer",
        email_address="carla@example.com",
        address=address,
        service="Boiler service",
    )
    deliver_due(db, Config(), worker_id="prod")
    [row_ics] = {r.calendar for r in rows(db) if r.recipient == "carla@example.com" and r.calendar}
    assert " \r\n " in row_ics  # the fold this test is about
    trimmed = b"\r\n".join(line.rstrip(b" \t") for line in raw_to(server, "carla@example.com").split(b"\r\n"))
    [calendar] = parts(trimmed, "text/calendar")
    assert str(Calendar.from_ical(calendar.get_content()).walk("VEVENT")[0]["location"]) == address


def test_encoded_lines_keep_to_76_characters_and_encoded_words_to_75(
    db: Database, ctx: ServiceContext, server: FakeSmtp
) -> None:
    # The policy's 78 (RFC 5322's advice for header lines) also sized quoted-printable lines, which
    # RFC 2045 limits to 76, and the subject's encoded words came out 76 long, past RFC 2047's 75.
    templates.set_part(
        ctx,
        "customer_confirmation",
        "subject",
        "en",
        "{{ ref }}: {{ service }} — {{ customer_name }}, {{ address }}",
    )
    book(
        ctx,
        name="José Ñúñez-Ibáñez",
        email_address="jose@example.com",
        address="Calle del Pío Baroja 12, 3º izquierda, Peñalolén, Región Metropolitana de Santiago",
        service="Reparación de calefacción",
    )
    deliver_due(db, Config(), worker_id="prod")
    raw = raw_to(server, "jose@example.com")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert str(message["Subject"]).startswith(
        "BK-000001: Reparación de calefacción — José Ñúñez-Ibáñez, Calle"
    )
    words = re.findall(rb"=\?utf-8\?[bq]\?[^?]*\?=", raw.split(b"\r\n\r\n")[0], re.IGNORECASE)
    assert words and max(len(word) for word in words) <= 75
    encoded = [
        line
        for part in message.walk()
        if part["Content-Transfer-Encoding"] in ("quoted-printable", "base64")
        for line in cast(str, part.get_payload()).splitlines()
    ]
    assert len(encoded) > 20 and max(len(line) for line in encoded) <= 76


@pytest.mark.parametrize(
    ("service", "name"),
    [("Ремонт котла", "Zoë Müller"), ("Επισκευή λέβητα", "José Ñúñez-Ibáñez"), ("Boiler service", "陈伟明")],
)
def test_a_non_ascii_subject_reads_in_the_mail_client_exactly_as_written(
    service: str, name: str, db: Database, ctx: ServiceContext, server: FakeSmtp
) -> None:
    # Python 3.11's header folding dropped the space where it split the subject into encoded words,
    # and RFC 2047 decoders ignore the white space between two encoded words: "ZoëMüller".
    templates.set_part(
        ctx, "customer_confirmation", "subject", "en", "{{ ref }}: {{ service }} — {{ customer_name }}"
    )
    book(ctx, name=name, email_address="jose@example.com", address="Calle Mayor 1", service=service)
    deliver_due(db, Config(), worker_id="prod")
    raw = raw_to(server, "jose@example.com")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert str(message["Subject"]) == f"BK-000001: {service} — {name}"
    assert raw.split(b"\r\n\r\n")[0].isascii()


def test_a_database_set_up_anew_never_repeats_a_message_id_the_old_one_sent(
    db: Database, ctx: ServiceContext, server: FakeSmtp, tmp_path: Path
) -> None:
    # The Message-ID came from the row's id and its change alone, so a reinstalled team's first
    # booking repeated the old first booking's IDs, and a mailbox that drops duplicates (Gmail
    # does) hid the new mails from the agent who had had the old ones.
    book(ctx, name="Carla Customer", email_address="carla@example.com", address="12 Elm St", service="Boiler")
    deliver_due(db, Config(), worker_id="prod")
    anew = prepared_database(f"sqlite:///{tmp_path / 'anew.db'}")
    try:
        book(
            ServiceContext(anew, "boss"),
            name="Dan Doe",
            email_address="dan@example.com",
            address="1 Oak St",
            service="Boiler",
        )
        deliver_due(anew, Config(), worker_id="prod")
    finally:
        anew.dispose()
    ids = [str(message["Message-ID"]) for message in server.messages]
    assert len(ids) == 4 and len(set(ids)) == 4, ids
