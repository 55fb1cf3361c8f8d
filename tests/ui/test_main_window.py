"""The main window as each role sees it: tabs, menus, shortcuts, status bar, first run."""

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtGui import QKeySequence
from sqlalchemy import update

from dispatch_desktop.domain.errors import PermissionDeniedError
from dispatch_desktop.domain.outbox import OutboxStatus
from dispatch_desktop.domain.statuses import BookingStatus, allowed_next
from dispatch_desktop.services import agents, bookings, operators
from dispatch_desktop.services.bookings import BookingQuery
from dispatch_desktop.storage.models import OutboxMessage
from dispatch_desktop.ui.bookings.assign_dialog import AssignDialog
from dispatch_desktop.ui.bookings.history_dialog import HistoryDialog
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.reason_dialog import ReasonDialog
from dispatch_desktop.ui.shell.main_window import MainWindow
from tests.ui.conftest import drain

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

START = datetime(2030, 3, 14, 9, 0)


def _window(qtbot, console, **options) -> MainWindow:
    options = {"live_refresh": False, "deliver": False, "first_run_check": False} | options
    window = MainWindow(console, **options)
    qtbot.addWidget(window, before_close_func=lambda _w: drain())
    qtbot.waitUntil(lambda: window.bookings_page.model.loads >= 1, timeout=10_000)
    return window


def _booking(ctx, phone="+13125550150", agent_id=None):
    return bookings.create_booking(
        ctx,
        customer_name="Nadia Flores",
        customer_phone=phone,
        customer_email=None,
        address="2200 N Clark St",
        service="Boiler",
        start=START,
        end=START + timedelta(hours=1),
        agent_id=agent_id,
    )


def test_title_and_status_bar_say_who_works_on_which_database(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    window = _window(qtbot, console)
    # Qt adds " — Dispatch Desktop" itself (the application's display name): the title bar read
    # "Dispatch Desktop — … — Dispatch Desktop" while the title named it too.
    assert window.windowTitle() == f"Dispatcher Person (dispatcher) — {db.description}"
    assert window.status_bar.database_label.text() == db.description
    expected = "SQLite " if db.is_sqlite else "PostgreSQL 127.0.0.1"
    assert window.status_bar.database_label.text().startswith(expected)
    assert window.status_bar.operator_label.text() == "Dispatcher Person (dana) · dispatcher"
    qtbot.waitUntil(lambda: window.status_bar.outbox_counts is not None, timeout=10_000)
    assert window.status_bar.outbox_label.text() == "Outbox: 0 queued · 0 retry · 0 failed"
    assert window.status_bar.badge.text() == "DEV"
    assert window.status_bar.badge.property("production") is False


def test_outbox_counts_follow_new_bookings(qtbot, desk, db):
    console = desk()
    window = _window(qtbot, console)
    qtbot.waitUntil(lambda: window.status_bar.outbox_counts is not None, timeout=10_000)
    _booking(console.ctx)
    console.ops.changed.emit(Change.BOOKINGS)
    qtbot.waitUntil(
        lambda: window.status_bar.outbox_label.text().startswith("Outbox: 1 queued"), timeout=10_000
    )


def test_the_status_bar_shows_held_customer_notices_and_when_the_next_goes(qtbot, desk, db):
    from dispatch_desktop.services.team_settings import update_team_settings

    console = desk()
    update_team_settings(console.ctx, customer_hold_seconds=60)
    window = _window(qtbot, console)
    booking = _booking(console.ctx)
    bookings.reschedule_booking(
        console.ctx, booking.id, start=START + timedelta(hours=2), end=START + timedelta(hours=3)
    )
    console.ops.changed.emit(Change.BOOKINGS)
    qtbot.waitUntil(lambda: " · 1 held, next at " in window.status_bar.outbox_label.text(), timeout=10_000)
    held_text = window.status_bar.outbox_label.text().split(" · 1 held, next at ")[1]
    assert datetime.strptime(held_text, "%Y-%m-%d %H:%M")  # the team's local time


def test_held_notices_past_their_time_read_due_since(qtbot, desk, db):
    from dispatch_desktop.services.team_settings import update_team_settings

    console = desk()
    update_team_settings(console.ctx, customer_hold_seconds=60)
    window = _window(qtbot, console)
    booking = _booking(console.ctx)
    bookings.reschedule_booking(
        console.ctx, booking.id, start=START + timedelta(hours=2), end=START + timedelta(hours=3)
    )
    with db.write() as session:  # their time came while no notifier ran
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.HELD)
            .values(next_attempt_at=datetime.now(UTC) - timedelta(minutes=5))
        )
    console.ops.changed.emit(Change.BOOKINGS)
    qtbot.waitUntil(lambda: " · 1 held, due since " in window.status_bar.outbox_label.text(), timeout=10_000)
    held_text = window.status_bar.outbox_label.text().split(" · 1 held, due since ")[1]
    assert datetime.strptime(held_text, "%Y-%m-%d %H:%M")  # the team's local time


