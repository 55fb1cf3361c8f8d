"""3. SMS throughput: the outbox worker vs sequential sends, and a configured rate limit honoured."""

import time
from pathlib import Path
from unittest import mock

from dispatch_desktop.config import Config, TwilioConfig
from dispatch_desktop.notify import credentials, delivery
from dispatch_desktop.notify.twilio_sender import TwilioSender
from tests.bench.common import (
    SMS_TEXT,
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

NAME = "sms"
LATENCY = 0.05
RATE_LIMIT = 40.0


def sequential(twilio: ServerProcess, n: int) -> float:
    """One send after another through the same TwilioSender (one client, keep-alive)."""
    with environ(dict(twilio.env)):  # type: ignore[arg-type]
        sender = TwilioSender(credentials.load_twilio(Config()))
        started = time.perf_counter()
        for i in range(n):
            result = sender.send(f"+1646{2000000 + i:07d}", SMS_TEXT.format(ref=i) + f" #{i}")
            if result.provider_id is None:
                raise RuntimeError(f"sequential send failed: {result.error}")
        return time.perf_counter() - started


def worker(twilio: ServerProcess, n: int, tmp: Path, config: Config, label: str) -> float:
    db = sqlite_db(tmp, f"sms-{label}.db")
    queue_outbox(db, sms=n)
    quiet_notification_log(tmp / "home")
    with environ({"FLASK_ENV": "production", **twilio.env}):
        started = time.perf_counter()
        delivery.deliver_due(db, config, worker_id=f"bench-{label}")
        elapsed = time.perf_counter() - started
    counts = outbox_counts(db)
    db.dispose()
    if counts.get("sent") != n:
        raise RuntimeError(f"worker {label}: outbox {counts}")
    return elapsed


def measured_rate(times: list[float], limit: float) -> tuple[float, float]:
    """Sends per second between the first and last request, and the fastest rate over any
    `limit` consecutive intervals (a limiter that holds never lets that exceed `limit`)."""
    times = sorted(times)
    if len(times) < 2:
        return float("nan"), float("nan")
    rate = (len(times) - 1) / (times[-1] - times[0])
    k = int(limit)
    spans = [times[i + k] - times[i] for i in range(len(times) - k)]
    return rate, (k / min(spans) if spans else float("nan"))


def run(quick: bool) -> Table:
    n = 300 if quick else 1000
    n_seq = 100 if quick else 1000
    n_limited = 120 if quick else 400
    table = Table(
        f"3. SMS throughput: {n} queued SMS, local Twilio-like server with {LATENCY * 1000:.0f} ms latency",
        ["sender", "messages", "seconds", "SMS/s", "max concurrent", "vs sequential (rate)"],
    )
    with temp_dir("sms") as tmp, ServerProcess("twilio", "--latency", str(LATENCY)) as twilio:
        progress(f"sms: sequential x{n_seq}")
        twilio.clear()
        seq = sequential(twilio, n_seq)
        seq_rate = n_seq / seq
        seq_conc = twilio.ask("max_in_flight")
        table.add("sequential sends (one client)", n_seq, seq, seq_rate, seq_conc, "1.00×")

        progress(f"sms: worker x{n}")
        twilio.clear()
        elapsed = worker(twilio, n, tmp, Config(), "worker")
        conc = twilio.ask("max_in_flight")
        if twilio.count() != n:
            raise RuntimeError(f"server received {twilio.count()} of {n}")
        table.add(
            f"outbox worker (SMS_CONCURRENCY={delivery.SMS_CONCURRENCY})",
            n,
            elapsed,
            n / elapsed,
            conc,
            ratio(n / elapsed, seq_rate),
        )
        worker_ratio = (n / elapsed) / seq_rate

        what_if = 8
        progress(f"sms: worker x{n}, what-if SMS_CONCURRENCY={what_if}")
        twilio.clear()
        with mock.patch.object(delivery, "SMS_CONCURRENCY", what_if):
            elapsed8 = worker(twilio, n, tmp, Config(), "what-if")
        conc8 = twilio.ask("max_in_flight")
        table.add(
            f"what-if: same worker, SMS_CONCURRENCY={what_if} (patched in the bench)",
            n,
            elapsed8,
            n / elapsed8,
            conc8,
            ratio(n / elapsed8, seq_rate),
        )

        progress(f"sms: worker x{n_limited} with rate limit {RATE_LIMIT:g}/s")
        twilio.clear()
        limited = Config(twilio=TwilioConfig(rate_limit_per_second=RATE_LIMIT))
        elapsed_l = worker(twilio, n_limited, tmp, limited, "limited")
        rate, peak = measured_rate(twilio.times(), RATE_LIMIT)
        table.add(
            f"outbox worker, rate limit {RATE_LIMIT:g}/s",
            n_limited,
            elapsed_l,
            n_limited / elapsed_l,
            twilio.ask("max_in_flight"),
            ratio(n_limited / elapsed_l, seq_rate),
        )
    table.notes.append(
        f"worker {worker_ratio:.2f}× sequential with at most {conc} requests in flight "
        f"(target ≥5× with bounded concurrency → {'met' if worker_ratio >= 5 else 'MISSED'})"
    )
    table.notes.append(
        f"rate limit: configured {RATE_LIMIT:g}/s, measured {rate:.2f}/s first-to-last request "
        f"({rate / RATE_LIMIT:.1%} of the limit), fastest over any {int(RATE_LIMIT)} consecutive "
        f"requests {peak:.2f}/s ({'honoured' if peak <= RATE_LIMIT * 1.01 else 'EXCEEDED'}; 1% allows for "
        "arrival jitter at the server)"
    )
    return table
