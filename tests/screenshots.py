"""Render the console's main views with demo data and save them as PNGs.

    python -m tests.screenshots docs/screenshots
    python -m tests.screenshots docs/screenshots settings   # only the named shots

Runs offscreen (or under Xvfb when DISPLAY is set). To add a view, append a `Shot` to SHOTS:
its `take(window)` gets the main window on the demo database and returns the widget to grab
(after putting it in the state worth showing).
"""

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("FLASK_ENV", None)

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from dispatch_desktop.config import Config
from dispatch_desktop.domain.errors import ConflictError
from dispatch_desktop.services import agents, availability, bookings, demo, team_settings, templates, timeoff
from dispatch_desktop.services.board import business_today
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import AgentView, BookingView
from dispatch_desktop.services.workstation import deliver_outbox, delivery_policy, open_database_url
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.operations import Operations
from dispatch_desktop.ui.shell.app import make_application
from dispatch_desktop.ui.shell.main_window import MainWindow

WINDOW_SIZE = (1440, 900)
TIMEZONE = "America/Chicago"


@dataclass(frozen=True)
class Shot:
    name: str
    take: Callable[[MainWindow], QWidget]


def settle(seconds: float = 0.6, until: Callable[[], bool] | None = None, timeout: float = 15.0) -> None:
    """Let background work land: until `until()` holds (or timeout), then `seconds` more."""
    deadline = time.monotonic() + timeout
    while until is not None and not until() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.02)


def bookings_tab(window: MainWindow) -> QWidget:
    window.show_page("bookings")
    page = window.bookings_page
    page.show_today()
    settle(1.0, lambda: page.model.rowCount() > 0 and page.model.index(0, 0).data() != "…")
    ids = page.model.ids
    if len(ids) > 12:
        page.select_booking(ids[12])
    settle(0.5)
    return window


def booking_form(window: MainWindow) -> QWidget:
    window.show_page("bookings")
    page = window.bookings_page
    settle(0.2, lambda: page.model.rowCount() > 0)
    view = next(
        (v for v in (page.model.cached(i) for i in page.model.ids) if v and v.status == "pending"), None
    )
    form = page.edit_booking(view) if view is not None else page.new_booking()
    assert form is not None
    settle(1.2, lambda: form.ready and form.availability_loads > 0)
    # Show what the picker tells before saving: this agent is busy at that time.
    busy = next((agent for agent, state in form.agent.agent_states().items() if state == "busy"), None)
    if busy is not None:
        form.agent.select_agent(busy)
    settle(0.3)
    return form


def call_center(window: MainWindow) -> QWidget:
    window.show_page("call_center")
    panel = window.call_center
    settle(0.3, lambda: panel.settings is not None)
    panel.phone.setText("(312) 555-0142")
    panel.name.setText("Maria Lopez")
    panel.email.setText("maria.lopez@example.com")
    panel.address.setText("1200 W Belmont Ave, Chicago, IL")
    panel.service.setText("No hot water since this morning")
    panel.save()
    settle(0.3, lambda: panel.last_saved is not None)
    deliver_outbox(window.console.ctx, window.console.config)
    window.console.ops.changed.emit(Change.OUTBOX)
    settle(2.0, lambda: "logged" in panel.result.text())
    panel.phone.setText("(773) 555-0007")
    panel.phone.editingFinished.emit()
    settle(0.8)
    return window


def returning_caller(window: MainWindow) -> QWidget:
    """A returning caller typed in with real keys: filled in from the phone, their bookings listed."""
    window.show_page("call_center")
    panel = window.call_center
    panel.clear()
    window.activateWindow()  # keys and focus changes reach the active window only
    settle(0.3, lambda: panel.settings is not None and QApplication.activeWindow() is window)
    panel.phone.setFocus()
    QTest.keyClicks(panel.phone, "7735550007")
    QTest.keyClick(panel.phone, Qt.Key.Key_Return)
    settle(0.5, lambda: QApplication.focusWidget() is panel.service and panel.name.text() != "")
    QTest.keyClicks(panel.service, "Radiator still cold")
    settle(0.3)
    return window