def test_production_is_unmistakable_and_says_flask_env_decided(qtbot, desk, db, monkeypatch):
    monkeypatch.setenv("FLASK_ENV", "production")
    window = _window(qtbot, desk())
    assert window.status_bar.badge.text() == "PROD · set by FLASK_ENV"
    assert window.status_bar.badge.property("production") is True
    assert "#c8102e" in window.status_bar.badge.styleSheet()
    assert "FLASK_ENV" in window.status_bar.badge.toolTip()


def test_development_set_by_flask_env_says_so(qtbot, desk, db, monkeypatch):
    monkeypatch.setenv("FLASK_ENV", "development")
    window = _window(qtbot, desk())
    assert window.status_bar.badge.text() == "DEV · set by FLASK_ENV"
    assert "#c8102e" not in window.status_bar.badge.styleSheet()


def test_a_value_that_looks_like_production_is_development_loudly(qtbot, desk, db, monkeypatch):
    monkeypatch.setenv("FLASK_ENV", "Production ")
    window = _window(qtbot, desk())
    assert window.status_bar.badge.text() == (
        "DEV · FLASK_ENV='Production ' is not 'production': development, nothing is sent"
    )
    assert window.status_bar.badge.property("production") is False
    assert (
        "#b71c1c" in window.status_bar.badge.styleSheet()
        and "#c8102e" not in window.status_bar.badge.styleSheet()
    )


def test_tabs_follow_the_role(qtbot, desk, db):
    supervisor = _window(qtbot, desk())
    assert supervisor.tab_titles()[:2] == ["Bookings", "Call-center entry"]
    assert {"Board", "Time off", "Agents", "Operators"} <= set(supervisor.tab_titles())
    dispatcher = _window(qtbot, desk("dana", "dispatcher"))
    assert "Operators" not in dispatcher.tab_titles()
    assert {"Board", "Time off", "Agents"} <= set(dispatcher.tab_titles())
    call_center = _window(qtbot, desk("carla", "call-center"))
    assert set(call_center.tab_titles()) <= {"Bookings", "Call-center entry", "Board", "Inbox"}
    assert call_center.tabs.currentWidget() is call_center.call_center
    assert not call_center.bookings_page.assign_action.isVisible()
    assert not call_center.commands.settings_action.isEnabled()
    assert not call_center.commands.demo_action.isEnabled()


def test_call_center_staff_are_not_offered_assignment_and_the_service_refuses_it(qtbot, desk, db):
    boss = desk()
    marcus = agents.add_agent(boss.ctx, name="Marcus Hill", phone="+13125550111", email="m@example.com")
    view = _booking(boss.ctx)
    console = desk("carla", "call-center")
    window = _window(qtbot, console)
    menu = window.bookings_page.build_menu(view)
    names = [action.text().replace("&", "") for action in menu.actions()]
    assert not any(name.startswith(("Assign", "Reassign")) for name in names)
    assert "Cancel booking…" in names  # an unassigned booking they may still cancel
    with pytest.raises(PermissionDeniedError):
        bookings.assign_booking(console.ctx, view.id, marcus.id)
    assigned = bookings.assign_booking(boss.ctx, view.id, marcus.id)
    menu = window.bookings_page.build_menu(assigned)
    names = [action.text().replace("&", "") for action in menu.actions() if action.isVisible()]
    assert "Change status" not in names and "Cancel booking…" not in names
    assert not menu.actions()[0].isEnabled()  # Edit: assigned bookings are the dispatchers'


