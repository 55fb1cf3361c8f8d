"""Fast bulk bookings for the benchmarks and the big-list tests, written around the services.

`generate_bookings(ctx, n)` adds n bookings (with their own agents and customers) to any
database, in batches through SQLAlchemy Core: the console's big-table tests and
tests/ui/bench_bookings_table.py use it. `sqlite_bookings(n)` and `pg_bookings(n)` build whole
cached databases for the big-table and cold-start benchmarks: SQLite files live in CACHE_DIR;
PostgreSQL data in a kept schema `bench_bookings_<n>`. Both are rebuilt when the schema revision
changes. Rows go in with executemany (SQLite) or COPY (PostgreSQL): 1 000 000 bookings take about
a minute, not hours. All three lay bookings out on the same grid, so no agent is double-booked.
"""

import random
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.domain.statuses import BookingSource, BookingStatus
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage import schema
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import Agent, Booking, Customer
from dispatch_desktop.storage.types import utcnow

# Only the cached builders import tests.bench.common: it sets the benchmarks' environment when
# imported (no FLASK_ENV, a null keyring), and the pytest suites import this module too.

FIRST = (
    "Maria",
    "James",
    "Aisha",
    "Wei",
    "Olga",
    "Carlos",
    "Priya",
    "John",
    "Fatima",
    "Liam",
    "Sofia",
    "Noah",
)
LAST = (
    "Garcia",
    "Smith",
    "Okafor",
    "Chen",
    "Kowalski",
    "Rossi",
    "Patel",
    "Nguyen",
    "Haddad",
    "Murphy",
    "Kim",
)
STREETS = ("W Madison St", "N Clark St", "S Halsted St", "W Fullerton Ave", "N Broadway", "E 63rd St")
SERVICES = (
    "Furnace repair",
    "AC tune-up",
    "Water heater install",
    "Drain cleaning",
    "Electrical panel check",
)
AGENTS = 50
SLOTS = 8  # one-hour jobs 08:00-16:00 per agent per day: never overlapping
FIRST_HOUR = 8
UNASSIGNED_EVERY = 6  # every sixth booking has no agent yet
CANCEL_REASONS = ("Customer cancelled", "Customer rebooked for next week")
SEARCH_TEXT = "kowalski"  # a customer surname: about one booking in eleven
_S = BookingStatus

Progress = Callable[[int, int], None]


def _agents(count: int, first_id: int = 1) -> list[tuple[str, str, str]]:
    """(name, phone, email) of agents first_id, first_id + 1, ...: unique, so a database can take more."""
    return [
        (
            f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]} ({i + 1})",
            f"+1312{2000000 + i:07d}",
            f"tech{i}@example.com",
        )
        for i in range(first_id - 1, first_id - 1 + count)
    ]


def _customers(count: int, first_id: int = 1) -> list[tuple[str, str, str | None]]:
    """(name, phone, email) of customers first_id, first_id + 1, ...; two in three have an email."""
    return [
        (
            f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}",
            f"+1646{2000000 + i:07d}",
            f"customer{i}@example.com" if i % 3 else None,
        )
        for i in range(first_id - 1, first_id - 1 + count)
    ]