def board(window: QWidget) -> QWidget:
    window.show_page("board")  # type: ignore[attr-defined]
    page = window.pages["board"]  # type: ignore[attr-defined]
    if page.week_mode:  # a week shot before this one left the board on the week
        page.week_button.click()
    page.go_today()
    settle(1.0, lambda: page.data is not None and page.load_count > 0)
    return window


def board_at_300(window: QWidget, size: tuple[int, int] = WINDOW_SIZE) -> QWidget:
    """Tomorrow's board with 300 half-hour jobs over 25 agents, at the default (working hours) zoom,
    in a window of `size`."""
    console = window.console  # type: ignore[attr-defined]
    ctx = console.ctx
    day = business_today(ctx) + timedelta(days=1)
    begin = datetime.combine(day, clock_time(0), tzinfo=ctx.team_settings().zone)
    booked = bookings.list_bookings(
        ctx, bookings.BookingQuery(start_from=begin, start_to=begin + timedelta(days=1))
    )
    if len(booked) < 300:  # the first of the 300-booking shots books them
        fill_day(ctx, big_team(ctx), day, 300, lambda _made: 30)
    console.ops.changed.emit(Change.BOOKINGS)
    window.resize(*size)
    window.show_page("board")  # type: ignore[attr-defined]
    page = window.pages["board"]  # type: ignore[attr-defined]
    page.set_day(day)
    settle(1.5, lambda: page.data is not None and page.data.day == day)
    page.working_hours()
    settle(0.5)
    return window


def big_team(ctx: ServiceContext) -> list[AgentView]:
    """The demo's active agents and more, 25 in all, with SMS caps that let hundreds of jobs be booked."""
    team = [a for a in agents.list_agents(ctx) if a.active]
    for i in range(len(team), 25):
        team.append(
            agents.add_agent(
                ctx,
                name=f"{FIRST_NAMES[i % 10]} {LAST_NAMES[i % 7]}",
                phone=f"+1312555{2000 + i:04d}",
                email=f"tech{i}@example.com",
            )
        )
    team_settings.update_team_settings(ctx, sms_per_operator_per_hour=100_000, sms_per_recipient_per_day=1000)
    return team


def fill_day(
    ctx: ServiceContext, team: list[AgentView], day: date, count: int, minutes: Callable[[int], int]
) -> list[BookingView]:
    """`count` jobs on `day` from 07:00 across `team`, each `minutes(n)` long, every other slot."""
    start = datetime.combine(day, clock_time(7), tzinfo=ctx.team_settings().zone)
    made: list[BookingView] = []
    for slot in range(48):  # 07:00 to 19:00 in half hours, then again until `count` are placed
        for agent in team:
            n = len(made) * 7 + day.weekday() * 3  # names vary from day to day, as customers do
            if len(made) == count or (slot + agent.id) % 2:
                continue
            begin = start + timedelta(minutes=30 * (slot % 24))
            try:
                made.append(
                    bookings.create_booking(
                        ctx,
                        customer_name=f"{FIRST_NAMES[n % 10]} {LAST_NAMES[n // 10 % 7]}",
                        customer_phone=f"+1773555{(len(made) + 1000 * day.weekday()) % 10_000:04d}",
                        customer_email=None,
                        address=f"{100 + len(made)} N Clark St",
                        service=SERVICES[n % len(SERVICES)],
                        start=begin,
                        end=begin + timedelta(minutes=minutes(n)),
                        agent_id=agent.id,
                    )
                )
            except ConflictError:
                continue  # the demo agent is off or busy then
    return made