def test_only_allowed_next_statuses_are_offered(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    marcus = agents.add_agent(console.ctx, name="Marcus Hill", phone="+13125550111", email="m@example.com")
    view = _booking(console.ctx, agent_id=marcus.id)
    window = _window(qtbot, console)
    menu = window.bookings_page.build_menu(view)
    status_menu = next(a.menu() for a in menu.actions() if a.menu() is not None)
    offered = {action.data() for action in status_menu.actions()}
    expected = {s.value for s in allowed_next(BookingStatus.SCHEDULED)} - {"cancelled"}
    assert offered == expected
    assert any(a.text().replace("&", "") == "Reassign…" for a in menu.actions())


def test_cancelling_needs_a_reason(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    view = _booking(console.ctx)
    window = _window(qtbot, console)
    dialog = window.bookings_page.change_status(view, BookingStatus.CANCELLED)
    assert isinstance(dialog, ReasonDialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled() and dialog.hint.isVisible()
    dialog.reason.setText("Customer fixed it")
    assert ok.isEnabled()
    ok.click()
    qtbot.waitUntil(lambda: bookings.get_booking(console.ctx, view.id).status == "cancelled", timeout=10_000)
    assert bookings.get_booking(console.ctx, view.id).cancel_reason == "Customer fixed it"
    page = window.bookings_page
    qtbot.waitUntil(lambda: page.model.index(0, 7).data() == "cancelled", timeout=10_000)


def test_assign_dialog_lists_agents_with_availability_and_assigns(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    marcus = agents.add_agent(console.ctx, name="Marcus Hill", phone="+13125550111", email="m@example.com")
    view = _booking(console.ctx)
    window = _window(qtbot, console)
    dialog = window.bookings_page.assign(view)
    assert isinstance(dialog, AssignDialog)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)
    assert dialog.agents.item(0).text() == "Marcus Hill — free"
    dialog.select_agent(marcus.id)
    with qtbot.waitSignal(dialog.assigned, timeout=10_000) as done:
        dialog.accept()
    assert done.args[0].agent_name == "Marcus Hill" and done.args[0].status == "scheduled"


def test_history_shows_the_audit_trail(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    view = _booking(console.ctx)
    bookings.change_status(console.ctx, view.id, "cancelled", reason="Duplicate")
    window = _window(qtbot, console)
    dialog = window.bookings_page.show_history(view.id)
    assert isinstance(dialog, HistoryDialog)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)
    stories = [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]
    assert stories[0] == "Dispatcher Person booked it · customer to be told by SMS"
    assert stories[1] == "Dispatcher Person cancelled it: Duplicate · customer to be told by SMS"


def test_every_frequent_action_has_a_shortcut(qtbot, desk, db):
    window = _window(qtbot, desk())
    assert window.commands.new_booking_action.shortcut() == QKeySequence(QKeySequence.StandardKey.New)
    assert window.commands.find_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Find)
    assert window.commands.next_tab_action.shortcut() == QKeySequence("Ctrl+Tab")
    assert window.commands.previous_tab_action.shortcut() == QKeySequence("Ctrl+Shift+Tab")
    window.show()
    qtbot.waitExposed(window)
    window.commands.next_tab_action.trigger()
    assert window.tabs.currentIndex() == 1
    window.commands.previous_tab_action.trigger()
    window.commands.previous_tab_action.trigger()
    assert window.tabs.currentIndex() == window.tabs.count() - 1
    assert window.commands.page_actions[1].shortcut() == QKeySequence("Alt+2")
    window.commands.page_actions[1].trigger()
    assert window.tabs.currentIndex() == 1
    window.commands.find_action.trigger()
    assert window.tabs.currentWidget() is window.bookings_page
    qtbot.waitUntil(lambda: window.bookings_page.filters.search.hasFocus())
    form = window.new_booking()
    assert form.windowTitle() == "New booking"
    form.reject()


def test_search_box_filters_the_table(qtbot, desk, demo_db):
    window = _window(qtbot, desk())
    page = window.bookings_page
    total = page.model.rowCount()
    assert total == bookings.count_bookings(window.console.ctx, BookingQuery())
    qtbot.keyClicks(page.filters.search, "BK-000003")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    page.filters.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == total, timeout=10_000)
    page.filters.status_filter.setCurrentIndex(page.filters.status_filter.findData("pending"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=10_000)
    page.filters.status_filter.setCurrentIndex(0)
    page.filters.source_filter.setCurrentIndex(page.filters.source_filter.findData("call-center"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 6, timeout=10_000)


def test_first_run_welcome_adds_me_as_supervisor(qtbot, desk, db):
    console = desk("newboss")
    assert console.actor.bootstrap
    window = _window(qtbot, console, first_run_check=True)
    window.show()
    qtbot.waitUntil(lambda: window.welcome is not None and window.welcome.isVisible(), timeout=10_000)
    welcome = window.welcome
    assert welcome.username.text() == "newboss"
    welcome.name.setText("New Boss")
    welcome.add_button.click()
    qtbot.waitUntil(lambda: welcome.pages.currentIndex() == 1, timeout=10_000)
    [me] = operators.list_operators(console.ctx)
    assert (me.username, me.name, me.role) == ("newboss", "New Boss", "supervisor")
    # Enter on the second page does the safe thing: add agents, never load sample data.
    assert welcome.agents_button.isDefault()
    assert not hasattr(welcome, "demo_button")
    assert "--demo" in welcome.demo_hint.text()
    welcome.agents_button.click()
    qtbot.waitUntil(lambda: not welcome.isVisible(), timeout=10_000)
    assert bookings.count_bookings(console.ctx, BookingQuery()) == 0
    assert window.status_bar.operator_label.text() == "New Boss (newboss) · supervisor"
    assert not console.actor.bootstrap


def test_load_demo_data_is_refused_on_a_real_database(qtbot, desk, db):
    console = desk()
    window = _window(qtbot, console)
    window.commands.demo_action.trigger()
    qtbot.waitUntil(lambda: "demo home" in window.statusBar().currentMessage(), timeout=10_000)
    assert (
        window.statusBar()
        .currentMessage()
        .startswith("demo data goes only into the separate demo home; start the console with --demo.")
    )
    assert bookings.count_bookings(console.ctx, BookingQuery()) == 0
    assert agents.list_agents(console.ctx) == []
    assert window.commands.demo_action.isEnabled()


def test_the_demo_home_is_the_only_home_demo_data_goes_into(db, tmp_path, monkeypatch):
    from dispatch_desktop.domain.errors import ConflictError
    from dispatch_desktop.services import demo
    from dispatch_desktop.services.context import ServiceContext
    from dispatch_desktop.services.workstation import demo_home, is_demo_home

    monkeypatch.delenv("DISPATCH_DEMO_HOME", raising=False)
    assert is_demo_home(demo_home(tmp_path)) and not is_demo_home(tmp_path)
    ctx = ServiceContext(db, "boss")
    with pytest.raises(ConflictError, match="--demo"):
        demo.load_into_demo_home(ctx, tmp_path, os_name="Boss Person")
    assert bookings.count_bookings(ctx, BookingQuery()) == 0
    summary = demo.load_into_demo_home(ctx, demo_home(tmp_path), os_name="Boss Person")
    assert summary.bookings > 30


def test_no_welcome_once_operators_exist(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    window = _window(qtbot, console, first_run_check=True)
    window.show()
    qtbot.wait(300)
    assert window.welcome is None


def test_supervisors_open_settings_from_the_menu_and_the_badge_follows(qtbot, desk, db):
    window = _window(qtbot, desk())
    assert window.commands.settings_action.isEnabled()
    dialog = window.open_settings()
    assert dialog is not None and dialog.isVisible()
    window.console.config.environment = "production"  # what saving the settings dialog does
    dialog.reject()
    qtbot.waitUntil(lambda: window.status_bar.badge.property("production") is True, timeout=5_000)
    assert window.status_bar.badge.text() == "PROD — messages are sent to customers"
    assert "config file" in window.status_bar.badge.toolTip()


def test_the_window_reopens_as_it_was_left(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    window = _window(qtbot, console)
    window.show()
    window.resize(640, 480)  # the offscreen screen is 800x600; restoring keeps windows on screen
    window.show_page("agents")
    window.close()
    assert (console.home / "window.ini").exists()
    again = _window(qtbot, console)
    assert again.tabs.currentWidget() is again.pages["agents"]
    assert again.size().height() == 480  # (the width is held at the minimum the filters need)


def test_the_table_works_from_the_keyboard(qtbot, desk, db):
    from PySide6.QtCore import Qt

    from dispatch_desktop.ui.bookings.form import BookingForm

    console = desk("dana", "dispatcher")
    agents.add_agent(console.ctx, name="Marcus Hill", phone="+13125550111", email="m@example.com")
    view = _booking(console.ctx)
    window = _window(qtbot, console)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)  # rows can now be there before the focus
    page = window.bookings_page
    qtbot.waitUntil(lambda: page.model.index(0, 0).data() == view.reference, timeout=10_000)
    page.select_booking(view.id)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: any(isinstance(d, AssignDialog) and d.isVisible() for d in page.dialogs.open), timeout=10_000
    )
    next(d for d in page.dialogs.open if isinstance(d, AssignDialog)).reject()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: any(isinstance(d, BookingForm) and d.isVisible() for d in page.dialogs.open), timeout=10_000
    )
    form = next(d for d in page.dialogs.open if isinstance(d, BookingForm))
    qtbot.waitUntil(lambda: form.ready, timeout=10_000)
    assert form.name.text() == "Nadia Flores"
    qtbot.keyClick(form.name, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=5_000)


def test_the_badge_names_an_smtp_password_without_tls_once_the_keyring_answers(qtbot, desk, db, monkeypatch):
    from dataclasses import replace

    from dispatch_desktop.config import Config, SmtpConfig

    monkeypatch.setenv("SMTP_PASSWORD", "pw-123456")
    smtp = SmtpConfig(host="mail.example.com", port=25, user="me", from_address="me@example.com")
    smtp = replace(smtp, starttls=False, allow_plaintext_auth=True)
    window = _window(qtbot, desk(config=Config(smtp=smtp)))
    assert window.status_bar.badge.text().startswith("DEV")  # at once, before the keyring is read
    qtbot.waitUntil(
        lambda: window.status_bar.badge.text() == "DEV · SMTP password without TLS", timeout=10_000
    )
    assert "#b71c1c" in window.status_bar.badge.styleSheet()


def test_a_tab_is_built_when_first_shown_in_its_place_and_keeps_working(qtbot, desk, db):
    from dispatch_desktop.ui.board.page import BoardPage
    from dispatch_desktop.ui.shell.lazy_tab import LazyTab

    window = _window(qtbot, desk("dana", "dispatcher"))
    window.show()
    qtbot.waitExposed(window)
    titles = window.tab_titles()
    index = titles.index("Board")
    assert "board" not in window.pages
    assert isinstance(window.tabs.widget(index), LazyTab)
    window.go_tab(index)
    board = window.pages["board"]
    assert isinstance(board, BoardPage)
    assert window.tabs.currentWidget() is board and window.tabs.indexOf(board) == index
    assert window.tab_titles() == titles
    qtbot.waitUntil(lambda: board.data is not None, timeout=10_000)
    window.go_tab(0)
    assert window.show_page("board") and window.pages["board"] is board
