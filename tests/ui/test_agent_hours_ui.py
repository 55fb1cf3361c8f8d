"""Issue 17 in the console: the agent dialog's hours and skills, the board's grey off hours, the
booking form's agent order with its reasons, and "Book anyway?" before an override."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QRectF, QTime

from dispatch_desktop.services import agents, audit, availability, bookings
from dispatch_desktop.services.bookings import ENTITY
from dispatch_desktop.ui.board.page import BoardPage
from dispatch_desktop.ui.board.scene import ROW_HEIGHT
from dispatch_desktop.ui.bookings.form import BookingForm
from dispatch_desktop.ui.people.agents import AgentsPage
from tests.conftest import TEST_TIMEZONE
from tests.ui._support import OFFSCREEN_NOISE, boss_console, make_console  # noqa: F401 - fixtures

pytestmark = OFFSCREEN_NOISE
ZONE = ZoneInfo(TEST_TIMEZONE)
TUESDAY = datetime(2030, 3, 12, tzinfo=ZONE)
SATURDAY = datetime(2030, 3, 16, 10, 0, tzinfo=ZONE)


def _save(dialog) -> None:
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()


def test_the_dialog_saves_hours_and_skills_and_shows_them_again(qtbot, make_console):  # noqa: F811
    console = make_console("dispatcher")
    page = AgentsPage(console)
    qtbot.addWidget(page)
    dialog = page.add()
    qtbot.waitUntil(lambda: dialog.team_day_shown)
    # A new agent starts from the team's working day (07:00-19:00), Monday to Friday.
    assert [row.works.isChecked() for row in dialog.hours.rows] == [True] * 5 + [False] * 2
    assert dialog.hours.rows[0].starts.time() == QTime(7, 0)
    dialog.name.setText("Ann Field")
    dialog.phone.setText("(312) 555-0101")
    dialog.email.setText("ann@example.com")
    monday = dialog.hours.rows[0]
    monday.starts.setTime(QTime(8, 0))
    monday.ends.setTime(QTime(17, 0))
    dialog.hours.copy_button.click()
    saturday = dialog.hours.rows[5]
    saturday.works.setChecked(True)
    saturday.starts.setTime(QTime(9, 0))
    saturday.ends.setTime(QTime(13, 0))
    dialog.skills.setText("Boiler, electric")
    _save(dialog)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    [ann] = agents.list_agents(console.ctx)
    assert (ann.hours, ann.skills) == ("mon-fri 08:00-17:00,sat 09:00-13:00", ("boiler", "electric"))

    page.select_agent(ann.id)
    dialog = page.edit_selected()
    assert not dialog.hours.any_time.isChecked()
    assert [row.works.isChecked() for row in dialog.hours.rows] == [True] * 6 + [False]
    assert dialog.hours.rows[5].ends.time() == QTime(13, 0)
    assert dialog.skills.text() == "boiler, electric"
    dialog.hours.rows[2].ends.setTime(QTime(7, 0))  # Wednesday now ends before it starts
    _save(dialog)
    assert dialog.message.text() == "Wednesday ends before it starts"
    assert agents.get_agent(console.ctx, ann.id).hours == ann.hours


def test_an_agent_without_hours_keeps_any_time(qtbot, boss_console):  # noqa: F811
    agents.add_agent(boss_console.ctx, name="Old Timer", phone="+13125550102", email="o@example.com")
    page = AgentsPage(boss_console)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.select_agent(agents.list_agents(boss_console.ctx)[0].id)
    dialog = page.edit_selected()
    qtbot.waitUntil(lambda: dialog.team_day_shown)
    assert dialog.hours.any_time.isChecked() and not dialog.hours.days.isEnabled()
    dialog.email.setText("old@example.com")
    _save(dialog)
    qtbot.waitUntil(lambda: agents.list_agents(boss_console.ctx)[0].email == "old@example.com")
    assert agents.list_agents(boss_console.ctx)[0].hours == ""


def test_the_dialog_is_not_clipped_at_1024_by_700(qtbot, boss_console):  # noqa: F811
    page = AgentsPage(boss_console)
    qtbot.addWidget(page)
    dialog = page.add()
    qtbot.waitExposed(dialog)
    hint = dialog.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 700
    assert dialog.height() >= hint.height() and dialog.width() >= hint.width()


def test_the_board_greys_each_agents_off_hours(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    agents.add_agent(
        ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com", hours="mon-fri 08:00-17:00"
    )
    agents.add_agent(ctx, name="Ben Okafor", phone="+13125550103", email="ben@example.com")  # any time
    page = BoardPage(boss_console)
    page.clock = lambda: TUESDAY.replace(hour=10).astimezone(UTC)
    page.set_day(TUESDAY.date())
    qtbot.addWidget(page)
    page.resize(1200, 500)
    qtbot.waitUntil(lambda: page.data is not None and page.data.day == TUESDAY.date())
    geometry = page.view.geometry_
    top = geometry.y_of_row(0)

    def x(hour: int) -> float:
        return geometry.x_of((TUESDAY + timedelta(hours=hour)).astimezone(UTC))

    assert page.view.off_hours == [
        QRectF(x(0), top, x(8) - x(0), ROW_HEIGHT),
        QRectF(x(17), top, x(24) - x(17), ROW_HEIGHT),
    ]


def test_the_picker_sorts_free_skilled_agents_in_their_hours_first(qtbot, desk, db):
    console = desk()
    ctx = console.ctx
    availability.set_service_skill(ctx, "Boiler service", "boiler")
    weekdays = agents.add_agent(
        ctx, name="Ann Field", phone="+13125550101", email="a@example.com", hours="mon-fri 08:00-17:00"
    )
    unskilled = agents.add_agent(
        ctx, name="Bo Jones", phone="+13125550102", email="b@example.com", skills="gas"
    )
    fit = agents.add_agent(
        ctx,
        name="Cy Young",
        phone="+13125550103",
        email="c@example.com",
        hours="sat 08:00-12:00",
        skills="boiler",
    )
    form = BookingForm(console)
    qtbot.addWidget(form)
    qtbot.waitUntil(lambda: form.ready, timeout=10_000)
    form.service.setText("Boiler service")
    form.start.set_value(SATURDAY.replace(tzinfo=None))
    form.duration.setValue(60)
    qtbot.waitUntil(lambda: len(form.agent.agent_states()) == 3, timeout=10_000)
    qtbot.waitUntil(lambda: "skill" in form.agent.itemText(2), timeout=10_000)
    labels = [form.agent.itemText(i) for i in range(1, form.agent.count())]
    assert labels == [
        "Cy Young — free",
        "Ann Field — free · off Sat · no boiler skill",
        "Bo Jones — free · no boiler skill",
    ]
    assert [form.agent.itemData(i) for i in range(1, 4)] == [fit.id, weekdays.id, unskilled.id]
    form.agent.select_agent(weekdays.id)
    assert form.agent_state.text() == "off Sat, no boiler skill for this agent; saving asks to book anyway."


def test_a_save_that_warns_asks_book_anyway_and_yes_is_audited(qtbot, desk, db):
    console = desk("sam", "dispatcher")
    ctx = console.ctx
    ann = agents.add_agent(
        ctx, name="Ann Field", phone="+13125550101", email="a@example.com", hours="mon-fri 08:00-17:00"
    )
    form = BookingForm(console)
    qtbot.addWidget(form)
    qtbot.waitUntil(lambda: form.ready, timeout=10_000)
    form.phone.setText("(312) 555-0150")
    form.phone.editingFinished.emit()
    form.name.setText("Nadia Flores")
    form.email.setText("nadia@example.com")
    form.address.setText("2200 N Clark St, Chicago, IL")
    form.service.setText("Boiler service")
    form.start.set_value(SATURDAY.replace(tzinfo=None))
    form.duration.setValue(60)
    qtbot.waitUntil(lambda: ann.id in form.agent.agent_states(), timeout=10_000)
    form.agent.select_agent(ann.id)
    form.save()
    qtbot.waitUntil(lambda: form.book_anyway_question is not None, timeout=10_000)
    box = form.book_anyway_question
    assert box.windowTitle() == "Book anyway?"
    assert box.text().startswith("Ann Field does not work Saturdays\n")
    assert box.defaultButton().text() == "&Go back"
    assert bookings.count_bookings(ctx, bookings.BookingQuery()) == 0  # nothing saved yet
    [book] = [b for b in box.buttons() if b.text() == "&Book anyway"]
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        book.click()
    booking = saved.args[0]
    assert booking.agent_name == "Ann Field"
    first = audit.history(ctx, ENTITY, booking.id)[0]
    assert (first.action, first.new_value, first.actor) == ("override", "outside Ann Field's hours", "sam")


def test_a_board_drop_that_warns_asks_and_yes_assigns_with_the_override(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ann = agents.add_agent(
        ctx, name="Ann Field", phone="+13125550101", email="a@example.com", hours="mon-fri 08:00-17:00"
    )
    pending = bookings.create_booking(
        ctx,
        customer_name="Maya Chen",
        customer_phone="+13125550111",
        customer_email=None,
        address="12 Elm St",
        service="Boiler service",
        start=SATURDAY,
        end=SATURDAY + timedelta(hours=1),
    )
    page = BoardPage(boss_console)
    page.set_day(SATURDAY.date())
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.data is not None and page.data.day == SATURDAY.date())
    page.drop_booking(pending.id, ann.id, None)
    qtbot.waitUntil(lambda: page.book_anyway_question is not None, timeout=10_000)
    box = page.book_anyway_question
    assert box.text().startswith("Ann Field does not work Saturdays\n")
    assert bookings.get_booking(ctx, pending.id).agent_id is None  # refused until the answer
    [book] = [b for b in box.buttons() if b.text() == "&Book anyway"]
    with qtbot.waitSignal(page.moved, timeout=10_000):
        book.click()
    assert bookings.get_booking(ctx, pending.id).agent_name == "Ann Field"
    rows = [(e.action, e.field, e.new_value) for e in audit.history(ctx, ENTITY, pending.id)]
    assert ("override", "booked", "outside Ann Field's hours") in rows
    assert ("assigned", "agent", "Ann Field") in rows
