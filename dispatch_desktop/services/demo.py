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
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan", "Mia", "Lucas", "Harper", "Mason", "Ella",
    "Logan", "Chloe", "James", "Zoe", "Henry", "Nora", "Jack", "Leah", "Owen", "Ruby", "Caleb",
    "Diego", "Fatima", "Grace", "Isaac", "Keisha", "Marco", "Anika", "Tyrone", "Wei", "Yusuf",
)  # fmt: skip
CUSTOMER_LAST = (
    "Johnson", "Martinez", "Nguyen", "Brown", "Patel", "Garcia", "Wilson", "Anderson", "Lee",
    "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "King", "Wright", "Scott",
    "Kowalski", "O'Brien", "Okafor", "Rossi", "Novak", "Ramirez", "Cohen", "Washington",
    "Hernandez", "Sullivan",
)  # fmt: skip
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

# Per agent: (slot start hour, minutes, what happened apart from the clock). The clock decides
# the status (services/demo._status_at); a mark says the customer confirmed, the agent runs late,
# nobody was home, or the customer cancelled.
_S = BookingStatus
PLAIN, CONFIRMED, LATE, NO_SHOW, CANCELLED = "", "confirmed", "late", "no-show", "cancelled"
_DAY_PLAN: tuple[tuple[tuple[float, int, str], ...], ...] = (
    ((8, 90, CONFIRMED), (10.5, 90, CONFIRMED), (13, 60, CONFIRMED), (15.5, 90, PLAIN)),
    ((8.5, 60, CONFIRMED), (10, 120, LATE), (14, 90, PLAIN), (16, 60, CANCELLED)),
    ((8, 120, NO_SHOW), (11, 60, CONFIRMED), (13.5, 90, CONFIRMED), (16, 90, PLAIN)),
    ((9, 60, CONFIRMED), (11, 90, CONFIRMED), (14.5, 60, PLAIN), (16, 120, CONFIRMED)),
    ((8, 60, CONFIRMED), (9.5, 90, CONFIRMED), (13, 120, CANCELLED), (15.5, 60, CONFIRMED)),
    ((8.5, 90, LATE), (12, 60, PLAIN), (14, 90, CONFIRMED)),
    ((9, 120, CONFIRMED), (12.5, 60, CONFIRMED), (15, 90, PLAIN)),
    # The last agent has approved time off from 12:00, so only a morning.
    ((8, 90, CONFIRMED), (10, 60, CONFIRMED)),
)
# Unassigned requests, mostly taken by the call center: (hour, minutes, cancelled?). One whose
# hour has passed is for tomorrow: a request waits for an agent, it is not overdue all day.
_PENDING_PLAN = (
    (9.5, 60, False),
    (12, 90, False),
    (13, 60, False),
    (15, 60, False),
    (17, 60, False),
    (11, 60, True),
)
# The status changes that lead from scheduled to each status, each a real change_status call,
# so the audit trail reads naturally; a customer who confirmed did so first.
_PATHS: dict[BookingStatus, tuple[BookingStatus, ...]] = {
    _S.SCHEDULED: (),
    _S.CONFIRMED: (),
    _S.EN_ROUTE: (_S.EN_ROUTE,),
    _S.IN_PROGRESS: (_S.EN_ROUTE, _S.IN_PROGRESS),
    _S.COMPLETED: (_S.EN_ROUTE, _S.IN_PROGRESS, _S.COMPLETED),
    _S.NO_SHOW: (_S.NO_SHOW,),
    _S.CANCELLED: (_S.CANCELLED,),
}
# An agent sets off this long before a job when nothing else keeps them.
EN_ROUTE_BEFORE = timedelta(minutes=30)


@dataclass(frozen=True)
class DemoSummary:
    operators: int
    agents: int
    bookings: int
    time_off: int


# A day given without a clock is shown as it stands at 11:15: every status at once.
PLAN_CLOCK = time(11, 15)
AREA_CODES = ("312", "773", "872", "630", "708", "847", "224", "331")
EMAIL_SHARE = 0.85
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