def _grid(n: int, agent_count: int, rng: random.Random) -> tuple[int, Iterator[tuple[int, int, int | None]]]:
    """How many days n bookings span, and per booking (day, hour, agent index or None).

    Assigned bookings fill each agent's one-hour slots day by day, so none overlap (PostgreSQL's
    exclusion constraint holds); the unassigned ones fall on random slots of those days.
    """
    per_day = agent_count * SLOTS
    days = max(1, -(-(n - n // UNASSIGNED_EVERY) // per_day))

    def slots() -> Iterator[tuple[int, int, int | None]]:
        assigned = 0
        for i in range(n):
            if i % UNASSIGNED_EVERY == UNASSIGNED_EVERY - 1:
                yield rng.randrange(days), FIRST_HOUR + rng.randrange(SLOTS), None
            else:
                yield (
                    assigned // per_day,
                    FIRST_HOUR + (assigned % per_day) // agent_count,
                    assigned % agent_count,
                )
                assigned += 1

    return days, slots()


def _status(rng: random.Random, day: date, today: date, assigned: bool) -> tuple[str, str | None]:
    """Past: completed, no-show or cancelled; today: any stage; later: scheduled, confirmed or pending."""
    roll = rng.random()
    if day < today:
        if roll < 0.08 or not assigned:
            return _S.CANCELLED.value, CANCEL_REASONS[0 if assigned else 1]
        return (_S.NO_SHOW.value if roll < 0.12 else _S.COMPLETED.value), None
    if not assigned:
        return _S.PENDING.value, None
    if day == today:
        return rng.choice((_S.SCHEDULED, _S.CONFIRMED, _S.EN_ROUTE, _S.IN_PROGRESS, _S.COMPLETED)).value, None
    return (_S.CONFIRMED.value if roll < 0.4 else _S.SCHEDULED.value), None


def _rows(n: int, customers: int) -> "list[tuple]":
    """(customer_id, agent_id, address, service, starts, ends, source, status, reason) with UTC datetimes."""
    rng = random.Random(5)
    today = datetime.now(UTC).date()
    days, grid = _grid(n, AGENTS, rng)
    first_day = today - timedelta(days=days // 2)
    out = []
    for i, (offset, hour, agent) in enumerate(grid):
        day = first_day + timedelta(days=offset)
        starts = datetime.combine(day, time(hour), UTC)
        status, reason = _status(rng, day, today, agent is not None)
        out.append(
            (
                i % customers + 1,
                None if agent is None else agent + 1,
                f"{100 + i % 9800} {STREETS[i % len(STREETS)]}, Chicago, IL",
                SERVICES[i % len(SERVICES)],
                starts,
                starts + timedelta(hours=1),
                (BookingSource.DISPATCHER if agent is not None else BookingSource.CALL_CENTER).value,
                status,
                reason,
            )
        )
    return out


def generate_bookings(
    ctx: ServiceContext,
    n: int,
    *,
    day: date | None = None,
    agent_count: int = 50,
    customer_count: int = 20_000,
    batch_size: int = 20_000,
    seed: int = 1,
    progress: Progress | None = None,
) -> int:
    """Insert `n` bookings (plus their own agents and customers) in batches; returns n.

    Bookings surround `day` (default today in the business time zone) on the grid of `_grid`.
    Needs the right to manage bookings; writes no audit or outbox rows.
    """
    if n <= 0:
        return 0
    zone = ctx.team_settings().zone
    day = day or datetime.now(zone).date()
    rng = random.Random(seed)
    now = utcnow()
    username = ctx.username
    customer_count = max(1, min(customer_count, n))

    with ctx.writing(Permission.MANAGE_BOOKINGS) as unit:
        connection = unit.session.connection()
        first_agent = (unit.session.scalar(select(func.max(Agent.id))) or 0) + 1
        connection.execute(
            insert(Agent.__table__),
            [
                {
                    "name": name,
                    "phone": phone,
                    "email": email,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for name, phone, email in _agents(agent_count, first_agent)
            ],
        )
        agent_ids = list(
            unit.session.scalars(select(Agent.id).where(Agent.id >= first_agent).order_by(Agent.id))
        )
        first_customer = (unit.session.scalar(select(func.max(Customer.id))) or 0) + 1
        people = _customers(customer_count, first_customer)
        for start in range(0, customer_count, batch_size):
            connection.execute(
                insert(Customer.__table__),
                [
                    {"name": name, "phone": phone, "email": email, "created_at": now}
                    for name, phone, email in people[start : start + batch_size]
                ],
            )
        customer_ids = list(unit.session.scalars(select(Customer.id).where(Customer.id >= first_customer)))

    days, grid = _grid(n, agent_count, rng)
    first_day = day - timedelta(days=days // 2)
    written = 0
    while written < n:
        rows = []
        for i in range(written, min(n, written + batch_size)):
            offset, hour, agent = next(grid)
            slot_day = first_day + timedelta(days=offset)
            starts_at = datetime.combine(slot_day, time(hour), zone)
            agent_id = None if agent is None else agent_ids[agent]
            status, reason = _status(rng, slot_day, day, agent_id is not None)
            rows.append(
                {
                    "customer_id": customer_ids[i % len(customer_ids)],
                    "agent_id": agent_id,
                    "address": f"{100 + i % 9800} {STREETS[i % len(STREETS)]}, Chicago, IL",
                    "service": SERVICES[i % len(SERVICES)],
                    "starts_at": starts_at,
                    "ends_at": starts_at + timedelta(hours=1),
                    "source": (
                        BookingSource.CALL_CENTER if agent_id is None else BookingSource.DISPATCHER
                    ).value,
                    "status": status,
                    "cancel_reason": reason,
                    "notes": None,
                    "version": 1,
                    "created_by": username,
                    "created_at": now,
                    "updated_by": username,
                    "updated_at": now,
                }
            )
        with ctx.writing(Permission.MANAGE_BOOKINGS) as unit:
            # Core, not ORM: the ORM splits batches whenever a row has a None where another has a value.
            unit.session.connection().execute(insert(Booking.__table__), rows)
        written += len(rows)
        if progress is not None:
            progress(written, n)
    return n


def _sqlite_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def sqlite_bookings(n: int) -> Path:
    """A migrated SQLite file with n bookings (cached)."""
    from tests.bench.common import CACHE_DIR, migrated, progress  # see the note on imports

    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"bookings-{n}.db"
    marker = path.with_suffix(".ok")
    probe = Database(f"sqlite:///{path}") if path.exists() else None
    if probe is not None:
        ok = marker.exists() and schema.current_revision(probe) == schema.head_revision(probe)
        probe.dispose()
        if ok:
            return path
    for stale in (path, marker, path.with_suffix(".db-wal"), path.with_suffix(".db-shm")):
        stale.unlink(missing_ok=True)
    progress(f"building SQLite database with {n:,} bookings (cached in {CACHE_DIR})")
    db = migrated(f"sqlite:///{path}")
    db.dispose()
    customers = max(1, min(n // 5, 200_000))
    agents, people = _agents(AGENTS), _customers(customers)
    now = _sqlite_time(datetime.now(UTC))
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    with conn:
        conn.executemany(
            "INSERT INTO agents (name, phone, email, active, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)",
            [(*a, now, now) for a in agents],
        )
        conn.executemany(
            "INSERT INTO customers (name, phone, email, created_at) VALUES (?, ?, ?, ?)",
            [(*c, now) for c in people],
        )
        conn.executemany(
            "INSERT INTO bookings (customer_id, agent_id, address, service, starts_at, ends_at, source, status,"
            " cancel_reason, version, created_by, created_at, updated_by, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 'bench', ?, 'bench', ?)",
            (
                (c, a, addr, svc, _sqlite_time(s), _sqlite_time(e), src, st, why, now, now)
                for c, a, addr, svc, s, e, src, st, why in _rows(n, customers)
            ),
        )
    conn.execute("ANALYZE")
    conn.close()
    marker.write_text("ok")
    return path


def pg_bookings(n: int) -> str:
    """A URL of a kept PostgreSQL schema with n bookings (cached)."""
    from tests.bench.common import PgSchemas, migrated, pg_schema_url, progress  # see the note on imports

    name = f"bench_bookings_{n}"
    url = pg_schema_url(name)
    schemas = PgSchemas()
    try:
        if schemas.exists(name):
            db = Database(url)
            try:
                with db.read() as session:
                    ok = session.execute(text("SELECT count(*) FROM bookings")).scalar() == n
                ok = ok and schema.current_revision(db) == schema.head_revision(db)
            except Exception:
                ok = False
            db.dispose()
            if ok:
                return url
        progress(f"building PostgreSQL schema {name} with {n:,} bookings (kept for later runs)")
        schemas.create(name, keep=True)
        db = migrated(url)
        customers = max(1, min(n // 5, 200_000))
        agents, people = _agents(AGENTS), _customers(customers)
        now = datetime.now(UTC)
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            with cur.copy(
                "COPY agents (name, phone, email, active, created_at, updated_at) FROM STDIN"
            ) as copy:
                for a in agents:
                    copy.write_row((*a, True, now, now))
            with cur.copy("COPY customers (name, phone, email, created_at) FROM STDIN") as copy:
                for c in people:
                    copy.write_row((*c, now))
            with cur.copy(
                "COPY bookings (customer_id, agent_id, address, service, starts_at, ends_at, source, status,"
                " cancel_reason, version, created_by, created_at, updated_by, updated_at) FROM STDIN"
            ) as copy:
                for row in _rows(n, customers):
                    copy.write_row((*row, 1, "bench", now, "bench", now))
            raw.commit()
            # This schema's tables only: a bare ANALYZE walks every schema of the shared server
            # and runs out of lock slots when many test schemas exist.
            for table in ("agents", "customers", "bookings"):
                cur.execute(f"ANALYZE {table}")
            raw.commit()
        finally:
            raw.close()
        db.dispose()
        return url
    finally:
        schemas.admin.dispose()
