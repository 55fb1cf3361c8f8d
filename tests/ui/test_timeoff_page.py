"""Time-off page: pending first, request, deny with reason, approve after seeing the clashing bookings."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt

from dispatch_desktop.services import agents, bookings, timeoff
from dispatch_desktop.ui.timeoff.page import TimeOffPage
from tests.conftest import TEST_TIMEZONE
from tests.ui._support import OFFSCREEN_NOISE, boss_console, make_console  # noqa: F401 - fixtures

pytestmark = OFFSCREEN_NOISE
ZONE = ZoneInfo(TEST_TIMEZONE)
DAY = datetime(2030, 3, 12, tzinfo=ZONE)


def at(hour: int) -> datetime:
    return DAY.replace(hour=hour)


def _people(ctx):
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    ben = agents.add_agent(ctx, name="Ben Okafor", phone="+13125550102", email="ben@example.com")
    return ana, ben


def _book(ctx, agent_id, start, name="Maya Chen", phone="+13125550111"):
    return bookings.create_booking(
        ctx,
        customer_name=name,
        customer_phone=phone,
        customer_email=None,
        address="12 Elm St",
        service="Boiler service",
        start=start,
        end=start + timedelta(hours=1),
        agent_id=agent_id,
    )


def _page(qtbot, console) -> TimeOffPage:
    page = TimeOffPage(console)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.loaded >= 1)
    return page


def test_pending_requests_come_first_and_in_bold(qtbot, qtmodeltester, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana, ben = _people(ctx)
    decided = timeoff.request_time_off(ctx, agent_id=ana.id, start=at(8), end=at(12))
    timeoff.deny_time_off(ctx, decided.id, reason="peak week")
    timeoff.request_time_off(ctx, agent_id=ben.id, start=at(13), end=at(17), reason="dentist")
    page = _page(qtbot, boss_console)
    qtmodeltester.check(page.model)
    assert [r.status for r in page.model.records()] == ["pending", "denied"]
    assert page.model.index(0, 0).data() == "Ben Okafor"
    assert page.model.index(0, 1).data() == "Tue 2030-03-12 13:00"
    assert page.model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert page.model.index(1, 6).data() == "peak week"


def test_request_form_creates_a_pending_request(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    _people(ctx)
    page = _page(qtbot, boss_console)
    dialog = page.request()
    dialog.agent.setCurrentIndex(dialog.agent.findText("Ben Okafor"))
    dialog.set_times(at(9), at(18))
    dialog.reason.setText("moving house")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    [request] = timeoff.list_time_off(ctx)
    assert (request.agent_name, request.start, request.end, request.reason, request.status) == (
        "Ben Okafor",
        at(9).astimezone(UTC),
        at(18).astimezone(UTC),
        "moving house",
        "pending",
    )

    dialog = page.request()
    dialog.set_times(at(18), at(9))
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: dialog.message.is_error)
    assert dialog.message.text() == "end must be after start"
    dialog.reject()


def test_deny_with_reason(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana, _ = _people(ctx)
    request = timeoff.request_time_off(ctx, agent_id=ana.id, start=at(8), end=at(12))
    page = _page(qtbot, boss_console)
    page.select_request(request.id)
    dialog = page.deny_selected()
    dialog.reason.setText("peak week")
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.model.record(0).status == "denied")
    assert timeoff.get_time_off(ctx, request.id).decision_reason == "peak week"
    assert page.message.text() == "Denied time off for Ana Ruiz."


def test_withdraw_a_pending_request(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana, _ = _people(ctx)
    request = timeoff.request_time_off(ctx, agent_id=ana.id, start=at(8), end=at(12))
    page = _page(qtbot, boss_console)
    page.select_request(request.id)
    page.withdraw_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.model.record(0).status == "cancelled")
    assert page.message.text() == "Withdrew the time-off request of Ana Ruiz."
    assert not page.withdraw_button.isEnabled()


def test_approve_dialog_lists_clashing_bookings_and_reassigns_them(qtbot, qtmodeltester, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana, ben = _people(ctx)
    first = _book(ctx, ana.id, at(9))
    second = _book(ctx, ana.id, at(14), name="Raj Patel", phone="+13125550112")
    _book(ctx, ben.id, at(14), name="Liam Walsh", phone="+13125550113")
    request = timeoff.request_time_off(ctx, agent_id=ana.id, start=at(8), end=at(18), reason="dentist")
    page = _page(qtbot, boss_console)
    page.select_request(request.id)
    dialog = page.approve_selected()
    qtbot.waitUntil(lambda: dialog.loaded >= 1)
    qtmodeltester.check(dialog.model)

    assert [dialog.model.index(r, 0).data() for r in range(2)] == [first.reference, second.reference]
    assert dialog.model.index(1, 3).data() == "Raj Patel"
    assert dialog.conflict_label.text().startswith("Ana Ruiz has 2 bookings in that time.")
    assert not dialog.approve_button.isEnabled()
    assert dialog.force_button.isVisibleTo(dialog)

    # Ben is free at 09:00: the first booking goes to him.
    qtbot.waitUntil(lambda: dialog.reassign_to.currentData() == ben.id)
    dialog.reassign_button.click()
    qtbot.waitUntil(lambda: dialog.loaded >= 2)
    assert bookings.get_booking(ctx, first.id).agent_name == "Ben Okafor"
    assert [b.id for b in dialog.model.records()] == [second.id]

    # At 14:00 Ben is busy: he is listed with the reason but cannot be chosen.
    qtbot.waitUntil(lambda: dialog.reassign_to.count() == 1)
    assert dialog.reassign_to.itemText(0).startswith("Ben Okafor — busy (BK-")
    assert not dialog.reassign_button.isEnabled()

    with qtbot.waitSignal(dialog.decided, timeout=5000):
        dialog.force_button.click()
    assert not dialog.isVisible()
    assert timeoff.get_time_off(ctx, request.id).status == "approved"
    assert bookings.get_booking(ctx, second.id).agent_id == ana.id


def test_refused_approval_shows_the_reason(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana, _ = _people(ctx)
    request = timeoff.request_time_off(ctx, agent_id=ana.id, start=at(8), end=at(18))
    page = _page(qtbot, boss_console)
    page.select_request(request.id)
    dialog = page.approve_selected()
    qtbot.waitUntil(lambda: dialog.loaded >= 1)
    assert dialog.conflict_label.text() == "No bookings clash with this time off."
    assert dialog.approve_button.isEnabled()
    # Someone books Ana meanwhile: the approval is refused with the booking named.
    clash = _book(ctx, ana.id, at(10))
    dialog.approve_button.click()
    qtbot.waitUntil(lambda: dialog.message.is_error)
    assert dialog.message.text().startswith(
        "Ana Ruiz has 1 active booking(s) in that time: " + clash.reference
    )
    qtbot.waitUntil(lambda: dialog.loaded >= 2)
    assert [b.id for b in dialog.model.records()] == [clash.id]
    dialog.reject()


def test_call_center_sees_time_off_read_only(qtbot, make_console):  # noqa: F811
    console = make_console("call-center")
    page = _page(qtbot, console)
    page.show()
    assert not page.request_button.isVisible()
    assert not page.approve_button.isVisible()
    assert page.message.text() == "Time off is read-only for your role."


def test_with_every_agent_busy_the_reassign_list_says_so(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana, ben = _people(ctx)
    _book(ctx, ana.id, at(9))
    _book(ctx, ben.id, at(9), name="Liam Walsh", phone="+13125550113")
    request = timeoff.request_time_off(ctx, agent_id=ana.id, start=at(8), end=at(12))
    page = _page(qtbot, boss_console)
    page.select_request(request.id)
    dialog = page.approve_selected()
    qtbot.waitUntil(lambda: dialog.loaded >= 1)
    assert dialog.conflict_label.text().startswith("Ana Ruiz has 1 booking in that time.")
    qtbot.waitUntil(lambda: dialog.reassign_to.count() == 1)
    assert dialog.reassign_to.currentIndex() == -1
    assert dialog.reassign_to.placeholderText() == "No agent is free then"
    assert not dialog.reassign_to.isEnabled()
    assert not dialog.reassign_button.isEnabled()
    assert dialog.reassign_button.toolTip() == "No other agent is free at this booking's time."
    dialog.reject()
