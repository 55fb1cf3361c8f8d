"""11. Message templates: what reading the overrides in every booking's transaction costs.

Each booking event reads the message_templates table once (one small query) instead of keeping
a cache keyed by the revision: side by side, bookings created with no override and with an
override of every part of the two kinds a booking with an agent sends, and the query alone.
"""

import time

from dispatch_desktop.services import agents, bookings, templates
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.team_settings import update_team_settings
from dispatch_desktop.storage import templates as template_store
from tests.bench.common import Table, progress, quiet_notification_log, ratio, sqlite_db, temp_dir

NAME = "templates"
OVERRIDES = {
    "sms": "Booked: {{ ref }}, {{ service }} on {{ when }} at {{ address }}.",
    "subject": "Booking {{ ref }} confirmed",
    "text": "Hello {{ recipient_name }},\n\n{% include '_booking.txt' %}\n\n{{ company_line }}",
    "html": "{% extends '_base.html' %}{% block content %}{% include '_booking.html' %}{% endblock %}",
}


def _create(ctx: ServiceContext, agent_id: int, first: int, n: int) -> float:
    started = time.perf_counter()
    for i in range(first, first + n):
        day, slot = divmod(i, 20)  # half-hour slots 08:00 to 17:30 on 28 days: 560 without a clash
        hour, minute = 8 + slot // 2, 30 * (slot % 2)
        bookings.create_booking(
            ctx,
            customer_name=f"Customer {i}",
            customer_phone=f"312-555-{i % 10000:04d}",
            customer_email=None,
            address="12 Elm Street, Chicago",
            service="Boiler service",
            start=f"2027-02-{1 + day:02d} {hour:02d}:{minute:02d}",
            end=f"2027-02-{1 + day:02d} {hour:02d}:{minute + 20:02d}",
            agent_id=agent_id,
        )
    return time.perf_counter() - started


def run(quick: bool) -> Table:
    n = 100 if quick else 250
    table = Table(
        f"11. Message templates: {n} bookings with an agent on SQLite (4 outbox rows each)",
        ["step", "count", "seconds", "ms each", "vs no override"],
    )
    with temp_dir("templates") as tmp:
        quiet_notification_log(tmp / "home")
        db = sqlite_db(tmp)
        ctx = ServiceContext(db, "bench")
        update_team_settings(
            ctx,
            timezone_name="America/Chicago",
            sms_per_recipient_per_day=1000,
            sms_per_operator_per_hour=100_000,
            reminders="off",
            quiet_hours="off",
            customer_hold_seconds=0,
        )
        agent = agents.add_agent(ctx, name="Ann Field", phone="312-555-0101", email="ann@example.com")
        progress(f"templates: {n} bookings, no override")
        plain = _create(ctx, agent.id, 0, n)
        table.add("create a booking, no override", n, plain, plain / n * 1000, "1.00×")
        for kind in ("customer_confirmation", "agent_assignment"):
            for part, text in OVERRIDES.items():
                templates.set_part(ctx, kind, part, "en", text)
        progress(f"templates: {n} bookings, 8 overrides in force")
        overridden = _create(ctx, agent.id, n, n)
        table.add(
            "create a booking, 8 overrides read and rendered",
            n,
            overridden,
            overridden / n * 1000,
            ratio(overridden, plain),
        )
        started = time.perf_counter()
        for _ in range(n):
            with db.read() as session:
                template_store.overrides(session)
        query = time.perf_counter() - started
        table.add(
            "the overrides query alone (own read transaction)",
            n,
            query,
            query / n * 1000,
            ratio(query, plain),
        )
        db.dispose()
    return table