def board_week(window: QWidget) -> QWidget:
    """Next week with 300 jobs a day from Monday to Friday over 25 agents: some confirmed, a few
    waiting in the Unassigned row, one agent's approved time off over their Wednesday."""
    console = window.console  # type: ignore[attr-defined]
    ctx = console.ctx
    monday = business_today(ctx) + timedelta(days=7 - business_today(ctx).weekday())
    team = big_team(ctx)
    for offset in range(5):
        day = monday + timedelta(days=offset)
        made = fill_day(ctx, team, day, 300, lambda n: (30, 60, 30, 45, 90, 30)[n % 6])
        for booking in made[::4]:
            bookings.change_status(ctx, booking.id, "confirmed")
        for booking in made[3::37]:
            bookings.move_booking(ctx, booking.id, agent_id=None)
    busy = team[3]
    wednesday = datetime.combine(monday + timedelta(days=2), clock_time(12), tzinfo=ctx.team_settings().zone)
    request = timeoff.request_time_off(
        ctx, agent_id=busy.id, start=wednesday, end=wednesday + timedelta(hours=7), reason="Dentist"
    )
    timeoff.approve_time_off(ctx, request.id, force=True)
    console.ops.changed.emit(Change.BOOKINGS | Change.TIME_OFF)
    window.log_dock.hide()  # type: ignore[attr-defined]
    window.show_page("board")  # type: ignore[attr-defined]
    page = window.pages["board"]  # type: ignore[attr-defined]
    page.set_day(monday + timedelta(days=2))
    if not page.week_mode:
        page.week_button.click()
    settle(1.5, lambda: page.week.data is not None and page.week.data.days[0] == monday)
    return window


def board_time_off_clash(window: QWidget) -> QWidget:
    """Today's board after time off was approved anyway over an agent's bookings: red markers."""
    console = window.console  # type: ignore[attr-defined]
    ctx = console.ctx
    today = business_today(ctx)
    zone = ctx.team_settings().zone
    day = [
        b
        for b in bookings.list_bookings(ctx)
        if b.agent_id is not None
        and b.start.astimezone(zone).date() == today
        and b.status in ("scheduled", "confirmed")
    ]
    busiest = max({b.agent_id for b in day}, key=lambda agent: sum(b.agent_id == agent for b in day))
    first = min(b.start for b in day if b.agent_id == busiest)
    request = timeoff.request_time_off(
        ctx,
        agent_id=busiest,
        start=first - timedelta(minutes=30),
        end=first + timedelta(hours=6),
        reason="Sick",
    )
    timeoff.approve_time_off(ctx, request.id, force=True)
    console.ops.changed.emit(Change.TIME_OFF | Change.BOOKINGS)
    window.show_page("board")  # type: ignore[attr-defined]
    page = window.pages["board"]  # type: ignore[attr-defined]
    page.go_today()
    settle(1.5, lambda: page.data is not None and any(b.markers for b in page.blocks()))
    page.working_hours()
    settle(0.5)
    return window


FIRST_NAMES = ("Maya", "Raj", "Liam", "Ola", "Sofia", "Kenji", "Amara", "Diego", "Nina", "Tom")
LAST_NAMES = ("Chen", "Patel", "Walsh", "Nowak", "Garcia", "Okafor", "Kowalski")
SERVICES = ("Boiler service", "Leaking tap", "Drain unblock", "Radiator bleed", "Gas safety check")


def time_off_approve(window: QWidget) -> QWidget:
    """The approve dialog for a request that clashes with bookings, with a free agent offered."""
    console = window.console  # type: ignore[attr-defined]
    ctx = console.ctx
    pending = timeoff.list_time_off(ctx, status="pending")
    request = next((r for r in pending if timeoff.conflicting_bookings(ctx, r.id)), None)
    if request is None:
        today = business_today(ctx)
        zone = ctx.team_settings().zone
        day = [
            b
            for b in bookings.list_bookings(ctx)
            if b.agent_id is not None and b.start.astimezone(zone).date() == today and b.status == "scheduled"
        ]
        busiest = max({b.agent_id for b in day}, key=lambda agent: sum(b.agent_id == agent for b in day))
        first = min(b.start for b in day if b.agent_id == busiest)
        request = timeoff.request_time_off(
            ctx,
            agent_id=busiest,
            start=first - timedelta(minutes=30),
            end=first + timedelta(hours=5),
            reason="Family emergency",
        )
        console.ops.changed.emit(Change.TIME_OFF)
    window.show_page("time_off")  # type: ignore[attr-defined]
    page = window.pages["time_off"]  # type: ignore[attr-defined]
    settle(0.5, lambda: page.model.row_of(lambda r: r.id == request.id) >= 0)
    page.select_request(request.id)
    dialog = page.approve_selected()
    settle(1.0, lambda: dialog.loaded > 0 and dialog.reassign_to.count() > 0)
    return dialog


