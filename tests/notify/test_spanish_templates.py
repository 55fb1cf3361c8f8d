"""The shipped Spanish messages (issue 18): every customer message in Spanish, within two UCS-2
segments for a long real-world sample, and no English word leaking into them."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from dispatch_desktop.domain import language
from dispatch_desktop.domain.message_kinds import PART_FILES
from dispatch_desktop.domain.sms_segments import UCS2, fit, segments
from dispatch_desktop.notify import languages, templates
from dispatch_desktop.services import agents, bookings, inbound, team_settings
from dispatch_desktop.services import templates as template_service
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from tests.notify.helpers import rows

CUSTOMER_KINDS = (
    "customer_confirmation",
    "request_received",
    "customer_scheduled",
    "customer_reschedule",
    "customer_status",
    "reminder",
)
# A Spanish team's staff read theirs in Spanish too.
STAFF_KINDS = (
    "agent_assignment",
    "agent_reschedule",
    "agent_status",
    "agent_unassignment",
    "agent_time_off_decision",
    "dispatcher_time_off_request",
)
COMPANY = "Plomería y Calefacción Hernández"
ADDRESS = "2150 South Kedzie Avenue, Unit 3R, Chicago, IL 60623"
SERVICE = "Reparación de calentador de agua"
# Words of the English templates and of the code's own lines; none may appear in a Spanish message.
ENGLISH = set(
    [
        "the",
        "your",
        "you",
        "we",
        "will",
        "booking",
        "bookings",
        "job",
        "reply",
        "reminder",
        "scheduled",
        "confirmed",
        "cancelled",
        "completed",
        "pending",
        "route",
        "progress",
        "status",
        "moved",
        "new",
        "time",
        "request",
        "received",
        "technician",
        "minutes",
        "with",
        "on",
        "at",
        "is",
        "has",
        "hello",
        "call",
        "us",
        "please",
        "opt",
        "out",
        "to",
        "of",
        "sent",
        "by",
        "through",
        "assigned",
        "rescheduled",
        "confirmation",
        "reference",
        "service",
        "when",
        "address",
    ]
)
PRODUCT = "Dispatch Desktop"  # the product's name in the company line stays as it is


def english_words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.replace(PRODUCT, "").lower())) & ENGLISH


def sample(eta_minutes: int | None = None) -> dict[str, object]:
    zone = ZoneInfo("America/Chicago")
    start = datetime(2030, 9, 18, 15, 30, tzinfo=UTC)  # a Wednesday in September: the longest names
    return {
        "ref": "BK-004711",
        "service": SERVICE,
        "when": language.when(start, zone, "es"),
        "ends": language.when(start, zone, "es"),
        "date": language.day(start, zone, "es"),
        "time": language.clock(start, zone, "es"),
        "timezone": "America/Chicago",
        "address": ADDRESS,
        "status": language.status_words("en_route", "es"),
        "old_status": language.status_words("confirmed", "es"),
        "eta_minutes": eta_minutes,
        "customer_name": "María José Rodríguez Villaseñor",
        "recipient_name": "María José Rodríguez Villaseñor",
        "agent_name": "Guillermo Castañeda",
        "agent_first_name": "Guillermo",
        "company": COMPANY,
        "starts": language.when(start, zone, "es"),
        "reason": "cita médica",
        "decision": language.status_words("denied", "es"),
        "decision_reason": "semana con mucho trabajo",
        "decided_by": "Dana Lee",
        "company_line": language.words("es").company_line.format(name=f"{COMPANY} (+13125550100)"),
    }


def test_spanish_is_offered_and_ships_every_part_of_every_customer_message() -> None:
    assert languages.offered() == ("en", "es")
    root = templates.templates_root() / "es"
    for kind in CUSTOMER_KINDS + STAFF_KINDS:
        for part in ("sms.txt", "subject.txt", "email.txt", "email.html"):
            assert (root / kind / part).is_file(), f"es/{kind}/{part}"


@pytest.mark.parametrize("kind", STAFF_KINDS)
def test_each_spanish_staff_message_reads_spanish_within_two_segments(kind: str) -> None:
    rendered = templates.render(kind, language="es", **sample())
    assert segments(rendered.sms).segments <= 2, rendered.sms
    for part in (rendered.sms, rendered.subject, rendered.text, rendered.html):
        assert english_words(part) == set(), (kind, part)


@pytest.mark.parametrize("kind", CUSTOMER_KINDS)
def test_each_spanish_sms_fits_two_segments_with_company_and_opt_out_and_reads_spanish(kind: str) -> None:
    rendered = templates.render(kind, language="es", **sample())
    words = language.words("es")
    hint = f" {words.reply_hint}" if kind == "reminder" else ""
    prefix, usual = f"{COMPANY}: ", hint or f" {words.opt_out}"  # a reminder is not the first text
    for suffix in (usual, f"{hint} {words.opt_out}"):  # and the worst case: both kept whole
        sms = fit(rendered.sms, prefix=prefix, suffix=suffix)
        count = segments(sms)
        assert (count.encoding, count.segments <= 2) == (UCS2, True), sms
        assert sms.startswith(prefix) and sms.endswith(suffix)
    usual_sms = fit(rendered.sms, prefix=prefix, suffix=usual)
    assert "miércoles 18 de septiembre" in usual_sms, usual_sms  # the day survives the cut
    for part in (rendered.sms, rendered.subject, rendered.text, rendered.html):
        assert english_words(part) == set(), (kind, part)
    assert '<html lang="es">' in rendered.html and "Hola, María José" in rendered.text


def test_the_status_leads_with_the_technicians_eta() -> None:
    status = templates.render("customer_status", language="es", **sample(eta_minutes=25)).sms
    assert fit(status, prefix=f"{COMPANY}: ").startswith(
        f"{COMPANY}: Su técnico va en camino: llega en unos 25 minutos. Su cita del miércoles"
    )


def test_a_spanish_customers_texts_through_the_outbox_fit_and_read_spanish(
    db: Database, ctx: ServiceContext
) -> None:
    team_settings.update_team_settings(
        ctx,
        company_name=COMPANY,
        company_phone="312-555-0100",
        two_way_sms=True,
        reminders="24h",
    )
    agent = agents.add_agent(ctx, name="Guillermo Castañeda", phone="312-555-0101", email="gc@example.com")
    booking = bookings.create_booking(
        ctx,
        customer_name="María José Rodríguez Villaseñor",
        customer_phone="312-555-0199",
        customer_email="maria@example.com",
        address=ADDRESS,
        service=SERVICE,
        start="2030-09-18 10:30",
        end="2030-09-18 12:00",
        call_center=True,
        customer_language="es",
    )
    bookings.assign_booking(ctx, booking.id, agent.id)
    bookings.reschedule_booking(ctx, booking.id, start="2030-09-19 08:00", end="2030-09-19 09:30")
    bookings.change_status(ctx, booking.id, "cancelled", reason="se mudó")
    inbound.simulate_inbound(ctx, "312-555-0199", "C")
    inbound.simulate_inbound(ctx, "312-555-0199", "R")
    customer_rows = rows(db, recipient_kind="customer")
    assert {row.event for row in customer_rows} == {
        "booking_created",
        "booking_status_changed",
        "booking_rescheduled",
        "booking_reminder",
        "inbound_reply",
    }
    for row in customer_rows:
        for part in (row.body, row.subject or "", row.html_body or ""):
            assert english_words(part) == set(), (row.event, part)
        if row.channel == "sms":
            assert segments(row.body).segments <= 2, row.body
    replies = [row.body for row in customer_rows if row.event == "inbound_reply"]
    assert replies == [
        "No tiene ninguna cita que confirmar. Llámenos al +13125550100.",
        "No tiene ninguna cita próxima que cambiar. Llámenos al +13125550100.",
    ]
    *_, reminder = [
        row.body for row in customer_rows if row.event == "booking_reminder" and row.channel == "sms"
    ]
    assert reminder.startswith(f"{COMPANY}: Recordatorio: jueves 19 de septiembre, 08:00 con G")
    assert reminder.endswith(" Responda C para confirmar o R para otra fecha.")
    first = customer_rows[0]
    assert first.channel == "sms" and first.body.startswith(
        f"{COMPANY}: Solicitud recibida para el miércoles 18 de septiembre; "
    )
    assert first.body.endswith("... Responda STOP para darse de baja.")


def test_every_shipped_spanish_template_passes_the_save_check(ctx: ServiceContext) -> None:
    """A supervisor may start an override from the shipped Spanish text and save it as it is."""
    team = ctx.team_settings()
    for kind in CUSTOMER_KINDS + STAFF_KINDS:
        detail = template_service.show_template(ctx, kind, "es")
        for part in detail.parts:
            assert part.shipped_text == (
                templates.templates_root() / "es" / kind / PART_FILES[part.part]
            ).read_text(encoding="utf-8")
            template_service.check_part(kind, part.part, "es", part.shipped_text, team)


def test_a_spanish_teams_agent_is_answered_in_spanish(db: Database, ctx: ServiceContext) -> None:
    team_settings.update_team_settings(ctx, language="es", two_way_sms=True)
    agents.add_agent(ctx, name="Guillermo Castañeda", phone="312-555-0101", email="gc@example.com")
    inbound.simulate_inbound(ctx, "312-555-0101", "1")
    [reply] = [row.body for row in rows(db, event="inbound_reply")]
    assert (
        reply
        == "Hoy no tiene citas asignadas. Envíe 1 u OMW [minutos] al salir, 2 al empezar y 3 o DONE al terminar."
    )
