"""2. Email throughput: the outbox worker vs one connection per message, apprise, and a bare smtplib loop."""

import smtplib
import ssl
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from dispatch_desktop.config import Config
from dispatch_desktop.notify import delivery
from dispatch_desktop.notify.smtp_sender import build_message, new_message_id
from tests.bench.common import (
    ServerProcess,
    Table,
    email_rows,
    environ,
    outbox_counts,
    progress,
    queue_outbox,
    quiet_notification_log,
    ratio,
    sqlite_db,
    temp_dir,
)
from tests.servers.smtp_fake import FROM, PASSWORD, USER

NAME = "email"


def _messages(n: int) -> list[dict[str, str]]:
    return email_rows(n)


def _connect(smtp: ServerProcess) -> smtplib.SMTP:
    conn = smtplib.SMTP(smtp.env["SMTP_HOST"], int(smtp.env["SMTP_PORT"]), timeout=30)
    conn.ehlo()
    if _tls(smtp):
        conn.starttls(context=ssl.create_default_context())
        conn.ehlo()
        conn.login(USER, PASSWORD)
    return conn


def _tls(smtp: ServerProcess) -> bool:
    return smtp.env.get("SMTP_STARTTLS") == "true"


def _build(mail: dict[str, str]) -> object:
    return build_message(
        sender=FROM,
        to=mail["to"],
        subject=mail["subject"],
        body=mail["body"],
        html_body=mail["html"],
        message_id=new_message_id(FROM),
        intended=mail["to"],
    )


def per_message(smtp: ServerProcess, mails: list[dict[str, str]]) -> None:
    """The seed's shape: connect, (STARTTLS, login,) send, quit, for every message."""
    for mail in mails:
        conn = _connect(smtp)
        conn.send_message(_build(mail))  # type: ignore[arg-type]
        conn.quit()


def bare_loop(smtp: ServerProcess, mails: list[dict[str, str]]) -> None:
    """The practical limit: one connection, build and send each message, nothing else."""
    conn = _connect(smtp)
    for mail in mails:
        conn.send_message(_build(mail))  # type: ignore[arg-type]
    conn.quit()


def with_apprise(smtp: ServerProcess, mails: list[dict[str, str]]) -> None:
    """apprise's mailto:// to the same server, one notify per message (its natural use)."""
    import apprise

    mode = "starttls" if _tls(smtp) else "insecure"
    auth = f"{quote(USER, safe='')}:{quote(PASSWORD, safe='')}@" if _tls(smtp) else ""
    host, port = smtp.env["SMTP_HOST"], smtp.env["SMTP_PORT"]
    for mail in mails:
        url = (
            f"mailto://{auth}{host}:{port}?mode={mode}&from={quote(FROM)}"
            f"&to={quote(mail['to'])}&smtp={host}&format=html"
        )
        app = apprise.Apprise()
        app.add(url)
        if not app.notify(body=mail["html"], title=mail["subject"]):
            raise RuntimeError("apprise could not send")


def worker(smtp: ServerProcess, n: int, tmp: Path) -> tuple[float, dict[str, int]]:
    """Queue n emails in a SQLite outbox, then time delivery.deliver_due (production)."""
    db = sqlite_db(tmp, f"email-{'tls' if _tls(smtp) else 'plain'}.db")
    queue_outbox(db, email=n)
    quiet_notification_log(tmp / "home")
    with environ({"FLASK_ENV": "production", **smtp.env}):
        started = time.perf_counter()
        delivery.deliver_due(db, Config(), worker_id="bench-email")
        elapsed = time.perf_counter() - started
    counts = outbox_counts(db)
    db.dispose()
    return elapsed, counts


def _timed(
    smtp: ServerProcess,
    n: int,
    run: Callable[[ServerProcess, list[dict[str, str]]], None],
    mails: list[dict[str, str]],
) -> float:
    smtp.clear()
    started = time.perf_counter()
    run(smtp, mails)
    elapsed = time.perf_counter() - started
    received = smtp.count()
    if received != n:
        raise RuntimeError(f"server received {received} of {n} messages")
    return elapsed


def run(quick: bool) -> Table:
    n = 200 if quick else 2000
    table = Table(
        f"2. Email throughput: {n} queued emails to local aiosmtpd",
        ["mode", "sender", "seconds", "msg/s", "worker ÷ this (rate)"],
    )
    mails = _messages(n)
    results: dict[str, dict[str, float]] = {}
    with temp_dir("email") as tmp:
        for mode in ("plain", "STARTTLS"):
            tls = mode == "STARTTLS"
            smtp = ServerProcess("smtp", "--tls", str(tmp / "cert")) if tls else ServerProcess("smtp")
            env = {"SSL_CERT_FILE": smtp.env["SSL_CERT_FILE"]} if tls else {}
            with smtp, environ(env):  # type: ignore[arg-type]
                times: dict[str, float] = {}
                progress(f"email {mode}: per-message connections")
                times["one connection per message (seed)"] = _timed(smtp, n, per_message, mails)
                progress(f"email {mode}: apprise")
                times["apprise mailto://"] = _timed(smtp, n, with_apprise, mails)
                progress(f"email {mode}: bare smtplib loop")
                times["bare smtplib loop, one connection"] = _timed(smtp, n, bare_loop, mails)
                progress(f"email {mode}: outbox worker")
                smtp.clear()
                elapsed, counts = worker(smtp, n, tmp / mode)
                if counts.get("sent") != n or smtp.count() != n:
                    raise RuntimeError(f"worker: outbox {counts}, server received {smtp.count()} of {n}")
                times["outbox worker (deliver_due)"] = elapsed
            results[mode] = times
            worker_rate = n / times["outbox worker (deliver_due)"]
            for sender, seconds in times.items():
                table.add(mode, sender, seconds, n / seconds, ratio(worker_rate, n / seconds))
    for mode, times in results.items():
        w = times["outbox worker (deliver_due)"]
        base = times["one connection per message (seed)"]
        apr = times["apprise mailto://"]
        bare = times["bare smtplib loop, one connection"]
        table.notes.append(
            f"{mode}: worker {base / w:.2f}× the per-message baseline (target ≥2), "
            f"{apr / w:.2f}× apprise (target >1), bare loop {w / bare:.2f}× faster than the worker "
            f"(target ≤1.3) → {'met' if base / w >= 2 and apr / w > 1 and w / bare <= 1.3 else 'MISSED'}"
        )
    return table
