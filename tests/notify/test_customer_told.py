"""What the customer is told (issue 14): a request received, then who comes and when; silence on
request; the company name and the first text's opt-out line within two segments; consent; the
Messaging Service."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from dispatch_desktop.cli import main
from dispatch_desktop.config import Config
from dispatch_desktop.domain.sms_segments import segments
from dispatch_desktop.notify.delivery import deliver_due
from dispatch_desktop.services import bookings, team_settings
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from tests.notify.helpers import CUSTOMER_EMAIL, CUSTOMER_PHONE, add_agent, add_booking, rows
from tests.servers.memory_keyring import MemoryKeyring
from tests.servers.twilio_fake import FakeTwilio

REQUEST = (
    "We have your request for Boiler service on 2026-12-01 at 12 Elm Street, Chicago; "
    "we will text you when a technician is scheduled."
)
OPT_OUT = " Reply STOP to opt out."


def customer_texts(db: Database) -> list[str]:
    return [row.body for row in rows(db, recipient_kind="customer", channel="sms")]


def test_a_call_center_customer_hears_we_have_your_request_then_scheduled_with_ann(
    db: Database, ctx: ServiceContext
) -> None:
    booking = add_booking(ctx, call_center=True)
    [received] = rows(db, recipient_kind="customer", channel="email")
    assert received.subject == f"Booking Request Received: {booking.reference}"
    assert "It is not an appointment yet" in received.body
    agent = add_agent(ctx)  # Ann Field
    bookings.assign_booking(ctx, booking.id, agent.id)
    assert customer_texts(db) == [
        REQUEST + OPT_OUT,  # the first text ever to this number
        f"Your booking {booking.reference} (Boiler service) is scheduled with Ann at 09:00 on 2026-12-01, "
        "12 Elm Street, Chicago.",
    ]
    scheduled = rows(db, recipient_kind="customer")[-2:]
    assert [(r.event, r.channel) for r in scheduled] == [
        ("booking_status_changed", "sms"),
        ("booking_status_changed", "email"),
    ]
    assert scheduled[1].subject == f"Booking {booking.reference}: scheduled with Ann at 09:00 on 2026-12-01"
    assert {(r.event, r.channel) for r in rows(db, recipient_kind="agent")} == {
        ("booking_assigned", "sms"),
        ("booking_assigned", "email"),
    }


def test_a_booking_made_with_an_agent_keeps_the_seeds_confirmation(db: Database, ctx: ServiceContext) -> None:
    add_booking(ctx, agent_id=add_agent(ctx).id)
    [email] = rows(db, recipient_kind="customer", channel="email")
    assert email.subject == "Booking Confirmation"
    assert customer_texts(db)[0].startswith("Your booking is confirmed: BK-000001, ")


def test_a_pending_booking_dropped_at_a_new_time_gets_one_scheduled_text_not_also_moved(
    db: Database, ctx: ServiceContext
) -> None:
    booking = add_booking(ctx, call_center=True)
    agent = add_agent(ctx)
    bookings.move_booking(
        ctx, booking.id, agent_id=agent.id, start="2026-12-01 11:00", end="2026-12-01 12:00"
    )
    assert customer_texts(db)[1:] == [
        "Your booking BK-000001 (Boiler service) is scheduled with Ann at 11:00 on 2026-12-01, 12 Elm Street, Chicago."
    ]


@pytest.mark.parametrize("change", ["assign", "status", "reschedule"])
def test_no_customer_notice_tells_the_agent_only_and_the_audit_names_who_chose(
    db: Database, ctx: ServiceContext, change: str
) -> None:
    agent = add_agent(ctx)
    if change == "assign":
        booking = add_booking(ctx, call_center=True)
    else:
        booking = add_booking(ctx, agent_id=agent.id)
    before = len(rows(db, recipient_kind="customer"))
    if change == "assign":
        bookings.assign_booking(ctx, booking.id, agent.id, notify_customer=False)
    elif change == "status":
        bookings.change_status(ctx, booking.id, "confirmed", notify_customer=False)
    else:
        bookings.reschedule_booking(
            ctx, booking.id, start="2026-12-01 11:00", end="2026-12-01 12:00", notify_customer=False
        )
    assert len(rows(db, recipient_kind="customer")) == before
    agent_events = {r.event for r in rows(db, recipient_kind="agent")}
    assert agent_events - {"booking_created"}, "the agent is still told"
    [silence] = [e for e in bookings.booking_history(ctx, booking.id) if e.field == "customer notice"]
    assert (silence.actor, silence.old_value, silence.new_value) == (ctx.username, "on", "off")


def test_the_company_name_opens_every_customer_text_and_the_opt_out_ends_only_the_first(
    db: Database, ctx: ServiceContext
) -> None:
    team_settings.update_team_settings(ctx, company_name="Acme Plumbing", company_phone="312-555-0100")
    agent = add_agent(ctx)
    first = add_booking(ctx, agent_id=agent.id)
    bookings.change_status(ctx, first.id, "confirmed")
    second = add_booking(ctx, start="13:00", end="14:00", agent_id=agent.id)
    texts = customer_texts(db)
    assert texts == [
        f"Acme Plumbing: Your booking is confirmed: {first.reference}, Boiler service on 2026-12-01 09:00 at "
        "12 Elm Street, Chicago." + OPT_OUT,
        f"Acme Plumbing: Your booking {first.reference} (Boiler service, 2026-12-01 09:00) is now confirmed.",
        f"Acme Plumbing: Your booking is confirmed: {second.reference}, Boiler service on 2026-12-01 13:00 at "
        "12 Elm Street, Chicago.",
    ]
    assert not any(r.body.startswith("Acme") for r in rows(db, recipient_kind="agent", channel="sms"))
    [email] = rows(db, recipient_kind="customer", channel="email")[:1]
    assert "Sent by Acme Plumbing (+13125550100) through Dispatch Desktop." in email.body


def book(ctx: ServiceContext, start: str, consent: str | None, phone: str = CUSTOMER_PHONE) -> int:
    return bookings.create_booking(
        ctx,
        customer_name="Carla Customer",
        customer_phone=phone,
        customer_email=None,
        address="12 Elm Street, Chicago",
        service="Boiler service",
        start=f"2026-12-01 {start}",
        end=f"2026-12-01 {start[:2]}:30",
        call_center=True,
        sms_consent=consent,
    ).id


def test_each_number_gets_the_opt_out_line_on_its_first_text_that_goes_out(
    db: Database, ctx: ServiceContext
) -> None:
    book(ctx, "09:00", "no")
    book(ctx, "10:00", "yes")  # she says yes on her next call: the skipped text never went
    book(ctx, "11:00", None)  # not asked: the yes on file stands
    book(ctx, "12:00", None, phone="+13125550177")  # another number: its own first text
    texts = rows(db, recipient_kind="customer", channel="sms")
    assert [(r.status, r.body.endswith(OPT_OUT)) for r in texts] == [
        ("skipped", False),
        ("queued", True),
        ("queued", False),
        ("queued", True),
    ]
    assert texts[1].body == REQUEST + OPT_OUT


@pytest.mark.parametrize(
    ("address", "company"),
    [
        (
            "1234 North Very Long Industrial Parkway Extension, Unit 5678, Building C, Schaumburg",
            "Acme Plumbing",
        ),
        ("Zażółć gęślą jaźń 12, Łódź, mieszkanie 4, klatka schodowa B, piętro trzecie", "Hydraulika Łódź"),
    ],
)
def test_company_name_and_opt_out_stay_within_two_segments(
    db: Database, ctx: ServiceContext, address: str, company: str
) -> None:
    team_settings.update_team_settings(ctx, company_name=company)
    agent = add_agent(ctx)
    booking = bookings.create_booking(
        ctx,
        customer_name="Carla Customer",
        customer_phone=CUSTOMER_PHONE,
        customer_email=None,
        address=address,
        service="Boiler service and a full annual inspection of the heating system " * 2,
        start="2026-12-01 09:00",
        end="2026-12-01 10:00",
        agent_id=agent.id,
    )
    [text] = customer_texts(db)
    assert text.startswith(f"{company}: Your booking is confirmed: {booking.reference}")
    assert text.endswith("..." + OPT_OUT)
    assert segments(text).segments == 2


def test_a_customer_who_declined_texts_gets_email_only(
    db: Database, ctx: ServiceContext, log_lines: Callable[[], list[str]]
) -> None:
    booking = bookings.create_booking(
        ctx,
        customer_name="Carla Customer",
        customer_phone=CUSTOMER_PHONE,
        customer_email=CUSTOMER_EMAIL,
        address="12 Elm Street, Chicago",
        service="Boiler service",
        start="2026-12-01 09:00",
        end="2026-12-01 10:00",
        call_center=True,
        sms_consent="no",
    )
    bookings.assign_booking(ctx, booking.id, add_agent(ctx).id)
    customer = rows(db, recipient_kind="customer")
    assert [(r.channel, r.status, r.last_error) for r in customer if r.channel == "sms"] == [
        ("sms", "skipped", "customer declined texts"),
        ("sms", "skipped", "customer declined texts"),
    ]
    report = deliver_due(db, Config(), worker_id="dev")
    emails = rows(db, recipient_kind="customer", channel="email")
    assert [r.status for r in emails] == ["logged", "logged"]
    assert report.counts["logged"] == 4  # two customer emails, the agent's text and email
    # A later booking that does not ask keeps the answer on file.
    add_booking(ctx, start="13:00", end="14:00", call_center=True)
    assert rows(db, recipient_kind="customer", channel="sms")[-1].last_error == "customer declined texts"


def test_messaging_service_sid_reaches_twilio_instead_of_from(
    db: Database, ctx: ServiceContext, production: None, twilio: FakeTwilio, use_env: Callable[..., None]
) -> None:
    service = "MG" + "0123456789abcdef" * 2
    use_env(twilio.env(), {"TWILIO_MESSAGING_SERVICE_SID": service})
    add_booking(ctx, call_center=True, email=None)
    deliver_due(db, Config(), worker_id="prod")
    [request] = [r for r in twilio.requests if r["method"] == "POST"]
    assert request["form"]["MessagingServiceSid"] == service and "From" not in request["form"]
    [message] = twilio.messages
    assert (message["messaging_service_sid"], message["From"]) == (service, twilio.phone_number)
    assert [r.status for r in rows(db, channel="sms")] == ["sent"]


def test_a_malformed_messaging_service_sid_holds_texts_and_says_why(
    db: Database, ctx: ServiceContext, production: None, twilio: FakeTwilio, use_env: Callable[..., None]
) -> None:
    use_env(twilio.env(), {"TWILIO_MESSAGING_SERVICE_SID": "MG123"})
    add_booking(ctx, call_center=True, email=None)
    deliver_due(db, Config(), worker_id="prod")
    assert twilio.messages == []
    [row] = rows(db, channel="sms")
    assert row.status == "retry" and "TWILIO_MESSAGING_SERVICE_SID (Messaging Service SID" in (
        row.last_error or ""
    )


def test_credentials_show_says_which_sender_is_used(
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
) -> None:
    monkeypatch.setenv("TWILIO_PHONE_NUMBER", "+15005550006")
    assert main(["--home", str(home), "--json", "credentials", "show"]) == 0
    assert json.loads(capsys.readouterr().out)["twilio_sender"] == "From number +15005550006"
    service = "MG" + "ab" * 16
    (home / "config.toml").write_text(f'[twilio]\nmessaging_service_sid = "{service}"\n', encoding="utf-8")
    assert main(["--home", str(home), "credentials", "show"]) == 0
    out = capsys.readouterr().out
    assert f"texts go out through: Messaging Service {service}" in out
    assert f"TWILIO_MESSAGING_SERVICE_SID {service}  (config)" in out


def test_the_command_line_sets_the_company_and_consent_and_can_keep_the_customer_out_of_a_change(
    home: Path, capsys: pytest.CaptureFixture[str], db: Database, database_url: str
) -> None:
    def run(*argv: str) -> object:
        code = main(["--home", str(home), "--database-url", database_url, "--json", *argv])
        out, err = capsys.readouterr()
        assert code == 0, err
        return json.loads(out)

    run("settings", "set", "--company-name", "Acme Plumbing", "--company-phone", "(312) 555-0100")
    shown = run("settings", "show")
    assert isinstance(shown, dict)
    assert (shown["company_name"], shown["company_phone"]) == ("Acme Plumbing", "+13125550100")
    agent = run(
        "agent", "add", "--name", "Ann Field", "--phone", "312-555-0101", "--email", "ann@example.com"
    )
    booking = run(
        "booking", "add", "--customer-name", "Carla Customer", "--customer-phone", CUSTOMER_PHONE,
        "--address", "12 Elm Street, Chicago", "--service", "Boiler service", "--start", "2026-12-01 09:00",
        "--end", "2026-12-01 10:00", "--call-center", "--sms-consent", "yes", "--queue-only",
    )  # fmt: skip
    assert isinstance(booking, dict) and isinstance(agent, dict)
    bid = str(booking["id"])
    run("booking", "assign", bid, str(agent["id"]), "--no-customer-notice", "--queue-only")
    assert customer_texts(db) == [f"Acme Plumbing: {REQUEST}{OPT_OUT}"]
    assert [r.event for r in rows(db, recipient_kind="agent", channel="sms")] == ["booking_assigned"]
    run("booking", "status", bid, "confirmed", "--queue-only")
    assert (
        customer_texts(db)[-1]
        == "Acme Plumbing: Your booking BK-000001 (Boiler service, 2026-12-01 09:00) is now confirmed."
    )
    history = run("booking", "history", bid)
    assert isinstance(history, list)
    assert [(e["field"], e["new_value"]) for e in history if e["field"] == "customer notice"] == [
        ("customer notice", "off")
    ]
