"""Sample data: a realistic working day for `--demo`, screenshots and tests.

`load_demo_data` goes through the normal services, so the audit trail, versions and outbox rows
look exactly like real work. Bulk rows for benchmarks are test tooling: tests/bench/bulk.py.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from dispatch_desktop.domain.errors import ConflictError
from dispatch_desktop.domain.roles import Role
from dispatch_desktop.domain.statuses import BookingStatus
from dispatch_desktop.services import agents, bookings, operators, team_settings, timeoff
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import AgentView, BookingView
from dispatch_desktop.services.workstation import is_demo_home

DEMO_OPERATORS = (
    ("Sam Rivera", "sam", Role.SUPERVISOR, "+13125550101", "sam.rivera@example.com"),
    ("Dana Whitfield", "dana", Role.DISPATCHER, "+13125550102", "dana.whitfield@example.com"),
    ("Priya Nair", "priya", Role.DISPATCHER, None, "priya.nair@example.com"),
    ("Carla Mendes", "carla", Role.CALL_CENTER, None, None),
    ("Tom Becker", "tom", Role.CALL_CENTER, None, None),
)

DEMO_AGENTS = (
    ("Marcus Hill", "+13125550111"),
    ("Elena Petrova", "+13125550112"),
    ("Jamal Carter", "+13125550113"),
    ("Sofia Alvarez", "+13125550114"),
    ("Ben O'Connor", "+13125550115"),
    ("Aiko Tanaka", "+13125550116"),
    ("Luis Romero", "+13125550117"),
    ("Grace Kim", "+13125550118"),
)

CUSTOMER_FIRST = (
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Ethan",
    "Mia",
    "Lucas",
    "Harper",
    "Mason",
    "Ella",
    "Logan",
    "Chloe",
    "James",
    "Zoe",
    "Henry",
    "Nora",
    "Jack",
    "Leah",
    "Owen",
    "Ruby",
    "Caleb",
)
CUSTOMER_LAST = (
    "Johnson",
    "Martinez",
    "Nguyen",
    "Brown",
    "Patel",
    "Garcia",
    "Wilson",
    "Anderson",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "King",
    "Wright",
    "Scott",
)
STREETS = (
    "N Clark St",
    "W Belmont Ave",
    "S Halsted St",
    "W Division St",
    "N Milwaukee Ave",
    "E 53rd St",
    "W Armitage Ave",
    "N Lincoln Ave",
    "S Michigan Ave",
    "W Fullerton Pkwy",
    "N Damen Ave",
    "W Chicago Ave",
    "N Broadway",
    "S Western Ave",
    "W Irving Park Rd",
)
SERVICES = (
    "Boiler annual service",
    "Leaking kitchen tap",
    "AC unit not cooling",
    "Dishwasher install",
    "Water heater replacement",
    "Blocked drain",
    "Thermostat upgrade",
    "Furnace inspection",
    "Washing machine repair",
    "Electrical safety check",
    "Garbage disposal jam",
    "Radiator bleed",
    "Outdoor faucet winterizing",
    "Ceiling fan install",
    "Sump pump check",
)
CANCEL_REASONS = (
    "Customer fixed it themselves",
    "Customer rebooked for next week",
    "Duplicate booking",
    "Customer not reachable to confirm",
)
# Notes on the day's assigned bookings; most have none.
_NOTES = (None, None, "Gate code 4417", "Dog on premises", "Call on arrival")

# Per agent: (slot start hour, minutes, path of statuses after assignment). A path ends at the
# status shown; each step is a real change_status call, so the audit trail reads naturally.
_S = BookingStatus
_DAY_PLAN: tuple[tuple[tuple[float, int, tuple[BookingStatus, ...]], ...], ...] = (
    (
        (8, 90, (_S.CONFIRMED, _S.EN_ROUTE, _S.IN_PROGRESS, _S.COMPLETED)),
        (10.5, 90, (_S.CONFIRMED, _S.EN_ROUTE, _S.IN_PROGRESS)),
        (13, 60, (_S.CONFIRMED,)),
        (15.5, 90, ()),
    ),
    (
        (8.5, 60, (_S.CONFIRMED, _S.EN_ROUTE, _S.IN_PROGRESS, _S.COMPLETED)),
        (10, 120, (_S.EN_ROUTE,)),
        (14, 90, ()),
        (16, 60, (_S.CANCELLED,)),
    ),
    ((8, 120, (_S.NO_SHOW,)), (11, 60, (_S.CONFIRMED,)), (13.5, 90, (_S.CONFIRMED,)), (16, 90, ())),
    (
        (9, 60, (_S.CONFIRMED, _S.EN_ROUTE, _S.IN_PROGRESS, _S.COMPLETED)),
        (11, 90, (_S.CONFIRMED, _S.EN_ROUTE, _S.IN_PROGRESS)),
        (14.5, 60, ()),
        (16, 120, (_S.CONFIRMED,)),
    ),
    (
        (8, 60, (_S.CONFIRMED, _S.EN_ROUTE, _S.IN_PROGRESS, _S.COMPLETED)),
        (9.5, 90, (_S.CONFIRMED, _S.EN_ROUTE, _S.IN_PROGRESS, _S.COMPLETED)),
        (13, 120, (_S.CANCELLED,)),
        (15.5, 60, (_S.CONFIRMED,)),
    ),
    ((8.5, 90, (_S.CONFIRMED, _S.EN_ROUTE)), (12, 60, ()), (14, 90, (_S.CONFIRMED,))),
    (
        (9, 120, (_S.CONFIRMED, _S.EN_ROUTE, _S.IN_PROGRESS, _S.COMPLETED)),
        (12.5, 60, (_S.CONFIRMED,)),
        (15, 90, ()),
    ),
    # The last agent has approved time off from 12:00, so only a morning.
    ((8, 90, (_S.CONFIRMED, _S.EN_ROUTE, _S.IN_PROGRESS, _S.COMPLETED)), (10, 60, (_S.CONFIRMED,))),
)
# Unassigned requests, mostly taken by the call center: (hour, minutes, cancelled?)
_PENDING_PLAN = (
    (9.5, 60, False),
    (12, 90, False),
    (13, 60, False),
    (15, 60, False),
    (17, 60, False),
    (11, 60, True),
)


@dataclass(frozen=True)
class DemoSummary:
    operators: int
    agents: int
    bookings: int
    time_off: int


# The plan's statuses describe the day as it stands at 11:15.
PLAN_CLOCK = time(11, 15)
EARLIEST_SHIFT, LATEST_SHIFT = timedelta(hours=-3), timedelta(hours=7)


def _clock_shift(now: datetime) -> timedelta:
    """How far to move the plan so its 11:15 is now (in quarter hours, kept within the day)."""
    offset = now - datetime.combine(now.date(), PLAN_CLOCK)
    quarters = round(offset / timedelta(minutes=15))
    return max(EARLIEST_SHIFT, min(LATEST_SHIFT, quarters * timedelta(minutes=15)))


def _plan_time(day: date, hour: float) -> datetime:
    whole = int(hour)
    return datetime.combine(day, time(whole, round((hour - whole) * 60)))


def _customer(rng: random.Random, index: int) -> tuple[str, str, str | None, str]:
    first, last = rng.choice(CUSTOMER_FIRST), rng.choice(CUSTOMER_LAST)
    phone = f"+1773555{index % 100:04d}" if index < 100 else f"+1872555{index % 100:04d}"
    email = f"{first.lower()}.{last.lower()}@example.com" if index % 4 else None
    address = f"{rng.randint(100, 4999)} {rng.choice(STREETS)}, Chicago, IL"
    return f"{first} {last}", phone, email, address


DEMO_DAYS_BACK = 2


def _ensure_operators(ctx: ServiceContext, os_name: str | None) -> ServiceContext:
    """Adds the demo team; returns a context acting as a supervisor of it."""
    known = {op.username for op in operators.list_operators(ctx)}
    demo_names = {username for _, username, *_ in DEMO_OPERATORS}
    loader = ctx
    if not known:
        if ctx.username in demo_names:
            loader = ServiceContext(ctx.db, "sam", ctx.config)
        else:
            username = ctx.username.lower()  # an OS login "JSmith" signs in as "jsmith"
            operators.add_operator(
                ctx, name=os_name or ctx.username, username=username, role=Role.SUPERVISOR.value
            )
            known.add(username)
    for name, username, role, phone, email in DEMO_OPERATORS:
        if username not in known:
            operators.add_operator(
                loader, name=name, username=username, role=role.value, phone=phone, email=email
            )
            if loader is not ctx and username == "sam":
                known.add(username)
    return loader


def load_into_demo_home(ctx: ServiceContext, home: Path, *, os_name: str | None = None) -> DemoSummary:
    """`load_demo_data` for today, refused unless this workstation runs on the separate demo home.

    Demo rows are never deleted, so on a real database they would stay among real work for good.
    """
    if not is_demo_home(home):
        raise ConflictError(
            f"demo data goes only into the separate demo home; start the console with --demo. "
            f"Nothing was added to {ctx.db.description}"
        )
    return load_demo_data(ctx, os_name=os_name)


def load_demo_data(
    ctx: ServiceContext, day: date | None = None, *, os_name: str | None = None
) -> DemoSummary:
    """A working day at a small plumbing and heating firm: team, agents, bookings, time off.

    `day` (default today in the business time zone) gets bookings in every status, with a few
    the day before and after. For today the plan is moved along the clock, so the statuses
    fit the time of day (what is in progress is happening now) instead of showing half the day
    as overdue. On an install without operators, the acting user becomes a supervisor too
    (unless they act as one of the demo team).
    """
    settings = ctx.team_settings()
    shift = timedelta(0)
    if day is None:
        now = datetime.now(settings.zone).replace(tzinfo=None)
        day = now.date()
        shift = _clock_shift(now)
    rng = random.Random(day.toordinal())

    def _at(on: date, hour: float) -> datetime:
        return _plan_time(on, hour) + shift

    loader = _ensure_operators(ctx, os_name)
    if settings.booking_days_back < DEMO_DAYS_BACK:  # the day before starts over a day ago
        team_settings.update_team_settings(loader, booking_days_back=DEMO_DAYS_BACK)
    dispatcher = ServiceContext(ctx.db, "dana", ctx.config)
    call_center = ServiceContext(ctx.db, "carla", ctx.config)

    team: list[AgentView] = []
    for name, phone in DEMO_AGENTS:
        email = name.lower().replace("'", "").replace(" ", ".") + "@example.com"
        team.append(agents.add_agent(loader, name=name, phone=phone, email=email))

    count = 0
    customer_index = 0

    def book(
        actor: ServiceContext,
        start: datetime,
        minutes: int,
        *,
        notes_from: tuple[str | None, ...] = (),
        **assignment: Any,
    ) -> BookingView:
        """The next customer, a random service and (from `notes_from`) notes; draws in that order."""
        nonlocal customer_index
        customer_index += 1
        name, phone, email, address = _customer(rng, customer_index)
        service = rng.choice(SERVICES)
        notes = rng.choice(notes_from) if notes_from else None
        return bookings.create_booking(
            actor,
            customer_name=name,
            customer_phone=phone,
            customer_email=email,
            address=address,
            service=service,
            start=start,
            end=start + timedelta(minutes=minutes),
            notes=notes,
            **assignment,
        )

    for agent, plan in zip(team, _DAY_PLAN, strict=True):
        for hour, minutes, path in plan:
            view = book(dispatcher, _at(day, hour), minutes, notes_from=_NOTES, agent_id=agent.id)
            for status in path:
                reason = rng.choice(CANCEL_REASONS) if status == _S.CANCELLED else None
                view = bookings.change_status(dispatcher, view.id, status, reason=reason)
            count += 1

    for hour, minutes, cancelled in _PENDING_PLAN:
        view = book(call_center, _at(day, hour), minutes, call_center=True)
        if cancelled:
            bookings.change_status(call_center, view.id, _S.CANCELLED, reason=rng.choice(CANCEL_REASONS))
        count += 1

    for offset, agent in ((-1, team[0]), (-1, team[1]), (1, team[2]), (1, team[3])):
        other_day = day + timedelta(days=offset)
        view = book(dispatcher, _at(other_day, 9 + 2 * (agent.id % 3)), 90, agent_id=agent.id)
        if offset < 0:
            for status in (_S.CONFIRMED, _S.EN_ROUTE, _S.IN_PROGRESS, _S.COMPLETED):
                view = bookings.change_status(dispatcher, view.id, status)
        count += 1

    afternoon_off = timeoff.request_time_off(
        dispatcher, agent_id=team[7].id, start=_at(day, 12), end=_at(day, 18), reason="Dentist appointment"
    )
    timeoff.approve_time_off(dispatcher, afternoon_off.id)
    holiday = timeoff.request_time_off(
        dispatcher,
        agent_id=team[6].id,
        start=_at(day + timedelta(days=1), 0),
        end=_at(day + timedelta(days=3), 0),
        reason="Family visit",
    )
    timeoff.approve_time_off(dispatcher, holiday.id)
    timeoff.request_time_off(
        dispatcher,
        agent_id=team[2].id,
        start=_at(day + timedelta(days=7), 8),
        end=_at(day + timedelta(days=7), 18),
        reason="Moving house",
    )
    timeoff.request_time_off(
        dispatcher,
        agent_id=team[4].id,
        start=_at(day + timedelta(days=2), 13),
        end=_at(day + timedelta(days=2), 18),
        reason="Child's school play",
    )
    denied = timeoff.request_time_off(
        dispatcher,
        agent_id=team[1].id,
        start=_at(day + timedelta(days=1), 8),
        end=_at(day + timedelta(days=1), 12),
        reason="Personal errand",
    )
    timeoff.deny_time_off(dispatcher, denied.id, reason="Short-staffed tomorrow morning")
    return DemoSummary(
        operators=len(operators.list_operators(ctx)), agents=len(team), bookings=count, time_off=5
    )