def log_pane(window: QWidget) -> QWidget:
    console = window.console  # type: ignore[attr-defined]
    dock = window.log_dock  # type: ignore[attr-defined]
    dock.show()
    deliver_outbox(console.ctx, console.config, delivery_policy(limit=None))
    console.ops.changed.emit(Change.OUTBOX)
    settle(2.5, lambda: dock.poll_count > 1)
    return window


def settings(window: QWidget) -> QWidget:
    dialog = window.open_settings()  # type: ignore[attr-defined]
    settle(0.8, lambda: dialog.load_count > 0)
    return dialog


def email_alert_banner(window: MainWindow) -> QWidget:
    """The red banner after Office 365 refused the password: emails failed through the real delivery path."""
    import keyring

    from dispatch_desktop.notify import credentials
    from dispatch_desktop.notify.delivery import deliver_due
    from tests.servers.memory_keyring import MemoryKeyring
    from tests.servers.smtp_fake import FakeSmtp, make_cert

    console = window.console
    window.show_page("bookings")
    previous_keyring, previous_env = keyring.get_keyring(), dict(os.environ)
    keyring.set_keyring(MemoryKeyring())
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cert = make_cert(Path(tmp))
            os.environ.update(FLASK_ENV="production", SSL_CERT_FILE=str(cert.cert_file))
            # Queued in production, so the production delivery below is the one that takes them.
            today = business_today(console.ctx).isoformat()
            for hour, (name, email) in enumerate(
                [("Maria Lopez", "maria.lopez@example.com"), ("Tom Becker", "tom.becker@example.com")],
                start=17,
            ):
                bookings.create_booking(
                    console.ctx, customer_name=name, customer_phone=f"(312) 555-01{hour}", customer_email=email,
                    address="1200 W Belmont Ave, Chicago, IL", service="No hot water", start=f"{today} {hour}:00",
                    end=f"{today} {hour}:45", call_center=True,
                )  # fmt: skip
            with FakeSmtp(tls=True, cert=cert) as smtp:
                smtp.refuse_logins = (
                    "535 5.7.139 Authentication unsuccessful, basic authentication is disabled."
                )
                config = credentials.set_smtp(
                    Path(tmp), Config(), host=smtp.host, port=smtp.port, user="dispatch@contoso.com",
                    from_address="dispatch@contoso.com", starttls=True, password="office-password",
                )  # fmt: skip
                deliver_due(console.ctx.db, config, worker_id="screenshots", limit=None)
    finally:
        os.environ.clear()
        os.environ.update(previous_env)
        keyring.set_keyring(previous_keyring)
    console.ops.changed.emit(Change.OUTBOX)
    window.email_alert.poll()  # the window was painted long ago: its banners' first poll is past
    settle(3.0, lambda: not window.email_alert.isHidden())
    return window


def sync_alert_banner(window: MainWindow) -> QWidget:
    """The red line when the sync leader cannot reach Twilio: its passes fail on a closed port."""
    import socket

    from dispatch_desktop.notify.twilio_reader import ProviderUnavailableError
    from dispatch_desktop.services import provider_sync

    db, config = window.console.ctx.db, window.console.config
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    previous_env = dict(os.environ)
    os.environ.update(
        FLASK_ENV="production", TWILIO_ACCOUNT_SID="AC" + "1" * 32, TWILIO_AUTH_TOKEN="screenshot-token",
        TWILIO_PHONE_NUMBER="+13125550100", TWILIO_API_BASE_URL=closed,
    )  # fmt: skip
    interval = timedelta(seconds=config.sync_interval_seconds)
    started = datetime.now().astimezone() - 5 * interval
    try:
        for passes in range(5):
            with contextlib.suppress(ProviderUnavailableError):
                provider_sync.run_sync_pass(
                    db, config, holder="notifier@dispatch-srv", now=started + passes * interval
                )
    finally:
        os.environ.clear()
        os.environ.update(previous_env)
    window.sync_alert.poll()
    settle(1.0, lambda: not window.sync_alert.isHidden())
    return window


