"""The pure clock rules: reminder offsets, quiet-hours windows and the recipient's zone."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.domain.sms_segments import fit, segments
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.domain.timing import QuietHours, parse_reminders, recipient_zone, reminders_text
from dispatch_desktop.notify.templates import render
from dispatch_desktop.services.notices import sms_frame

CHICAGO = ZoneInfo("America/Chicago")
NIGHT = QuietHours.parse("21:00-08:00")


def test_reminders_read_as_offsets_largest_first_and_off_is_none() -> None:
    assert parse_reminders("90m, 24h,2h,2h") == (
        timedelta(hours=24),
        timedelta(hours=2),
        timedelta(minutes=90),
    )
    assert parse_reminders("1m") == (timedelta(minutes=1),)  # small values, for tests
    assert parse_reminders(" OFF ") == ()
    assert reminders_text(parse_reminders("1d,30s")) == "24h,30s"
    assert reminders_text(()) == "off"


@pytest.mark.parametrize("bad", ["", "5x", "0m", "24", "1h,,2h", "31d", "١h"])
def test_a_bad_reminder_list_is_one_clear_error(bad: str) -> None:
    with pytest.raises(ValidationError, match=r"^reminders: ") as refused:
        parse_reminders(bad)
    assert "\n" not in str(refused.value)


def test_quiet_hours_overnight_end_the_next_morning_in_the_given_zone() -> None:
    assert NIGHT is not None and str(NIGHT) == "21:00-08:00"
    late = datetime(2026, 12, 1, 23, 30, tzinfo=CHICAGO)
    assert NIGHT.ends_after(late, CHICAGO) == datetime(2026, 12, 2, 8, 0, tzinfo=CHICAGO)
    early = datetime(2026, 12, 2, 6, 0, tzinfo=CHICAGO)
    assert NIGHT.ends_after(early, CHICAGO) == datetime(2026, 12, 2, 8, 0, tzinfo=CHICAGO)
    assert NIGHT.ends_after(datetime(2026, 12, 2, 8, 0, tzinfo=CHICAGO), CHICAGO) is None
    assert NIGHT.ends_after(datetime(2026, 12, 2, 20, 59, tzinfo=CHICAGO), CHICAGO) is None
    # A UTC moment is read in the zone given, and the end comes back in UTC.
    assert NIGHT.ends_after(datetime(2026, 12, 2, 4, 0, tzinfo=UTC), CHICAGO) == datetime(
        2026, 12, 2, 14, 0, tzinfo=UTC
    )


def test_a_daytime_window_and_off() -> None:
    lunch = QuietHours.parse("12:00-13:00")
    assert lunch is not None
    assert lunch.ends_after(datetime(2026, 12, 1, 12, 30, tzinfo=CHICAGO), CHICAGO) == datetime(
        2026, 12, 1, 13, 0, tzinfo=CHICAGO
    )
    assert lunch.ends_after(datetime(2026, 12, 1, 11, 59, tzinfo=CHICAGO), CHICAGO) is None
    assert QuietHours.parse("off") is None


@pytest.mark.parametrize("bad", ["", "21:00", "25:00-08:00", "21:00-21:00", "9-8", "21:00-08:60"])
def test_a_bad_window_is_one_clear_error(bad: str) -> None:
    with pytest.raises(ValidationError, match=r"^quiet hours: .* is not a window like 21:00-08:00"):
        QuietHours.parse(bad)


def test_the_recipients_zone_comes_from_a_number_with_one_zone_else_the_team() -> None:
    team = ZoneInfo("Europe/London")
    assert recipient_zone("+13125550199", team) == CHICAGO
    assert recipient_zone("+12065550100", team) == ZoneInfo("America/Los_Angeles")
    assert recipient_zone("+61412345678", team) == team  # an Australian mobile: eight zones
    assert recipient_zone("+18005550100", team) == team  # toll-free: anywhere
    assert recipient_zone("+15550100", team) == team  # one zone, "Etc/Unknown"
    assert recipient_zone(None, team) == team


def test_the_reminder_names_company_agent_time_and_address_and_invites_a_reply_when_two_way() -> None:
    context = {
        "ref": "BK-000042", "service": "Boiler service", "when": "2026-12-01 09:00",
        "ends": "2026-12-01 10:00", "timezone": "America/Chicago", "address": "12 Elm Street",
        "status": "scheduled", "customer_name": "Carla", "agent_name": "Ann Field",
        "recipient_name": "Carla", "company_line": "", "company": "Acme Plumbing",
    }  # fmt: skip
    one_way = render("reminder", two_way=False, **context)
    # The company name opens the text when it is queued, as for every customer SMS
    # (services/notices.customer_texts), so the template itself does not name it.
    assert one_way.sms == (
        "Reminder: Boiler service on 2026-12-01 09:00 with Ann Field at 12 Elm Street (BK-000042)."
    )
    # The reply keywords, like the company name, come around the template's text when it is queued.
    two_way = TeamSettings("America/Chicago", "US", two_way_sms=True, company_name="Acme Plumbing")
    prefix, suffix = sms_frame(two_way, first=False, reminder=True)
    sms = fit(one_way.sms, prefix=prefix, suffix=suffix)
    assert sms == (
        "Acme Plumbing: Reminder: Boiler service on 2026-12-01 09:00 with Ann Field at 12 Elm Street"
        " (BK-000042). Reply C to confirm, R to reschedule"
    )
    assert segments(sms).segments <= 2
    one_way_frame = sms_frame(replace(two_way, two_way_sms=False), first=False, reminder=True)
    assert one_way_frame == ("Acme Plumbing: ", "")
    assert one_way.subject == "Reminder: Booking BK-000042 on 2026-12-01 09:00"
    for part in (one_way.text, one_way.html):
        assert "Ann Field" in part and "12 Elm Street" in part and "Acme Plumbing" in part
