"""Fast bulk bookings for the big-table and cold-start benchmarks, cached between runs.

SQLite files live in CACHE_DIR; PostgreSQL data in a kept schema `bench_bookings_<n>`. Both are
rebuilt when the schema revision changes. Rows go in with executemany (SQLite) or COPY
(PostgreSQL), around the services: 1 000 000 bookings take about a minute, not hours.
"""

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from dispatch_desktop.storage import schema
from dispatch_desktop.storage.engine import Database
from tests.bench.common import CACHE_DIR, PgSchemas, migrated, pg_schema_url, progress

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
SEARCH_TEXT = "kowalski"  # a customer surname: about one booking in eleven


def _status(rng: random.Random, past: bool, assigned: bool) -> tuple[str, str | None]:
    if past:
        if rng.random() < 0.08 or not assigned:
            return "cancelled", "Customer cancelled"
        return ("no_show" if rng.random() < 0.04 else "completed"), None
    if not assigned:
        return "pending", None
    return ("confirmed" if rng.random() < 0.4 else "scheduled"), None


def _rows(n: int, customers: int) -> "list[tuple]":
    """(customer_id, agent_id, address, service, starts, ends, source, status, reason) with UTC datetimes."""
    rng = random.Random(5)
    today = datetime.now(UTC).replace(hour=14, minute=0, second=0, microsecond=0)
    per_day = AGENTS * SLOTS
    assigned_total = n - n // 6
    days = max(1, -(-assigned_total // per_day))
    first_day = today - timedelta(days=days // 2)
    out = []
    slot = 0
    for i in range(n):
        if i % 6 == 5:
            day, hour, agent = rng.randrange(days), rng.randrange(SLOTS), None
        else:
            day, hour, agent = slot // per_day, (slot % per_day) // AGENTS, slot % AGENTS + 1
            slot += 1
        starts = first_day + timedelta(days=day, hours=hour - 6)
        status, reason = _status(rng, starts < today, agent is not None)
        out.append(
            (
                i % customers + 1,
                agent,
                f"{100 + i % 9800} {STREETS[i % len(STREETS)]}, Chicago, IL",
                SERVICES[i % len(SERVICES)],
                starts,
                starts + timedelta(hours=1),
                "dispatcher" if agent else "call-center",
                status,
                reason,
            )
        )
    return out


def _people(customers: int) -> tuple[list[tuple], list[tuple]]:
    agents = [
        (
            f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]} ({i + 1})",
            f"+1312{2000000 + i:07d}",
            f"tech{i}@example.com",
        )
        for i in range(AGENTS)
    ]
    people = [
        (
            f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}",
            f"+1646{2000000 + i:07d}",
            f"customer{i}@example.com" if i % 3 else None,
        )
        for i in range(customers)
    ]
    return agents, people


def _sqlite_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def sqlite_bookings(n: int) -> Path:
    """A migrated SQLite file with n bookings (cached)."""
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
    agents, people = _people(customers)
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
        agents, people = _people(customers)
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
            cur.execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()
        db.dispose()
        return url
    finally:
        schemas.admin.dispose()
