"""send_sms/send_email, the log file and its rotation, background delivery, the outbox service."""

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from dispatch_desktop.config import Config
from dispatch_desktop.domain.errors import ConflictError, PermissionDeniedError, ValidationError
from dispatch_desktop.notify.async_notifier import DeliveryPolicy, send_notifications_async
from dispatch_desktop.notify.delivery import DeliveryReport, deliver_due
from dispatch_desktop.notify.notifier import (
    LOGGER_NAME,
    Outcome,
    send_email,
    send_sms,
    setup_notification_logging,
)
from dispatch_desktop.services import operators, outbox
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.types import utcnow
from tests.notify.helpers import CUSTOMER_PHONE, add_booking, make_supervisor, rows

Lines = Callable[[], list[str]]


def test_seed_log_formats_and_one_line_per_notification(log_lines: Lines) -> None:
    assert send_sms("+1234567890", "Your booking is confirmed").outcome is Outcome.LOGGED
    assert send_email("user@example.com", "Booking Confirmation", "body").outcome is Outcome.LOGGED
    send_sms("+1234567890", "line one\nline two\r\nthree")
    assert log_lines() == [
        "[DEV] SMS (not sent) - To: +1234567890, Message: Your booking is confirmed",
        "[DEV] EMAIL (not sent) - To: user@example.com, Subject: Booking Confirmation",
        "[DEV] SMS (not sent) - To: +1234567890, Message: line one\\nline two\\nthree",
    ]


def test_the_log_goes_to_stderr_and_a_rotated_file(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = setup_notification_logging(home, Config(log_max_bytes=2_000, log_backup_count=2))
    assert path == home / "logs" / "notifications.log"
    for i in range(60):
        send_sms("+1234567890", f"message {i:03d} " + "x" * 60)
    for handler in logging.getLogger(LOGGER_NAME).handlers:
        handler.flush()
    err = capsys.readouterr().err
    assert err.count("[DEV] SMS (not sent)") == 60
    logs = sorted(p.name for p in path.parent.iterdir())
    assert logs == ["notifications.log", "notifications.log.1", "notifications.log.2"]
    assert all(p.stat().st_size <= 2_000 for p in path.parent.iterdir())
    assert "message 059" in path.read_text()


def test_setting_up_twice_keeps_one_set_of_handlers(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    setup_notification_logging(home, Config())
    setup_notification_logging(home, Config())
    send_sms("+1234567890", "once")
    assert capsys.readouterr().err.count("once") == 1


def test_send_notifications_async_runs_delivery_off_the_calling_thread(
    db: Database, ctx: ServiceContext
) -> None:
    add_booking(ctx, call_center=True)
    future = send_notifications_async(db, Config(), DeliveryPolicy("bg"))
    report = future.result(timeout=30)
    assert isinstance(report, DeliveryReport) and report.counts == {"logged": 2}
    assert {r.status for r in rows(db)} == {"logged"}


def test_list_filters_and_the_live_cursor(db: Database, ctx: ServiceContext) -> None:
    add_booking(ctx, call_center=True)
    add_booking(ctx, call_center=True, email=None, phone="312-555-0166", name="Dora Other")
    assert [v.channel for v in outbox.list_outbox(ctx, channel="sms")] == ["sms", "sms"]
    assert [v.recipient for v in outbox.list_outbox(ctx, text="dora")] == ["", "+13125550166"]  # newest first
    assert [v.status for v in outbox.list_outbox(ctx, status="skipped")] == ["skipped"]
    assert len(outbox.list_outbox(ctx, limit=2)) == 2
    with pytest.raises(ValidationError):
        outbox.list_outbox(ctx, status="bogus")
    seen, cursor = outbox.changed_since(ctx, None)
    assert len(seen) == 4
    time.sleep(0.01)
    deliver_due(db, Config(), worker_id="t")
    changed, cursor2 = outbox.changed_since(ctx, cursor)
    assert {v.status for v in changed if v.status != "skipped"} == {"logged"}
    assert cursor2 is not None and cursor is not None and cursor2 > cursor


def test_counts_always_show_what_needs_attention(db: Database, ctx: ServiceContext) -> None:
    assert outbox.status_counts(ctx) == {
        "queued": 0, "retry": 0, "failed": 0, "unknown": 0, "scheduled": 0, "held": 0
    }  # fmt: skip
    add_booking(ctx, call_center=True)
    assert outbox.status_counts(ctx)["queued"] == 2


def test_retry_and_dismiss_are_audited_and_guarded(db: Database, ctx: ServiceContext) -> None:
    add_booking(ctx, call_center=True)
    sms, email = outbox.list_outbox(ctx, status="queued")[::-1]
    with pytest.raises(ConflictError):
        outbox.retry_message(ctx, sms.id)  # queued: nothing to retry
    dismissed = outbox.dismiss_message(ctx, sms.id)
    assert dismissed.status == "dismissed" and "dismissed by boss" in (dismissed.last_error or "")
    with pytest.raises(ConflictError):
        outbox.dismiss_message(ctx, sms.id)
    deliver_due(db, Config(), worker_id="t")
    assert outbox.get_message(ctx, sms.id).status == "dismissed"  # a dismissed row is never sent
    assert outbox.get_message(ctx, email.id).status == "logged"


def test_a_call_center_operator_may_not_touch_the_outbox(db: Database, ctx: ServiceContext) -> None:
    make_supervisor(ctx)
    operators.add_operator(ctx, name="Cal Center", username="cal", role="call-center")
    add_booking(ctx, call_center=True)
    view = outbox.list_outbox(ServiceContext(db, "cal"))[0]  # reading is fine
    with pytest.raises(PermissionDeniedError):
        outbox.dismiss_message(ServiceContext(db, "cal"), view.id)


def test_a_retried_row_is_due_now_with_fresh_attempts(
    db: Database, ctx: ServiceContext, production: None, log_lines: Lines
) -> None:
    add_booking(ctx, call_center=True, email=None)
    deliver_due(db, Config(), worker_id="t")  # no credentials: waiting
    [row] = rows(db, channel="sms")
    assert row.status == "retry"
    view = outbox.retry_message(ctx, row.id)
    assert (view.status, view.attempts) == ("queued", 0)
    assert view.due_at <= utcnow() + timedelta(seconds=1)
    assert view.recipient == CUSTOMER_PHONE
