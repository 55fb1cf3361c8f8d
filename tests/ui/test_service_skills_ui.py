"""The skill each service needs, in the Agents tab: add, change and remove, the booked services and
the agents' skills offered while typing, a bad skill refused in the dialog with nothing stored."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dispatch_desktop.services import agents, availability, bookings
from dispatch_desktop.ui.people.agents import AgentsPage
from dispatch_desktop.ui.people.service_skills import ServiceSkillsPage
from tests.conftest import TEST_TIMEZONE
from tests.ui._support import OFFSCREEN_NOISE, make_console  # noqa: F401 - fixtures
from tests.ui.mnemonics import duplicates

pytestmark = OFFSCREEN_NOISE
TUESDAY = datetime(2030, 3, 12, 10, 0, tzinfo=ZoneInfo(TEST_TIMEZONE))


def _book(ctx, service: str) -> None:
    bookings.create_booking(
        ctx,
        customer_name="Maya Chen",
        customer_phone="+13125550111",
        customer_email=None,
        address="12 Elm St",
        service=service,
        start=TUESDAY,
        end=TUESDAY + timedelta(hours=1),
    )


def _save(dialog) -> None:
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()


def _rows(page: ServiceSkillsPage) -> list[tuple[str, str]]:
    model = page.model
    return [(model.index(r, 0).data(), model.index(r, 1).data()) for r in range(model.rowCount())]


def test_a_dispatcher_adds_changes_and_removes_a_services_skill(qtbot, make_console):  # noqa: F811
    console = make_console("dispatcher")
    ctx = console.ctx
    agents.add_agent(ctx, name="Ann Field", phone="+13125550101", email="a@example.com", skills="boiler, gas")
    agents.add_agent(ctx, name="Bo Jones", phone="+13125550102", email="b@example.com", skills="electric")
    for service in ("Boiler service", "boiler service", "Boiler service", "Rewiring"):
        _book(ctx, service)
    tab = AgentsPage(console)
    qtbot.addWidget(tab)
    page = tab.service_skills
    assert page is not None
    qtbot.waitUntil(lambda: page.loaded >= 1)
    assert _rows(page) == []

    dialog = page.add()
    qtbot.waitExposed(dialog)
    assert duplicates(dialog) == {}
    qtbot.waitUntil(lambda: dialog.choices is not None)
    # The services as bookings name them (one spelling each, the most booked first), the agents' skills.
    assert dialog.known_services.stringList() == ["Boiler service", "Rewiring"]
    assert dialog.known_skills.stringList() == ["boiler", "electric", "gas"]
    dialog.service.setText("Boiler service")
    dialog.skill.setText("Boiler")
    assert dialog.note.isHidden()
    _save(dialog)
    qtbot.waitUntil(lambda: _rows(page) == [("Boiler service", "boiler")])
    assert availability.list_service_skills(ctx) == [
        availability.ServiceSkillView("Boiler service", "boiler")
    ]
    assert page.message.text() == "Boiler service needs skill 'boiler'."

    page.select_where(lambda r: r.service == "Boiler service")
    dialog = page.edit_selected()
    assert dialog is not None and dialog.service.isReadOnly()
    qtbot.waitUntil(lambda: dialog.choices is not None)
    dialog.skill.setText("pressure vessels")
    # A skill no agent has: every booking of the service would warn, and the dialog says so.
    assert (
        dialog.note.text()
        == "No agent has skill 'pressure vessels' yet: every booking of this service will warn."
    )
    dialog.skill.setText("gas")
    assert dialog.note.isHidden()
    _save(dialog)
    qtbot.waitUntil(lambda: _rows(page) == [("Boiler service", "gas")])
    assert availability.list_service_skills(ctx) == [availability.ServiceSkillView("Boiler service", "gas")]

    page.select_where(lambda r: r.service == "Boiler service")
    page.remove_button.click()
    qtbot.waitUntil(lambda: _rows(page) == [])
    assert availability.list_service_skills(ctx) == []
    assert page.message.text() == "Boiler service needs no skill now."


def test_a_bad_skill_is_refused_in_the_dialog_and_nothing_is_stored(qtbot, make_console):  # noqa: F811
    console = make_console("dispatcher")
    page = ServiceSkillsPage(console)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.loaded >= 1)
    dialog = page.add()
    dialog.service.setText("Boiler service")
    dialog.skill.setText("boiler; rm")
    _save(dialog)
    qtbot.waitUntil(lambda: dialog.buttons.isEnabled() and not dialog.message.isHidden())
    assert dialog.message.text() == (
        "skills: 'boiler; rm' is not a skill name (letters, digits, spaces, - and _, at most 40)"
    )
    assert dialog.isVisible()
    assert availability.list_service_skills(console.ctx) == []


def test_only_those_who_manage_agents_see_the_services_skills(qtbot, make_console):  # noqa: F811
    tab = AgentsPage(make_console("call-center"))
    qtbot.addWidget(tab)
    assert tab.service_skills is None
