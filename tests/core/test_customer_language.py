"""The customer's language (issue 18): their messages in it, staff's in the team's, a returning
caller keeping theirs, and an unknown language refused with one line and nothing written."""

import pytest
from icalendar import Calendar
from sqlalchemy import select

from dispatch_desktop.services import bookings, customers, team_settings, timeoff
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import AuditEntry, Customer
from tests.core.helpers import add_agent, add_booking
from tests.core.test_cli import Cli, _booking_args
from tests.core.test_input_rules import refused
from tests.notify.helpers import rows

SPANISH_CONFIRMATION = (
    "Cita confirmada para el martes 1 de diciembre, 09:00: Boiler service, 12 Elm Street (BK-000001)."
    " Responda STOP para darse de baja."
)


@pytest.fixture
def cli(home, database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(home, database_url, capsys)


def texts(db: Database, kind: str) -> list[str]:
    return [row.body for row in rows(db, recipient_kind=kind, channel="sms")]


def test_a_spanish_customer_gets_spanish_sms_and_email_and_the_agent_stays_english(
    cli: Cli, db: Database
) -> None:
    agent = cli.json(
        "agent", "add", "--name", "Ann Field", "--phone", "312-555-0101", "--email", "ann@example.com"
    )
    assert isinstance(agent, dict)
    booking = cli.json(*_booking_args(), "--agent", str(agent["id"]), "--language", "es", "--queue-only")
    assert isinstance(booking, dict) and booking["customer_language"] == "es"
    assert texts(db, "customer") == [SPANISH_CONFIRMATION]
    [email] = rows(db, recipient_kind="customer", channel="email")
    assert email.subject == "Confirmación de su cita"
    assert email.body == (
        "Hola, Carla Customer:\n\n"
        "Su cita está confirmada. Será un gusto atenderle.\n\n"
        "Referencia: BK-000001\n"
        "Servicio: Boiler service\n"
        "Fecha y hora: martes 1 de diciembre, 09:00 (America/Chicago)\n"
        "Dirección: 12 Elm Street\n"
        "Estado: programada\n\n"
        "Enviado por su equipo de servicio mediante Dispatch Desktop.\n"
    )
    assert email.html_body is not None and '<html lang="es">' in email.html_body
    assert "<p>Hola, Carla Customer:</p>" in email.html_body
    assert texts(db, "agent") == [
        "New job BK-000001: Boiler service on 2026-12-01 09:00 at 12 Elm Street. Customer: Carla Customer."
    ]
    [agent_email] = rows(db, recipient_kind="agent", channel="email")
    assert agent_email.subject == "New Assignment: BK-000001"
    assert "When: 2026-12-01 09:00 (America/Chicago)" in agent_email.body
    # Each person's calendar invite speaks their language too.
    assert email.calendar is not None and agent_email.calendar is not None
    [customer_event] = Calendar.from_ical(email.calendar).walk("VEVENT")
    [agent_event] = Calendar.from_ical(agent_email.calendar).walk("VEVENT")
    assert str(customer_event["description"]) == (
        "Cita BK-000001, martes 1 de diciembre, 09:00 a martes 1 de diciembre, 10:00 (America/Chicago)."
    )
    assert str(agent_event["description"]) == (
        "Booking BK-000001, 2026-12-01 09:00 to 2026-12-01 10:00 America/Chicago."
    )
    code, out, _ = cli("booking", "show", "1")
    assert code == 0 and "  customer: Carla Customer, (312) 555-0199, carla@example.com, language es\n" in out


def test_status_words_and_the_reschedule_follow_the_customer(db: Database, ctx: ServiceContext) -> None:
    booking = bookings.create_booking(
        ctx,
        customer_name="Carla Customer",
        customer_phone="312-555-0199",
        customer_email=None,
        address="12 Elm Street",
        service="Boiler service",
        start="2026-12-01 09:00",
        end="2026-12-01 10:00",
        agent_id=add_agent(ctx).id,
        customer_language="es",
    )
    bookings.reschedule_booking(ctx, booking.id, start="2026-12-03 14:30", end="2026-12-03 15:30")
    bookings.change_status(ctx, booking.id, "cancelled", reason="moved away")
    assert texts(db, "customer")[1:] == [
        "Nueva fecha de su cita: jueves 3 de diciembre, 14:30. Boiler service, 12 Elm Street (BK-000001).",
        "Su cita del jueves 3 de diciembre, 14:30: cancelada. Boiler service (BK-000001).",
    ]
    assert (
        texts(db, "agent")[-1]
        == "Job BK-000001 (Boiler service, 2026-12-03 14:30, 12 Elm Street) is now cancelled."
    )


def test_a_spanish_team_writes_to_customers_without_a_language_in_spanish(
    db: Database, ctx: ServiceContext
) -> None:
    settings = team_settings.update_team_settings(ctx, language="es")
    assert settings.language == "es"
    add_booking(ctx, call_center=True)  # a customer who never chose: the team's language
    add_booking(ctx, call_center=True, phone="312-555-0188", name="Ed English")
    bookings.update_booking(ctx, 2, customer_language="en")
    assert texts(db, "customer") == [
        "Solicitud recibida para el martes 1 de diciembre; le avisaremos al asignar un técnico."
        " Boiler service, 12 Elm Street, Chicago (BK-000001). Responda STOP para darse de baja.",
        "Solicitud recibida para el martes 1 de diciembre; le avisaremos al asignar un técnico."
        " Boiler service, 12 Elm Street, Chicago (BK-000002). Responda STOP para darse de baja.",
    ]
    with db.read() as session:
        spoken = dict(session.execute(select(Customer.name, Customer.language)).all())
        edited = session.scalars(select(AuditEntry).where(AuditEntry.action == "edited")).one()
    assert spoken == {"Carla Customer": None, "Ed English": "en"}
    assert (edited.field, edited.old_value, edited.new_value) == ("language", None, "en")


def test_an_unknown_language_is_one_error_line_naming_the_offered_ones(cli: Cli, db: Database) -> None:
    assert refused(cli, db, *_booking_args(), "--language", "fr") == (
        "customer language must be one of en, es (the languages with messages), not 'fr'"
    )
    assert refused(cli, db, "settings", "set", "--language", "klingon") == (
        "team language must be one of en, es (the languages with messages), not 'klingon'"
    )
    shown = cli.json("settings", "show")
    assert isinstance(shown, dict) and shown["language"] == "en"


def test_a_returning_caller_keeps_their_language(db: Database, ctx: ServiceContext) -> None:
    bookings.create_booking(
        ctx,
        customer_name="Carla Customer",
        customer_phone="312-555-0199",
        customer_email=None,
        address="12 Elm Street",
        service="Boiler service",
        start="2026-12-01 09:00",
        end="2026-12-01 10:00",
        customer_language="ES",
        call_center=True,
    )
    add_booking(ctx, "11:00", "12:00", call_center=True, email=None)  # the same phone, no language given
    caller = customers.find_caller(ctx, "312-555-0199")
    assert caller is not None and caller.customer.language == "es"
    assert [text.startswith("Solicitud recibida para el martes") for text in texts(db, "customer")] == [
        True,
        True,
    ]


def test_a_spanish_team_tells_its_agents_in_spanish(db: Database, ctx: ServiceContext) -> None:
    team_settings.update_team_settings(ctx, language="es")
    agent = add_agent(ctx)
    add_booking(ctx, agent_id=agent.id)
    request = timeoff.request_time_off(
        ctx, agent_id=agent.id, start="2026-12-03 08:00", end="2026-12-03 18:00"
    )
    timeoff.approve_time_off(ctx, request.id)
    assert texts(db, "agent") == [
        "Nueva cita BK-000001: Boiler service, martes 1 de diciembre, 09:00, en 12 Elm Street, Chicago."
        " Cliente: Carla Customer.",
        "Su solicitud de tiempo libre del jueves 3 de diciembre, 08:00 al jueves 3 de diciembre, 18:00"
        " fue aprobada.",
    ]
    [decision] = rows(db, recipient_kind="agent", channel="email", event="time_off_decided")
    assert decision.subject == "Solicitud de tiempo libre aprobada"
    assert "Desde: jueves 3 de diciembre, 08:00 (America/Chicago)\n" in decision.body
