"""What a call-taker types into the date and time fields, read by domain/time_entry.py."""

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch_desktop.domain import time_entry

TODAY = date(2026, 12, 1)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
clocks = st.times().map(lambda moment: moment.replace(second=0, microsecond=0))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("t", TODAY),
        (" T ", TODAY),
        ("today", TODAY),
        ("+1", date(2026, 12, 2)),
        ("+31", date(2027, 1, 1)),
        ("2026-12-03", date(2026, 12, 3)),
        ("Thu 2026-12-03", date(2026, 12, 3)),
        ("12/3", date(2026, 12, 3)),
        ("11/30", date(2027, 11, 30)),  # passed this year: next year's
        ("2/29", date(2028, 2, 29)),
        ("", None),
        ("tomorrowish", None),
        ("2026-02-30", None),
        ("13/1", None),
        ("+", None),
    ],
)
def test_date_shortcuts(typed, expected):
    assert time_entry.parse_date(typed, TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("10", time(10, 0)),
        ("7", time(7, 0)),
        ("10:30", time(10, 30)),
        ("1030", time(10, 30)),
        ("2p", time(14, 0)),
        ("2pm", time(14, 0)),
        ("2:30p", time(14, 30)),
        ("2:30 PM", time(14, 30)),
        ("12p", time(12, 0)),
        ("12a", time(0, 0)),
        ("0", time(0, 0)),
        ("23:59", time(23, 59)),
        ("24", None),
        ("10:60", None),
        ("13p", None),
        ("0a", None),
        ("ten", None),
        ("", None),
        ("10:3", None),
    ],
)
def test_time_shortcuts(typed, expected):
    assert time_entry.parse_time(typed) == expected


@given(days, days)
def test_a_date_as_the_field_shows_it_reads_back_as_itself(day, today):
    assert time_entry.parse_date(time_entry.date_text(day), today) == day


@given(clocks)
def test_a_time_as_the_field_shows_it_reads_back_as_itself(clock):
    assert time_entry.parse_time(time_entry.time_text(clock)) == clock


@given(days, st.integers(min_value=0, max_value=999))
def test_plus_n_is_n_days_on(today, n):
    assert time_entry.parse_date(f"+{n}", today) == today + timedelta(days=n)


@given(st.integers(min_value=1, max_value=12), st.integers(min_value=0, max_value=59), st.sampled_from("ap"))
def test_twelve_hour_times_are_the_twenty_four_hour_clock_they_mean(hour, minute, half):
    parsed = time_entry.parse_time(f"{hour}:{minute:02d}{half}")
    assert parsed is not None
    assert parsed.minute == minute
    assert parsed.hour == (hour % 12) + (12 if half == "p" else 0)


@given(st.text(max_size=12))
def test_any_text_reads_as_a_time_of_day_or_nothing(typed):
    parsed = time_entry.parse_time(typed)
    assert parsed is None or isinstance(parsed, time)


@given(st.text(max_size=14), days)
def test_any_text_reads_as_a_date_or_nothing(typed, today):
    parsed = time_entry.parse_date(typed, today)
    assert parsed is None or isinstance(parsed, date)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)))
def test_the_suggested_start_is_the_next_quarter_hour_ahead(now):
    start = time_entry.next_quarter_hour(now)
    assert start > now and start - now <= timedelta(minutes=15)
    assert start.minute % 15 == 0 and start.second == 0 and start.microsecond == 0