def _plan_time(day: date, hour: float) -> datetime:
    whole = int(hour)
    return datetime.combine(day, time(whole, round((hour - whole) * 60)))


def _status_at(start: datetime, end: datetime, mark: str, now: datetime, *, busy: bool) -> BookingStatus:
    """What a booking with `mark` is at `now`; `busy`: its agent is on another job now."""
    if mark == CANCELLED:
        return _S.CANCELLED
    if end <= now:
        return _S.NO_SHOW if mark == NO_SHOW else _S.COMPLETED
    if start <= now:
        return _S.EN_ROUTE if mark == LATE else _S.IN_PROGRESS
    if start - now <= EN_ROUTE_BEFORE and not busy:
        return _S.EN_ROUTE
    return _S.CONFIRMED if mark == CONFIRMED else _S.SCHEDULED


class _Customers:
    """Distinct believable customers: each first name once before any comes again, no full name
    twice, phones across the Chicago area codes in the fictional 555-01xx range (none a staff
    number), most with an email address."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        staff = {phone for *_, phone, _ in DEMO_OPERATORS} | {phone for _, phone in DEMO_AGENTS}
        self.phones = [f"+1{area}55501{line:02d}" for area in AREA_CODES for line in range(100)]
        self.phones = [phone for phone in self.phones if phone not in staff]
        rng.shuffle(self.phones)
        self.first = rng.sample(CUSTOMER_FIRST, len(CUSTOMER_FIRST))
        self.last = rng.sample(CUSTOMER_LAST, len(CUSTOMER_LAST))
        self.made = 0

    def next(self) -> tuple[str, str, str | None, str]:
        rng, index = self.rng, self.made
        self.made += 1
        # The last name steps on by one more each round of first names, so no pair comes twice.
        first = self.first[index % len(self.first)]
        last = self.last[(index + index // len(self.first)) % len(self.last)]
        local = rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}{rng.randint(1, 99)}"))
        email = f"{local.lower().replace(chr(39), '')}@{rng.choice(EMAIL_DOMAINS)}"
        address = f"{rng.randint(100, 4999)} {rng.choice(STREETS)}, Chicago, IL"
        return f"{first} {last}", self.phones.pop(), email if rng.random() < EMAIL_SHARE else None, address


DEMO_DAYS_BACK = 2
# Late in the day an agent has been told of every step of five jobs within minutes of loading.
DEMO_TEXTS_PER_NUMBER_DAY = 40


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
    ctx: ServiceContext,
    day: date | None = None,
    *,
    now: datetime | None = None,
    os_name: str | None = None,
) -> DemoSummary:
    """A working day at a small plumbing and heating firm: team, agents, bookings, time off.

    The day of `now` (the business time zone's wall clock, default the present) gets bookings
    from 08:00 to 18:00, with a few the day before and after; each one's status agrees with
    `now`: done or a no-show once over, in progress (or en route, running late) while on, en
    route shortly before, scheduled or confirmed ahead. `day` alone is that day at 11:15, when
    every status shows. On an install without operators, the acting user becomes a supervisor
    too (unless they act as one of the demo team).
    """
    settings = ctx.team_settings()
    if now is None:
        now = datetime.combine(day, PLAN_CLOCK) if day else datetime.now(settings.zone).replace(tzinfo=None)
    day = now.date()
    rng = random.Random(day.toordinal())
    customers = _Customers(rng)

    loader = _ensure_operators(ctx, os_name)
    if settings.booking_days_back < DEMO_DAYS_BACK:  # the day before starts over a day ago
        team_settings.update_team_settings(loader, booking_days_back=DEMO_DAYS_BACK)
    if settings.sms_per_recipient_per_day < DEMO_TEXTS_PER_NUMBER_DAY:
        team_settings.update_team_settings(loader, sms_per_recipient_per_day=DEMO_TEXTS_PER_NUMBER_DAY)
    dispatcher = ServiceContext(ctx.db, "dana", ctx.config)
    # Dana and Priya share the agents: one dispatcher's texts would pass the hourly SMS cap.
    desk = (dispatcher, ServiceContext(ctx.db, "priya", ctx.config))
    call_center = ServiceContext(ctx.db, "carla", ctx.config)

    team: list[AgentView] = []
    for name, phone in DEMO_AGENTS:
        email = name.lower().replace("'", "").replace(" ", ".") + "@example.com"
        team.append(agents.add_agent(loader, name=name, phone=phone, email=email))

    count = 0

    def book(
        actor: ServiceContext,
        start: datetime,
        minutes: int,
        *,
        notes_from: tuple[str | None, ...] = (),
        **assignment: Any,
    ) -> BookingView:
        """The next customer, a random service and (from `notes_from`) notes; draws in that order."""
        name, phone, email, address = customers.next()
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

    def work(agent: AgentView, on: date, plan: tuple[tuple[float, int, str], ...]) -> None:
        """The agent's bookings of `plan`, each moved to the status the clock gives it."""
        nonlocal count
        busy, by = False, desk[agent.id % 2]
        for hour, minutes, mark in plan:
            start = _plan_time(on, hour)
            status = _status_at(start, start + timedelta(minutes=minutes), mark, now, busy=busy)
            busy = status in (_S.IN_PROGRESS, _S.EN_ROUTE)
            view = book(by, start, minutes, notes_from=_NOTES, agent_id=agent.id)
            confirmed = (_S.CONFIRMED,) if mark == CONFIRMED and status != _S.CANCELLED else ()
            for step in confirmed + _PATHS[status]:
                reason = rng.choice(CANCEL_REASONS) if step == _S.CANCELLED else None
                view = bookings.change_status(by, view.id, step, reason=reason)
            count += 1

    for agent, plan in zip(team, _DAY_PLAN, strict=True):
        work(agent, day, plan)

    for hour, minutes, cancelled in _PENDING_PLAN:
        start = _plan_time(day, hour)
        if start <= now and not cancelled:
            start += timedelta(days=1)
        view = book(call_center, start, minutes, call_center=True)
        if cancelled:
            bookings.change_status(call_center, view.id, _S.CANCELLED, reason=rng.choice(CANCEL_REASONS))
        count += 1

    for offset, agent in ((-1, team[0]), (-1, team[1]), (1, team[2]), (1, team[3])):
        work(agent, day + timedelta(days=offset), ((9 + 2 * (agent.id % 3), 90, CONFIRMED),))

    afternoon_off = timeoff.request_time_off(
        dispatcher,
        agent_id=team[7].id,
        start=_plan_time(day, 12),
        end=_plan_time(day, 18),
        reason="Dentist appointment",
    )
    timeoff.approve_time_off(dispatcher, afternoon_off.id)
    holiday = timeoff.request_time_off(
        dispatcher,
        agent_id=team[6].id,
        start=_plan_time(day + timedelta(days=1), 0),
        end=_plan_time(day + timedelta(days=3), 0),
        reason="Family visit",
    )
    timeoff.approve_time_off(dispatcher, holiday.id)
    timeoff.request_time_off(
        dispatcher,
        agent_id=team[2].id,
        start=_plan_time(day + timedelta(days=7), 8),
        end=_plan_time(day + timedelta(days=7), 18),
        reason="Moving house",
    )
    timeoff.request_time_off(
        dispatcher,
        agent_id=team[4].id,
        start=_plan_time(day + timedelta(days=2), 13),
        end=_plan_time(day + timedelta(days=2), 18),
        reason="Child's school play",
    )
    denied = timeoff.request_time_off(
        dispatcher,
        agent_id=team[1].id,
        start=_plan_time(day + timedelta(days=1), 8),
        end=_plan_time(day + timedelta(days=1), 12),
        reason="Personal errand",
    )
    timeoff.deny_time_off(dispatcher, denied.id, reason="Short-staffed tomorrow morning")
    return DemoSummary(
        operators=len(operators.list_operators(ctx)), agents=len(team), bookings=count, time_off=5
    )
