"""7. Delivery receipts: one sync pass over 1,000 sent texts, the Messages list vs one GET per text."""

import time
from pathlib import Path
from unittest import mock

from sqlalchemy import text

from dispatch_desktop.config import Config
from dispatch_desktop.notify import delivery
from dispatch_desktop.services import provider_sync
from dispatch_desktop.storage.engine import Database
from tests.bench.common import (
    ServerProcess,
    Table,
    environ,
    outbox_counts,
    progress,
    queue_outbox,
    quiet_notification_log,
    ratio,
    sqlite_db,
    temp_dir,
)

NAME = "receipts"
LATENCY = 0.05  # per request, as the SMS benchmark's server


def sent_texts(twilio: ServerProcess, n: int, tmp: Path) -> Database:
    """n texts sent through the outbox worker: rows `sent` with the server's SIDs, receipts pending."""
    db = sqlite_db(tmp, "receipts.db")
    queue_outbox(db, sms=n)
    with environ({"FLASK_ENV": "production", **twilio.env}):
        delivery.deliver_due(db, Config(), worker_id="bench-sender")
    if outbox_counts(db).get("sent") != n:
        raise RuntimeError(f"sending: outbox {outbox_counts(db)}")
    return db


def one_pass(twilio: ServerProcess, db: Database, holder: str) -> tuple[provider_sync.SyncReport, float, int]:
    """A sync pass from scratch (no receipt recorded yet): its report, seconds, and GETs the server saw."""
    with db.write() as session:  # every text pending again, and nobody leading
        session.execute(text("UPDATE outbox SET delivery = NULL, delivery_error_code = NULL"))
        session.execute(text("DELETE FROM leases"))
    reads = int(twilio.ask("reads"))
    with environ({"FLASK_ENV": "production", **twilio.env}):
        started = time.perf_counter()
        report = provider_sync.run_sync_pass(db, Config(), holder=holder)
        elapsed = time.perf_counter() - started
    return report, elapsed, int(twilio.ask("reads")) - reads


def run(quick: bool) -> Table:
    n = 1000  # small enough for --quick too: the sends take seconds, a pass less
    table = Table(
        f"7. Delivery receipts: one sync pass over {n} sent SMS with pending receipts, local Twilio-like "
        f"server with {LATENCY * 1000:.0f} ms latency",
        ["way", "messages", "requests", "messages/request", "seconds", "receipts recorded", "vs per-message"],
    )
    with temp_dir("receipts") as tmp, ServerProcess("twilio", "--latency", str(LATENCY)) as twilio:
        quiet_notification_log(tmp / "home")
        progress(f"receipts: sending {n} texts")
        db = sent_texts(twilio, n, tmp)
        twilio.ask("settle")
        progress("receipts: one GET per message")
        with mock.patch.object(provider_sync, "HANDFUL", n):
            single, single_s, single_reads = one_pass(twilio, db, "bench-per-message")
        progress("receipts: the Messages list")
        listed, listed_s, listed_reads = one_pass(twilio, db, "bench-list")
        db.dispose()
    for label, report, seconds, reads in (
        ("one GET per message (Messages/{Sid}.json)", single, single_s, single_reads),
        ("sync pass: Messages list, PageSize=1000, From + DateSent>=", listed, listed_s, listed_reads),
    ):
        if report.requests != reads:
            raise RuntimeError(f"{label}: the reader counted {report.requests}, the server saw {reads}")
        recorded = report.steps["receipts"].changes()
        if recorded != n:
            raise RuntimeError(f"{label}: {recorded} of {n} receipts recorded")
        table.add(
            label, n, reads, n / reads, seconds, recorded, ratio(single_reads, reads) + " fewer requests"
        )
    per_request = n / listed_reads
    fewer = single_reads / listed_reads
    table.notes.append(
        f"{per_request:.0f} messages per request (target ≥ 500 → {'met' if per_request >= 500 else 'MISSED'}); "
        f"{fewer:.0f}× fewer requests than one GET per message (target ≥ 100× → "
        f"{'met' if fewer >= 100 else 'MISSED'}); the pass took {listed_s:.2f} s vs {single_s:.2f} s "
        f"({ratio(single_s, listed_s)} faster)"
    )
    return table
