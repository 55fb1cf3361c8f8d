"""Templates: sandboxed Jinja2 in resources/, SMS within two segments, email with text and HTML."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2.exceptions import SecurityError

from dispatch_desktop.domain.sms_segments import fit as fit_sms
from dispatch_desktop.domain.sms_segments import segments
from dispatch_desktop.notify import templates
from dispatch_desktop.notify.templates import render

BOOKING = {
    "ref": "BK-000042",
    "service": "Boiler service",
    "when": "2026-12-01 09:00",
    "ends": "2026-12-01 10:00",
    "timezone": "America/Chicago",
    "address": "12 Elm Street, Chicago",
    "status": "en route",
    "old_status": "scheduled",
    "customer_name": "Carla Customer",
    "agent_name": "Ann Field",
    "recipient_name": "Carla Customer",
    "company_line": "Sent by your service team.",
}
TIME_OFF = {
    "ref": "TO-000007",
    "agent_name": "Ann Field",
    "starts": "2026-12-02 00:00",
    "ends": "2026-12-03 00:00",
    "timezone": "America/Chicago",
    "reason": "Dentist",
    "decision": "approved",
    "decision_reason": None,
    "decided_by": "boss",
    "recipient_name": "Dana Dispatcher",
    "company_line": "",
}
BOOKING_KINDS = [
    "customer_confirmation",
    "customer_status",
    "customer_reschedule",
    "agent_assignment",
    "agent_unassignment",
    "agent_status",
    "agent_reschedule",
]


@pytest.mark.parametrize("kind", BOOKING_KINDS)
def test_booking_messages_carry_reference_service_time_and_address(kind: str) -> None:
    rendered = render(kind, **BOOKING)
    for part in (rendered.sms, rendered.text, rendered.html):
        for value in ("BK-000042", "Boiler service", "2026-12-01 09:00"):
            assert value in part
    assert "12 Elm Street" in rendered.text and "12 Elm Street" in rendered.html
    assert segments(rendered.sms).segments <= 2
    assert rendered.html.lstrip().startswith("<!DOCTYPE html>")


def test_customer_confirmation_subject_and_sms_opening() -> None:
    rendered = render("customer_confirmation", **BOOKING)
    assert rendered.subject == "Booking Confirmation"
    assert rendered.sms.startswith("Your booking is confirmed")


@pytest.mark.parametrize("kind", ["customer_status", "agent_status"])
def test_status_updates_name_the_new_status(kind: str) -> None:
    rendered = render(kind, **BOOKING)
    assert "en route" in rendered.sms and "en route" in rendered.subject


@pytest.mark.parametrize(
    ("kind", "expected_subject"),
    [
        ("dispatcher_time_off_request", "Time-off Approval Needed: Ann Field"),
        ("agent_time_off_decision", "Time-off Request Approved"),
    ],
)
def test_time_off_messages(kind: str, expected_subject: str) -> None:
    rendered = render(kind, **TIME_OFF)
    assert rendered.subject == expected_subject
    assert "2026-12-02 00:00" in rendered.sms and "2026-12-02 00:00" in rendered.text


def test_sms_stays_within_two_segments_even_with_a_long_address() -> None:
    long = dict(BOOKING, address="Unit 4, " + "Very Long Industrial Estate Road " * 12)
    rendered = render("customer_confirmation", **long)
    assert segments(rendered.sms).segments == 2
    assert rendered.sms.endswith("...")
    assert rendered.sms.startswith("Your booking is confirmed: BK-000042")


def test_segment_counting_gsm_and_unicode() -> None:
    assert segments("a" * 160).segments == 1
    assert segments("a" * 161).segments == 2
    assert segments("a" * 306).segments == 2
    assert segments("a" * 307).segments == 3
    assert segments("é" * 160).segments == 1  # é is in the GSM alphabet
    assert segments("ł" * 70).segments == 1  # not GSM: UCS-2, 70 per single segment
    assert segments("ł" * 71).segments == 2
    fitted = fit_sms("Zażółć " * 40)
    assert segments(fitted).segments == 2 and fitted.endswith("...")


def test_html_escapes_what_people_typed() -> None:
    rendered = render("customer_confirmation", **dict(BOOKING, address="<script>alert(1)</script>"))
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "<script>alert(1)</script>" in rendered.text


def test_templates_are_sandboxed() -> None:
    environment = templates._environment()
    with pytest.raises(SecurityError):
        environment.from_string("{{ ''.__class__.__mro__[1].__subclasses__() }}").render()


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=600))
def test_any_text_fits_two_segments_and_keeps_its_start(text: str) -> None:
    fitted = fit_sms(text)
    assert segments(fitted).segments <= 2
    if fitted != text:
        assert fitted.endswith("...") and text.startswith(fitted[:-3])
