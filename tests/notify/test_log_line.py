"""Each notification is one log record carrying its fields; one formatter makes the seed's text."""

import logging

import pytest

from dispatch_desktop.notify.log_line import Notice, format_line
from dispatch_desktop.notify.notifier import LOGGER_NAME, Outcome, SendResult, send_email, send_sms


class Accepting:
    def send(self, to: str, body: str) -> SendResult:
        return SendResult(Outcome.SENT, provider_id="SM77", sent_to=to)


def test_each_notification_is_one_record_with_its_fields(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    send_sms("+13125550190", "Hi", production=True, sender=Accepting(), redirect_to="+15005550006")
    send_email("carla@example.com", "Booking\nConfirmation", "body", production=False)
    records = [r for r in caplog.records if r.name == LOGGER_NAME]
    assert [r.getMessage() for r in records] == [
        "[PROD] SMS sent - To: +15005550006 (redirected from +13125550190), SID: SM77",
        "[DEV] EMAIL (not sent) - To: carla@example.com, Subject: Booking\\nConfirmation",
    ]
    assert [r.__dict__["notice"] for r in records] == [
        Notice("production", "sms", "sent", "+15005550006", redirected_from="+13125550190", sid="SM77"),
        Notice("development", "email", "logged", "carla@example.com", subject="Booking\nConfirmation"),
    ]
    assert [format_line(r.__dict__["notice"]) for r in records] == [r.getMessage() for r in records]


def test_the_formatter_says_every_outcome_as_the_seed_does() -> None:
    failed = Notice(
        "production", "email", "failed", "a@example.com", error="421 busy\nlater", failure="retry"
    )
    skipped = Notice(
        "development",
        "sms",
        "skipped",
        "Raj\nPatel",
        error="no phone number on file",
        recipient_kind="customer",
    )
    waiting = Notice(None, "email", "queued", "a@example.com", subject="Booking Confirmation")
    assert [format_line(n) for n in (failed, skipped, waiting)] == [
        "[PROD] EMAIL failed - To: a@example.com, Error: 421 busy\\nlater (retry)",
        "[DEV] SMS skipped - To: Raj\\nPatel (customer), Reason: no phone number on file",
        "EMAIL queued - To: a@example.com, Subject: Booking Confirmation",
    ]
    assert (failed.status, skipped.status, waiting.status) == ("retry", "skipped", "queued")


def test_a_secret_in_a_provider_error_is_masked_in_the_record_too(caplog: pytest.LogCaptureFixture) -> None:
    from dispatch_desktop.notify.secrets import register_secret

    class Leaking:
        def send(self, to: str, body: str) -> SendResult:
            return SendResult(Outcome.FAILED, error="HTTP 401 for token s3cr3t-t0ken-value")

    register_secret("s3cr3t-t0ken-value")
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    send_sms("+13125550191", "Hi", production=True, sender=Leaking())
    [record] = [r for r in caplog.records if r.name == LOGGER_NAME]
    assert (
        record.getMessage()
        == "[PROD] SMS failed - To: +13125550191, Error: HTTP 401 for token *** (permanent)"
    )
    assert record.__dict__["notice"].error == "HTTP 401 for token ***"


def test_receipts_and_settled_unknown_texts_have_their_own_lines(caplog: pytest.LogCaptureFixture) -> None:
    from dispatch_desktop.notify.log_line import log_notice

    undelivered = Notice(
        "production", "sms", "sent", "+13125550190", sid="SM7", delivery="undelivered",
        error="30003 phone unreachable (off or out of coverage)",
    )  # fmt: skip
    delivered = Notice("production", "sms", "sent", "+13125550190", sid="SM7", delivery="delivered")
    found = Notice("production", "sms", "sent", "+15005550006", redirected_from="+13125550190", sid="SM7",
                   note="found in Twilio's log")  # fmt: skip
    absent = Notice("production", "sms", "retry", "+13125550190", note="not in Twilio's log: will resend")
    assert [format_line(n) for n in (undelivered, delivered, found, absent)] == [
        "[PROD] SMS undelivered - To: +13125550190, SID: SM7, Error: 30003 phone unreachable (off or out of coverage)",
        "[PROD] SMS delivered - To: +13125550190, SID: SM7",
        "[PROD] SMS sent - To: +15005550006 (redirected from +13125550190), SID: SM7 (found in Twilio's log)",
        "[PROD] SMS retry - To: +13125550190 (not in Twilio's log: will resend)",
    ]
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    for notice in (undelivered, delivered, found, absent):
        log_notice(notice)
    levels = [r.levelname for r in caplog.records if r.name == LOGGER_NAME]
    assert levels == ["WARNING", "DEBUG", "INFO", "INFO"]