def settings_office365(window: MainWindow) -> QWidget:
    """The settings dialog switching a workstation to Office 365 OAuth2 (nothing is saved)."""
    import keyring
    from PySide6.QtWidgets import QScrollArea

    from tests.servers.memory_keyring import MemoryKeyring

    # Never the real keyring of the machine making screenshots (nothing is saved here anyway).
    keyring.set_keyring(MemoryKeyring())
    dialog = window.open_settings()
    assert dialog is not None
    dialog.resize(680, 900)
    settle(0.8, lambda: dialog.load_count > 0)
    dialog.email_page.smtp_host.setText("smtp.office365.com")
    dialog.email_page.smtp_port.setValue(587)
    dialog.email_page.smtp_user.setText("dispatch@contoso.com")
    dialog.email_page.smtp_from.setText("dispatch@contoso.com")
    dialog.email_page.smtp_starttls.setChecked(True)
    dialog.email_page.smtp_auth_mode.setCurrentIndex(dialog.email_page.smtp_auth_mode.findData("oauth2"))
    dialog.email_page.o365_tenant.setText("contoso.onmicrosoft.com")
    dialog.email_page.o365_client.setText("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
    dialog.email_page.o365_secret.setText("client-secret-value")
    scroll = dialog.findChild(QScrollArea)
    settle(0.3)
    scroll.ensureWidgetVisible(dialog.email_page.smtp_form.parentWidget(), 0, 0)
    scroll.ensureWidgetVisible(dialog.email_page.o365_authority)
    settle(0.3)
    return dialog


def inbox_tab(window: MainWindow) -> QWidget:
    """Two-way SMS (issue 15): a customer's C, another's R, a question, an agent's OMW, one reply."""
    from datetime import UTC, datetime

    from dispatch_desktop.domain.inbound import InboundSms
    from dispatch_desktop.services import agents, inbound, inbox
    from dispatch_desktop.services.bookings import BookingQuery

    console = window.console
    ctx = console.ctx
    team_settings.update_team_settings(ctx, two_way_sms=True)
    now = datetime.now(UTC)
    ahead = [b for b in bookings.list_bookings(ctx, BookingQuery(statuses=("scheduled",))) if b.start > now]
    phones = list(dict.fromkeys(b.customer_phone for b in ahead))
    agent = next(a for a in agents.list_agents(ctx) if any(b.agent_id == a.id for b in ahead))
    texts = [
        (phones[0], "C"),
        (phones[1], "R - can we do Thursday instead?"),
        (agent.phone, "OMW 20"),
        (phones[2], "Do I need to be home, or can I leave the side gate open?"),
    ]
    for minutes, (phone, body) in enumerate(texts):
        at = now - timedelta(minutes=30 - 5 * minutes)
        inbound.apply_inbound(ctx, InboundSms(f"SMdemo{minutes}", phone, "+15005550006", body, at), at)
    first = inbox.list_inbox(ctx)[-1]
    inbox.reply(ctx, first.id, "Thanks, you're confirmed. See you then!")
    console.ops.changed.emit(Change.INBOX)
    window.log_dock.hide()
    window.show_page("inbox")
    page = window.inbox_page
    settle(0.8, lambda: page.threads.count() >= 4)
    page.select_phone(phones[2])
    settle(0.8, lambda: page.current is not None and page.current.phone == phones[2])
    page.reply_box.setPlainText("You don't need to be home — just leave the gate open.")
    settle(0.3)
    return window


def booking_not_reached(window: MainWindow) -> QWidget:
    """An agent's assignment text undelivered (30003): the table's marker, the status bar's count,
    and the booking's details with its Notifications section on top."""
    from PySide6.QtGui import QPainter

    from dispatch_desktop.ui.bookings.details_dialog import BookingDetailsDialog
    from tests.core.receipts import message_ids, put_receipt

    console = window.console
    ctx = console.ctx
    today = business_today(ctx)
    zone = ctx.team_settings().zone
    view = next(
        b
        for b in bookings.list_bookings(ctx)
        if b.agent_id is not None and b.start.astimezone(zone).date() == today and b.status == "scheduled"
    )
    put_receipt(ctx.db, message_ids(ctx.db, view.id, "agent")[-1], "undelivered", 30003)
    window.show_page("bookings")
    page = window.bookings_page
    page.show_today()
    console.ops.changed.emit(Change.OUTBOX | Change.BOOKINGS)
    settle(1.5, lambda: (page.model.cached(view.id) or view).unreached != ())
    page.select_booking(view.id)
    dialog = BookingDetailsDialog(console, view.id, window)
    dialog.resize(980, 300)
    dialog.show()
    settle(1.0, lambda: dialog.loaded)
    shot = window.grab()
    painter = QPainter(shot)
    painter.drawPixmap(24, window.height() - dialog.height() - 36, dialog.grab())
    painter.end()
    dialog.close()
    holder = QLabel()
    holder.setPixmap(shot)
    holder.resize(shot.size())
    return holder


def agent_dialog(window: MainWindow) -> QWidget:
    """Edit agent with weekly hours and skills (issue 17), on the 1024x700 screen it must fit."""
    console = window.console
    first = agents.list_agents(console.ctx)[0]
    agents.update_agent(
        console.ctx, first.id, hours="mon-fri 08:00-17:00,sat 09:00-13:00", skills="boiler, electric"
    )
    window.resize(1024, 700)
    window.show_page("agents")
    page = window.agents_page
    assert page is not None
    page.refresh()
    settle(0.5, lambda: any(a.skills for a in page.model.records()))
    page.select_agent(first.id)
    dialog = page.edit_selected()
    assert dialog is not None
    settle(0.5)
    return dialog


def board_agent_hours(window: MainWindow) -> QWidget:
    """Today's board with some agents' hours set: their hours off greyed behind the blocks."""
    ctx = window.console.ctx
    for agent, hours in zip(
        agents.list_agents(ctx), ("mon-sun 08:00-17:00", "mon-sun 10:00-19:00"), strict=False
    ):
        agents.update_agent(ctx, agent.id, hours=hours)
    window.resize(*WINDOW_SIZE)
    return board(window)


def templates_editor(window: MainWindow) -> QWidget:
    """The Templates tab: the confirmation SMS being edited, previewed for a real booking as typed."""
    console = window.console
    ctx = console.ctx
    templates.set_part(
        ctx,
        "customer_confirmation",
        "sms",
        "en",
        "Confirmed: {{ ref }}, {{ service }} on {{ when }} at {{ address }}.",
    )
    booking = next(b for b in bookings.list_bookings(ctx) if b.agent_id is not None)
    dialog = window.open_settings()
    page = dialog.show_templates()
    assert page is not None
    dialog.resize(1024, 680)
    settle(0.5, lambda: page.shown is not None and page.last_preview is not None)
    page.booking.setText(booking.reference)
    editor = page.parts.editors["sms"]
    editor.setPlainText("Su cita {{ ref }} está confirmada: {{ when }}, {{ address }}.")
    editor.moveCursor(QTextCursor.MoveOperation.End)
    editor.setFocus()
    settle(1.2, lambda: page.last_preview is not None and page.last_preview.booking == booking.reference)
    return dialog


def service_skills(window: MainWindow) -> QWidget:
    """The Agents tab with the skill each service needs below the agents (issue 17)."""
    ctx = window.console.ctx
    for agent, skills in zip(
        agents.list_agents(ctx), ("boiler, gas", "electric", "boiler", "hvac, electric"), strict=False
    ):
        agents.update_agent(ctx, agent.id, skills=skills)
    for service, skill in (
        ("Boiler annual service", "boiler"),
        ("Electrical safety check", "electric"),
        ("AC unit not cooling", "hvac"),
        ("Furnace inspection", "gas"),
    ):
        availability.set_service_skill(ctx, service, skill)
    window.resize(*WINDOW_SIZE)
    window.show_page("agents")
    page = window.agents_page
    assert page is not None and page.service_skills is not None
    skills_page = page.service_skills
    page.refresh()
    skills_page.refresh()
    settle(0.5, lambda: skills_page.model.rowCount() == 4 and any(a.skills for a in page.model.records()))
    skills_page.select_where(lambda r: r.service == "Boiler annual service")
    settle(0.3)
    return window


SHOTS: list[Shot] = [
    Shot("main-window-bookings", bookings_tab),
    Shot("booking-form", booking_form),
    Shot("call-center-entry", call_center),
    Shot("returning-caller", returning_caller),
    Shot("dispatch-board", board),
    Shot("board-300-bookings", board_at_300),
    # The same day at the two screen sizes dispatchers use most (issue 17: blocks stay legible).
    Shot("board-300-bookings-1600x1000", lambda window: board_at_300(window, (1600, 1000))),
    Shot("board-300-bookings-1280x800", lambda window: board_at_300(window, (1280, 800))),
    Shot("time-off-approve", time_off_approve),
    Shot("board-time-off-clash", board_time_off_clash),
    Shot("board-week", board_week),  # hides the log, which the next shot shows
    Shot("notification-log", log_pane),
    Shot("settings", settings),
    # Office 365 retires basic SMTP AUTH (issue 7): the console's banner, and the OAuth2 settings.
    Shot("email-sign-in-banner", email_alert_banner),
    Shot("settings-office365-oauth2", settings_office365),
    Shot("inbox", inbox_tab),
    # Delivery truth (issue 13): who a booking's texts did not reach, and why.
    Shot("booking-not-reached", booking_not_reached),
    # Agents' working hours and skills (issue 17).
    Shot("agent-dialog", agent_dialog),
    Shot("board-agent-hours", board_agent_hours),
    # Message templates (issue 18): a supervisor edits what customers read.
    Shot("templates-editor", templates_editor),
    Shot("service-skills", service_skills),
    # The sync leader not reaching Twilio: every workstation shows it (issue 13's leftovers).
    Shot("sync-not-answering", sync_alert_banner),
]


def open_demo_window(home: Path) -> MainWindow:
    ctx = open_database_url(f"sqlite:///{home / 'dispatch.db'}", "sam")
    team_settings.update_team_settings(ctx, timezone_name=TIMEZONE)
    demo.load_demo_data(ctx)
    config = Config()
    # A few notifications already went out (logged, since this is DEV) before the screenshots.
    deliver_outbox(ctx, config, delivery_policy(limit=None))
    console = ConsoleContext(ctx=ctx, ops=Operations(), home=home, config=config, actor=ctx.actor())
    window = MainWindow(console, demo_mode=True, live_refresh=False, deliver=False, first_run_check=False)
    window.resize(*WINDOW_SIZE)
    window.show()
    settle(1.5, lambda: window.bookings_page.model.loads > 0)
    return window


def main(argv: list[str]) -> int:
    """`OUTDIR [NAME ...]`: every shot, or only the named ones (to refresh one view without the rest)."""
    names = set(argv[1:])
    unknown = names - {shot.name for shot in SHOTS}
    if not argv or unknown:
        print("usage: python -m tests.screenshots OUTDIR [NAME ...]", file=sys.stderr)
        if unknown:
            print(f"unknown shots: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    make_application()
    with tempfile.TemporaryDirectory() as tmp:
        window = open_demo_window(Path(tmp))
        for shot in SHOTS:
            if names and shot.name not in names:
                continue
            widget = shot.take(window)
            path = out / f"{shot.name}.png"
            widget.grab().save(str(path))
            print(path)
            if widget is not window:
                widget.close()
            window.resize(*WINDOW_SIZE)  # a shot may have chosen another size
            settle(0.2)
        window.close()
        QThreadPool.globalInstance().waitForDone(10_000)
        window.console.ctx.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
