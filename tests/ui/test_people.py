"""Agents and operators pages: what each role sees and can change."""

from PySide6.QtCore import Qt

from dispatch_desktop.services import agents, operators
from dispatch_desktop.ui.people.agents import AgentsPage
from dispatch_desktop.ui.people.operators import OperatorsPage
from tests.ui._support import OFFSCREEN_NOISE, boss_console, make_console  # noqa: F401 - fixtures

pytestmark = OFFSCREEN_NOISE


def _cell(page, row: int, column: int) -> str:
    return page.model.index(row, column).data(Qt.ItemDataRole.DisplayRole)


def test_dispatcher_adds_edits_and_deactivates_an_agent(qtbot, qtmodeltester, make_console):  # noqa: F811
    console = make_console("dispatcher")
    agents.add_agent(console.ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    page = AgentsPage(console)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.loaded >= 1)
    qtmodeltester.check(page.model)
    assert _cell(page, 0, 0) == "Ana Ruiz"

    dialog = page.add()
    dialog.name.setText("Ben Okafor")
    dialog.phone.setText("(312) 555-0199")
    dialog.email.setText("ben@example.com")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    row = page.model.row_of(lambda a: a.name == "Ben Okafor")
    assert _cell(page, row, 1) == "(312) 555-0199"  # the table shows the national format

    page.select_agent(page.model.record(row).id)
    dialog = page.edit_selected()
    dialog.email.setText("ben.okafor@example.com")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: any(a.email == "ben.okafor@example.com" for a in page.model.records()))

    page.select_agent(page.model.record(page.model.row_of(lambda a: a.name == "Ben Okafor")).id)
    assert page.toggle_button.text() == "&Deactivate"
    page.toggle_button.click()
    qtbot.waitUntil(lambda: any(not a.active and a.name == "Ben Okafor" for a in page.model.records()))
    assert "deactivated" in page.message.text()
    assert page.toggle_button.text() == "&Reactivate"


def test_bad_agent_input_stays_in_the_dialog_with_the_reason(qtbot, boss_console):  # noqa: F811
    console = boss_console
    page = AgentsPage(console)
    qtbot.addWidget(page)
    dialog = page.add()
    dialog.name.setText("Cara")
    dialog.phone.setText("12")
    dialog.email.setText("cara@example.com")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: dialog.message.is_error)
    assert (
        "not a valid phone number" in dialog.message.text() or "not a phone number" in dialog.message.text()
    )
    assert dialog.isVisible()
    assert agents.list_agents(console.ctx) == []
    dialog.reject()


def test_call_center_sees_agents_read_only(qtbot, make_console):  # noqa: F811
    console = make_console("call-center")
    page = AgentsPage(console)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.loaded >= 1)
    assert not page.add_button.isVisible()
    assert not page.toggle_button.isVisible()
    assert page.message.text() == "Agents are read-only for your role."


def test_supervisor_adds_operator_changes_role_and_deactivates(qtbot, qtmodeltester, make_console):  # noqa: F811
    console = make_console("supervisor")
    page = OperatorsPage(console)
    qtbot.addWidget(page)
    dialog = page.add()
    dialog.name.setText("Dee Dispatcher")
    dialog.username.setText("dee")
    dialog.role.setCurrentIndex(dialog.role.findData("call-center"))
    dialog.phone.setText("312 555 0123")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: any(o.username == "dee" for o in page.model.records()))
    qtmodeltester.check(page.model)
    assert _cell(page, page.model.row_of(lambda o: o.username == "dee"), 3) == "(312) 555-0123"

    page.select_operator("dee")
    dialog = page.edit_selected()
    assert dialog.username.isReadOnly()
    dialog.role.setCurrentIndex(dialog.role.findData("dispatcher"))
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: any(o.username == "dee" and o.role == "dispatcher" for o in page.model.records()))

    page.select_operator("dee")
    page.toggle_button.click()
    qtbot.waitUntil(lambda: any(o.username == "dee" and not o.active for o in page.model.records()))
    assert [o.active for o in operators.list_operators(console.ctx) if o.username == "dee"] == [False]


def test_only_supervisors_see_operators(qtbot, make_console):  # noqa: F811
    console = make_console("dispatcher")
    page = OperatorsPage(console)
    qtbot.addWidget(page)
    page.show()
    assert not page.table.isVisible()
    assert not page.add_button.isVisible()
    assert page.message.text() == "Only supervisors manage operators."
