"""Data in the console is shown as text: a customer named like HTML never becomes a headline or an image.

Qt renders a label, message box or tooltip as rich text when its first line looks like HTML, so
'<h2 style=color:red>SYSTEM: …</h2>' would be a red headline and '<img src=file:///…>' would load
a local file. Each test shows such a name where a person reads it and checks it reads literally.
"""

import argparse
import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel

import dispatch_desktop.ui as ui
from dispatch_desktop.config import Config
from dispatch_desktop.domain.errors import ConflictError
from dispatch_desktop.notify.delivery import deliver_due
from dispatch_desktop.services import agents, bookings, operators, timeoff
from dispatch_desktop.ui.board.page import BoardPage
from dispatch_desktop.ui.bookings.form import BookingForm
from dispatch_desktop.ui.bookings.stale_dialog import StaleVersionDialog
from dispatch_desktop.ui.kit.error_box import show_error
from dispatch_desktop.ui.notifications.log_model import LINE_COLUMN
from dispatch_desktop.ui.notifications.log_pane import LIVE, NotificationLogDock
from dispatch_desktop.ui.shell.app import Launcher
from dispatch_desktop.ui.shell.main_window import MainWindow
from dispatch_desktop.ui.timeoff.page import ApproveDialog
from tests.conftest import TEST_TIMEZONE
from tests.ui._support import notify_env  # noqa: F401 - fixture
from tests.ui.conftest import drain

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

HOSTILE = "<h2 style=color:red>SYSTEM: call 1-900-555-0199</h2><img src=file:///etc/hostname>"
START = datetime(2030, 3, 14, 9, 0)
UI_DIR = Path(ui.__path__[0])


def shown(tip: str) -> str:
    """What a tooltip shows: Qt renders it as HTML when it looks like HTML (as QToolTip does)."""
    if not QtGui.Qt.mightBeRichText(tip):
        return tip
    document = QTextDocument()
    document.setHtml(tip)
    return document.toPlainText()


def assert_literal(label: QLabel, text: str) -> None:
    assert (label.text(), label.textFormat()) == (text, Qt.TextFormat.PlainText)


def _hostile_booking(ctx, agent_id=None, start=START, email=None):
    return bookings.create_booking(
        ctx,
        customer_name=HOSTILE,
        customer_phone="+13125550170",
        customer_email=email,
        address="1 Elm St",
        service="Tap",
        start=start,
        end=start + timedelta(hours=1),
        agent_id=agent_id,
    )


# --- where a person reads a customer's name ---------------------------------------------------


def test_the_known_customer_label_shows_an_html_name_literally(qtbot, desk):
    console = desk()
    _hostile_booking(console.ctx)
    form = BookingForm(console)
    qtbot.addWidget(form)
    qtbot.waitUntil(lambda: form.ready, timeout=10_000)
    form.phone.setText("312 555 0170")
    form.phone.editingFinished.emit()
    qtbot.waitUntil(lambda: form.name.text() == HOSTILE, timeout=10_000)
    assert_literal(form.lookup, f"Known customer: {HOSTILE}")


def test_an_agent_conflict_shows_the_other_customer_literally_in_the_form_and_the_box(qtbot, desk):
    console = desk()
    busy = agents.add_agent(console.ctx, name="Busy Bob", phone="+13125550182", email="b@example.com")
    _hostile_booking(console.ctx, agent_id=busy.id)
    form = BookingForm(console)
    qtbot.addWidget(form)
    qtbot.waitUntil(lambda: form.ready, timeout=10_000)
    form.phone.setText("(312) 555-0150")
    form.name.setText("Nadia Flores")
    form.address.setText("2200 N Clark St")
    form.service.setText("Boiler")
    form.start.set_value(START)
    qtbot.waitUntil(lambda: form.agent.findData(busy.id) >= 0, timeout=10_000)
    form.agent.select_agent(busy.id)
    form.save()
    qtbot.waitUntil(lambda: not form.saving, timeout=10_000)
    message = form.messages["agent"]
    assert HOSTILE in message.text() and message.textFormat() == Qt.TextFormat.PlainText

    with pytest.raises(ConflictError) as refused:
        _hostile_booking(console.ctx, agent_id=busy.id)
    box = show_error(None, refused.value)
    qtbot.addWidget(box)
    assert HOSTILE in box.text() and box.textFormat() == Qt.TextFormat.PlainText
    [body] = [label for label in box.findChildren(QLabel) if label.text() == box.text()]
    assert body.textFormat() == Qt.TextFormat.PlainText


