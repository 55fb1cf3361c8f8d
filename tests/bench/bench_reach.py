"""7. Who was not reached: what reading a booking's `unreached` adds to the bookings table's reads.

On the SQLite file of bench_tables (100 000 bookings; 20 000 with --quick) with two outbox rows per
booking, 1 % of them failed or undelivered: a page of the table (200 ids), the first page, the
whole `booking list` and the status bar's poll, each with the unreached (as shipped) side by side
with the same read without it.
"""

import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from dispatch_desktop.services import bookings, outbox, reach
from dispatch_desktop.services.bookings import BookingQuery
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import BookingView
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import Booking
from tests.bench.bulk import _sqlite_time, sqlite_bookings
from tests.bench.common import Table, median, progress, ratio

NAME = "reach"
PAGE = 200
MISSED_EVERY = 100  # one message in a hundred did not reach its person


def _add_outbox(path: Path) -> int:
    """Two rows per booking (customer SMS, agent SMS); every MISSED_EVERY-th failed or undelivered."""
    conn = sqlite3.connect(path)
    now = _sqlite_time(datetime.now(UTC))
    ids = [row[0] for row in conn.execute("SELECT id FROM bookings ORDER BY id")]

    def rows() -> Iterator[tuple[object, ...]]:
        n = 0
        for booking_id in ids:
            for kind in ("customer", "agent"):
                n += 1
                missed = n % MISSED_EVERY == 0
                status = "failed" if missed and kind == "customer" else "sent"
                delivery = (
                    "undelivered" if missed and kind == "agent" else ("delivered" if not missed else None)
                )
                yield (
                    f"bench:{n}", "booking_created", "sms", f"+1312555{n % 10_000:04}", kind, kind, "body",
                    booking_id, status, "production", "production", now, now, now, delivery,
                    30003 if delivery == "undelivered" else None,
                    "30003 phone unreachable" if delivery == "undelivered" else None,
                    "Twilio HTTP 400 21211: invalid" if status == "failed" else None,
                )  # fmt: skip

    with conn:
        conn.executemany(
            "INSERT INTO outbox (dedupe_key, event, channel, recipient, recipient_name, recipient_kind, body,"
            " booking_id, status, environment, queued_environment, created_at, updated_at, next_attempt_at,"
            " delivery, delivery_error_code, delivery_reason, last_error, attempts)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            rows(),
        )
    conn.execute("ANALYZE")
    count = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    conn.close()
    return count


def _without(ctx: ServiceContext, ids: list[int]) -> dict[int, BookingView]:
    """bookings_by_ids as it was before the unreached: the bookings alone."""
    with ctx.reading() as unit:
        rows = unit.session.scalars(select(Booking).where(Booking.id.in_(ids)))
        return {row.id: BookingView.of(row) for row in rows.unique()}


def _list_without(ctx: ServiceContext) -> list[BookingView]:
    with ctx.reading() as unit:
        query = BookingQuery()
        statement = bookings._ordered(bookings._filtered(select(Booking), query), query)
        return [BookingView.of(row) for row in unit.session.scalars(statement).unique()]


def _first_without(ctx: ServiceContext) -> list[BookingView]:
    with ctx.reading() as unit:
        query = BookingQuery(limit=PAGE)
        statement = bookings._ordered(bookings._filtered(select(Booking), query), query)
        return [BookingView.of(row) for row in unit.session.scalars(statement).unique()]


def _ms(action: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return median(times)


def run(quick: bool) -> Table:
    n = 20_000 if quick else 100_000
    reps = 5 if quick else 9
    table = Table(
        f"7. Who was not reached: SQLite, {n:,} bookings, {2 * n:,} outbox rows ({100 // MISSED_EVERY} % "
        "missed); median ms of each read with the unreached and without",
        ["read", "with unreached", "without", "with ÷ without"],
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reach.db"
        shutil.copy(sqlite_bookings(n), path)
        progress(f"reach: {_add_outbox(path):,} outbox rows")
        db = Database(f"sqlite:///{path}")
        ctx = ServiceContext(db, "bench")
        ids = bookings.booking_ids(ctx, BookingQuery())
        middle = ids[len(ids) // 2 : len(ids) // 2 + PAGE]
        missed = sum(1 for view in bookings.bookings_by_ids(ctx, middle).values() if view.unreached)
        cases: list[tuple[str, Callable[[], object], Callable[[], object], int]] = [
            (f"a table page ({PAGE} ids)", lambda: bookings.bookings_by_ids(ctx, middle), lambda: _without(ctx, middle), reps * 4),
            (f"first page (LIMIT {PAGE})", lambda: bookings.first_page(ctx, BookingQuery(), PAGE), lambda: _first_without(ctx), reps * 4),
            (f"booking list (all {n:,})", lambda: bookings.list_bookings(ctx), lambda: _list_without(ctx), 1),
            ("status bar poll (+ not reached count)", lambda: (outbox.status_counts(ctx), reach.bookings_not_reached(ctx)), lambda: outbox.status_counts(ctx), reps * 2),
        ]  # fmt: skip
        for label, with_it, without, times in cases:
            progress(f"reach: {label}")
            a, b = _ms(with_it, times), _ms(without, times)
            table.add(label, f"{a:.1f}", f"{b:.1f}", ratio(a, b))
        table.notes.append(f"{missed} of the page's {PAGE} bookings have someone not reached")
        db.dispose()
    return table
