"""7. Two-way SMS: applying new inbound texts (one transaction each, exactly once) against the
floor of one bare committed write per text, and a repeat pull that finds every text stored."""

import time
from datetime import UTC, datetime, timedelta

from dispatch_desktop.domain.inbound import InboundSms
from dispatch_desktop.services import inbound
from dispatch_desktop.services.context import ServiceContext, bump_revision
from tests.bench.common import Table, progress, quiet_notification_log, ratio, sqlite_db, temp_dir

NAME = "inbound"


class Listed:
    def __init__(self, messages: list[InboundSms]) -> None:
        self.messages = messages

    def messages_since(self, after: datetime) -> list[InboundSms]:
        return [m for m in self.messages if m.received_at >= after]


def run(quick: bool) -> Table:
    n = 200 if quick else 1000
    table = Table(
        f"7. Two-way SMS: {n} inbound texts on SQLite (half STOP, half plain text)",
        ["step", "texts", "seconds", "ms per text", "vs bare write"],
    )
    now = datetime.now(UTC)
    texts = [
        InboundSms(f"SM{i:06d}", f"+1312555{i % 1000:04d}", "+15005550006", "STOP" if i % 2 else "hello?", now - timedelta(seconds=n - i))
        for i in range(n)
    ]  # fmt: skip
    with temp_dir("inbound") as tmp:
        quiet_notification_log(tmp / "home")
        db = sqlite_db(tmp)
        progress(f"inbound: {n} bare write transactions")
        started = time.perf_counter()
        for _ in range(n):
            with db.write() as session:
                bump_revision(session)
        floor = time.perf_counter() - started
        table.add("bare write transaction (revision bump)", n, floor, floor / n * 1000, "1.00×")
        ctx = ServiceContext(db, "bench")
        progress(f"inbound: pull of {n} new texts")
        started = time.perf_counter()
        report = inbound.pull_inbound(ctx, Listed(texts), now)
        pulled = time.perf_counter() - started
        if len(report.applied) != n:
            raise RuntimeError(f"applied {len(report.applied)} of {n}: {report.error}")
        table.add("pull: store + apply each new text", n, pulled, pulled / n * 1000, ratio(pulled, floor))
        started = time.perf_counter()
        again = inbound.pull_inbound(ctx, Listed(texts), now)
        repeat = time.perf_counter() - started
        table.add("repeat pull: every listed text already stored", again.listed, repeat, repeat / max(again.listed, 1) * 1000, ratio(repeat, floor))  # fmt: skip
        db.dispose()
    return table