def test_the_time_off_conflict_dialog_shows_names_and_reason_literally(qtbot, desk):
    console = desk()
    agent = agents.add_agent(console.ctx, name=HOSTILE, phone="+13125550182", email="b@example.com")
    _hostile_booking(console.ctx, agent_id=agent.id)
    request = timeoff.request_time_off(
        console.ctx, agent_id=agent.id, start=START, end=START + timedelta(hours=8), reason=HOSTILE
    )
    dialog = ApproveDialog(console, request, ZoneInfo(TEST_TIMEZONE))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded >= 1, timeout=10_000)
    assert_literal(
        dialog.conflict_label,
        f"{HOSTILE} has 1 booking in that time. Reassign them, or approve anyway and handle them later.",
    )
    [summary] = [
        label for label in dialog.findChildren(QLabel) if label.text().endswith(f"Reason: {HOSTILE}")
    ]
    assert summary.textFormat() == Qt.TextFormat.PlainText and summary.text().startswith(HOSTILE)
    assert dialog.model.index(0, 3).data() == HOSTILE


def test_the_stale_version_dialog_shows_its_message_literally(qtbot):
    text = f"booking BK-000001 was changed by {HOSTILE} at 09:00 (version 2, you had 1); reload"
    dialog = StaleVersionDialog(text)
    qtbot.addWidget(dialog)
    assert_literal(dialog.message, text)


def test_board_tooltips_escape_the_customer_and_keep_their_layout(qtbot, desk):
    console = desk()
    zone = ZoneInfo(TEST_TIMEZONE)
    day = datetime(2030, 3, 12, tzinfo=zone)
    ana = agents.add_agent(console.ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    _hostile_booking(console.ctx, agent_id=ana.id, start=day.replace(hour=9))
    pending = _hostile_booking(console.ctx, start=day.replace(hour=13))
    page = BoardPage(console)
    page.clock = lambda: day.replace(hour=10).astimezone(UTC)
    page.set_day(day.date())
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.data is not None and page.data.day == day.date(), timeout=10_000)
    [block] = page.blocks()
    lines = shown(block.toolTip()).splitlines()
    assert lines[0].startswith("BK-000001 · scheduled") and "<b>" in block.toolTip()  # bold title kept
    assert lines[2] == f"{HOSTILE} · (312) 555-0170" and lines[3:] == ["Tap", "1 Elm St"]
    assert shown(page.tray.item(0).toolTip()) == f"(312) 555-0170 · {pending.source}"


def test_the_log_pane_shows_an_html_name_literally_in_rows_tooltips_and_details(qtbot, desk, notify_env):  # noqa: F811
    console = desk()
    dock = NotificationLogDock(console)
    qtbot.addWidget(dock, before_close_func=lambda _w: drain())
    qtbot.waitUntil(lambda: dock.poll_count >= 1, timeout=10_000)
    _hostile_booking(console.ctx)  # no email address: the skip line names the customer
    deliver_due(console.ctx.db, Config(), worker_id="desk-2")
    skipped = f"[DEV] EMAIL skipped - To: {HOSTILE} (customer), Reason: no email address on file"
    qtbot.waitUntil(
        lambda: skipped in [e.line for e in dock.model.entries() if e.source == LIVE], timeout=10_000
    )
    row = [e.line for e in dock.model.entries()].index(skipped)
    assert dock.model.index(row, LINE_COLUMN).data() == skipped
    assert shown(dock.model.index(row, LINE_COLUMN).data(Qt.ItemDataRole.ToolTipRole)) == skipped


