"""The console's side of the input rules: clock changes in the booking form, SMS caps, team zones.

A repeated hour offers both readings, a skipped one says what to type; a refused change says why.
"""

from datetime import UTC, datetime, timedelta

import pytest

from dispatch_desktop.services import bookings, team_settings
from dispatch_desktop.ui.bookings.form import BookingForm
from dispatch_desktop.ui.settings.dialog import SettingsDialog
from dispatch_desktop.ui.shell.welcome import WelcomeDialog
from tests.ui.test_booking_form import _fill, _ready

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

# The team's zone in tests is America/Chicago: clocks go back at 02:00 CDT on 2026-11-01 and
# forward at 02:00 CST on 2026-03-08.
REPEATED = datetime(2026, 11, 1, 1, 30)
SKIPPED = datetime(2026, 3, 8, 2, 30)


def _form(qtbot, console) -> BookingForm:
    form = _ready(qtbot, BookingForm(console))
    qtbot.addWidget(form)
    form.show()
    return form


def test_a_repeated_hour_offers_both_offsets_and_saves_the_one_picked(qtbot, desk, db):
    console = desk()
    form = _form(qtbot, console)
    _fill(form, start=REPEATED, minutes=60)
    choices = [form.offset_choice.itemText(i) for i in range(form.offset_choice.count())]
    assert form.offset_choice.isVisible()
    assert choices == ["01:30 -05:00 (CDT, the first time)", "01:30 -06:00 (CST, the second time)"]
    assert form.messages["start"].text() == "01:30 happens twice on 2026-11-01: pick one below"
    form.offset_choice.setCurrentIndex(1)
    assert form.end_label.text() == "until 02:30"
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    view = saved.args[0]
    assert (view.start, view.end) == (
        datetime(2026, 11, 1, 7, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
    )
    again = _ready(qtbot, BookingForm(console, view))
    qtbot.addWidget(again)
    assert again.offset_choice.currentIndex() == 1  # the stored booking is the second 01:30


def test_an_hour_across_the_change_keeps_its_length(qtbot, desk, db):
    console = desk()
    form = _form(qtbot, console)
    _fill(form, start=datetime(2026, 11, 1, 0, 30), minutes=120)
    assert not form.offset_choice.isVisible()
    assert form.end_label.text() == "until 01:30"  # 00:30 CDT + 2 h = 01:30 CST
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    assert saved.args[0].end - saved.args[0].start == timedelta(hours=2)


def test_a_skipped_time_is_explained_under_start_and_nothing_is_saved(qtbot, desk, db):
    console = desk()
    form = _form(qtbot, console)
    _fill(form, start=SKIPPED)
    assert not form.offset_choice.isVisible()
    expected = "02:30 does not exist on 2026-03-08 (the clocks skip it); type 03:30 instead"
    assert form.messages["start"].text() == expected
    form.save()
    qtbot.waitUntil(lambda: not form.saving, timeout=10_000)
    qtbot.waitUntil(lambda: form.messages["start"].text() == f"start: {expected}", timeout=10_000)
    assert form.messages["start"].isVisible()
    assert bookings.count_bookings(console.ctx, bookings.BookingQuery()) == 0


def test_a_change_over_an_sms_cap_is_refused_in_the_form_with_the_reason(qtbot, desk, db):
    console = desk()
    team_settings.update_team_settings(console.ctx, sms_per_recipient_per_day=1)
    first = _form(qtbot, console)
    _fill(first)
    with qtbot.waitSignal(first.saved, timeout=10_000):
        first.save()
    second = _form(qtbot, console)
    _fill(second, start=datetime(2030, 3, 14, 13, 0))
    second.save()
    qtbot.waitUntil(lambda: not second.saving, timeout=10_000)
    assert second.general.isVisible()
    assert second.general.text().startswith(
        "(312) 555-0150 would get 2 texts within 24 hours, over the team's cap of 1; nothing was saved"
    )
    assert bookings.count_bookings(console.ctx, bookings.BookingQuery()) == 1


def test_the_settings_dialog_offers_only_iana_zones(qtbot, desk):
    dialog = SettingsDialog(desk())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.load_count >= 1, timeout=10_000)
    zones = {dialog.team_page.timezone.itemText(i) for i in range(dialog.team_page.timezone.count())}
    assert "America/Chicago" in zones and "UTC" in zones
    assert not zones & {"localtime", "Factory"}


def test_first_run_with_a_mixed_case_login_adds_its_lowercase_username(qtbot, desk):
    console = desk("JSmith")
    welcome = WelcomeDialog(console)
    qtbot.addWidget(welcome)
    assert welcome.username.text() == "jsmith"
    welcome.name.setText("Jane Smith")  # the OS account may have no full name to pre-fill
    welcome.add_button.click()
    qtbot.waitUntil(lambda: welcome.pages.currentIndex() == 1, timeout=10_000)
    assert (console.actor.username, console.actor.role) == ("jsmith", "supervisor")