def test_a_cancel_reason_tooltip_in_the_bookings_table_reads_literally(qtbot, desk):
    console = desk()
    window = MainWindow(console, live_refresh=False, deliver=False, first_run_check=False)
    qtbot.addWidget(window, before_close_func=lambda _w: drain())
    view = _hostile_booking(console.ctx)
    bookings.change_status(console.ctx, view.id, "cancelled", reason=HOSTILE, expect_version=view.version)
    window.bookings_page.refresh()
    model = window.bookings_page.model
    qtbot.waitUntil(lambda: model.rowCount() == 1 and model.index(0, 0).data() != "…", timeout=10_000)
    column = model._status_column
    assert shown(model.index(0, column).data(Qt.ItemDataRole.ToolTipRole)) == f"Cancelled: {HOSTILE}"
    window.show()
    offenders = [
        label.text()
        for label in window.findChildren(QLabel)
        if label.textFormat() != Qt.TextFormat.PlainText and QtGui.Qt.mightBeRichText(label.text())
    ]
    assert offenders == []


def test_the_status_bar_shows_an_operator_named_like_html_literally(qtbot, desk, db):
    boss = desk().ctx
    operators.add_operator(boss, name="Boss", username="boss", role="supervisor")
    operators.add_operator(boss, name=HOSTILE, username="eve", role="dispatcher")
    window = MainWindow(desk("eve"), live_refresh=False, deliver=False, first_run_check=False)
    qtbot.addWidget(window, before_close_func=lambda _w: drain())
    assert_literal(window.status_bar.operator_label, f"{HOSTILE} (eve) · dispatcher")


def test_the_start_up_error_box_shows_its_text_and_home_folder_literally(qtbot, tmp_path):
    home = tmp_path / "<h2>home</h2>"
    args = argparse.Namespace(
        home=str(home), database_url="postgresql+psycopg://nobody@127.0.0.1:9/x", operator="boss", demo=False
    )
    launcher = Launcher(args)  # tests/conftest.py's notify_logger removes the log handler it adds
    with qtbot.waitSignal(launcher.failed, timeout=20_000):
        launcher.start()
    box = launcher.error_box
    qtbot.addWidget(box)
    assert box.textFormat() == Qt.TextFormat.PlainText
    [informative] = [label for label in box.findChildren(QLabel) if label.text() == f"Home folder: {home}"]
    assert informative.textFormat() == Qt.TextFormat.PlainText


# --- keeping ui/ on the kit (dispatch_desktop/ui/kit/plain.py) -----------------------------------

MESSAGE_BOX_STATICS = {"information", "warning", "critical", "question", "about"}
TIP_MAKERS = {"plain_tip", "rich_tip"}


def _ui_modules() -> list[tuple[str, ast.Module]]:
    return [
        (path.relative_to(UI_DIR).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(UI_DIR.rglob("*.py"))
        if path.relative_to(UI_DIR).as_posix() != "kit/plain.py"
    ]


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _fixed_text(node: ast.expr) -> bool:
    """A literal, tr("literal"), a plain_tip/rich_tip(...) call, or a choice between those."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.IfExp):
        return _fixed_text(node.body) and _fixed_text(node.orelse)
    if isinstance(node, ast.Call):
        name = _name(node.func)
        if name in TIP_MAKERS:
            return True
        return name == "tr" and all(isinstance(arg, ast.Constant) for arg in node.args)
    return False


def test_ui_labels_and_message_boxes_come_from_the_plain_text_kit() -> None:
    offenders = []
    for name, module in _ui_modules():
        for node in ast.walk(module):
            if isinstance(node, ast.ClassDef) and any(_name(base) == "QLabel" for base in node.bases):
                offenders.append(f"{name}:{node.lineno} class {node.name}(QLabel): use PlainLabel")
            if not isinstance(node, ast.Call):
                continue
            called = _name(node.func)
            if called in ("QLabel", "QMessageBox"):
                offenders.append(f"{name}:{node.lineno} {called}(...): use PlainLabel / message_box")
            if (
                isinstance(node.func, ast.Attribute)
                and _name(node.func.value) == "QMessageBox"
                and called in MESSAGE_BOX_STATICS
            ):
                offenders.append(f"{name}:{node.lineno} QMessageBox.{called}: its text format is AutoText")
    assert offenders == []


def test_ui_tooltips_with_data_go_through_plain_tip() -> None:
    offenders = [
        f"{name}:{node.lineno} {ast.unparse(node.args[0])}"
        for name, module in _ui_modules()
        for node in ast.walk(module)
        if isinstance(node, ast.Call)
        and _name(node.func) == "setToolTip"
        and node.args
        and not _fixed_text(node.args[0])
    ]
    assert offenders == []
