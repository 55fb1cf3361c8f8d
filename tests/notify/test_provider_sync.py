"""The provider sync against the local Twilio-like server: receipts, unknown texts, the lease."""

import json
import socket
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from dispatch_desktop.cli import main
from dispatch_desktop.config import Config
from dispatch_desktop.notify import credentials
from dispatch_desktop.notify.delivery import claimer_id, deliver_due
from dispatch_desktop.notify.notifier import setup_notification_logging
from dispatch_desktop.notify.twilio_reader import TwilioReader
from dispatch_desktop.notify.twilio_sender import TwilioSender
from dispatch_desktop.services import bookings, notifier_status, outbox, provider_sync, sync_health
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.provider_sync import (
    NO_SYNC,
    ReceiptReport,
    SyncReport,
    SyncRun,
    SyncStep,
    run_steps,
    run_sync_pass,
)
from dispatch_desktop.services.team_settings import update_team_settings
from dispatch_desktop.storage import outbox as store
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import InboundMessage, Lease, OutboxMessage
from dispatch_desktop.storage.types import utcnow
from tests.core.helpers import add_agent, add_booking
from tests.notify.helpers import rows
from tests.servers.twilio_fake import FakeTwilio

Env = Callable[..., None]
Lines = Callable[[], list[str]]
REACHED = "+13125550111"
OFF = "+13125550112"  # 30003
UNREGISTERED = "+13125550113"  # 30034
BROKEN = "+13125550114"  # failed 30008


@pytest.fixture
def prod(production: None, twilio: FakeTwilio, use_env: Env) -> FakeTwilio:
    use_env(twilio.env())
    return twilio


def send_texts(db: Database, ctx: ServiceContext, *numbers: str) -> list[int]:
    """Queue a test text to each number and deliver them: rows `sent` with Twilio's SIDs."""
    ids = [view.id for number in numbers for view in outbox.queue_test(ctx, sms=number)]
    deliver_due(db, Config(), worker_id="sender")
    assert {row.status for row in rows(db) if row.id in ids} == {"sent"}
    return ids


# The outbound steps alone, so the request counts below are theirs (the inbound list is tested apart).
OUTBOUND = tuple(step for step in provider_sync.STEPS if step[0] != "inbound")


def sync(
    db: Database,
    holder: str = "tester",
    now: datetime | None = None,
    steps: Sequence[tuple[str, SyncStep]] = OUTBOUND,
) -> SyncReport:
    return run_sync_pass(db, Config(), holder=holder, now=now, steps=steps)


def by_id(db: Database) -> dict[int, OutboxMessage]:
    return {row.id: row for row in rows(db)}


def updated(report: SyncReport, step: str = "receipts") -> object:
    return report.steps[step].to_json()["updated"]


# --- receipts ----------------------------------------------------------------------------------


def test_receipts_record_delivered_undelivered_and_failed_with_plain_reasons(
    db: Database, ctx: ServiceContext, prod: FakeTwilio, log_lines: Lines
) -> None:
    prod.outcome_for(OFF, "undelivered", 30003, "Unreachable destination handset")
    prod.outcome_for(UNREGISTERED, "undelivered", 30034, "Message from an Unregistered Number")
    prod.outcome_for(BROKEN, "failed", 30500, "Queue overflow")
    ids = send_texts(db, ctx, REACHED, OFF, UNREGISTERED, BROKEN)
    prod.settle()
    before = len(log_lines())
    report = sync(db)
    assert report.leader and report.requests == 4  # four pending: one fetch each
    assert report.steps["receipts"].to_json() == {
        "checked": 4,
        "updated": {"delivered": 1, "failed": 1, "undelivered": 2},
    }
    got = {row.recipient: (row.status, row.delivery, row.delivery_error_code, row.delivery_reason)
           for row in rows(db) if row.id in ids}  # fmt: skip
    assert got == {
        REACHED: ("sent", "delivered", None, None),
        OFF: ("sent", "undelivered", 30003, "30003 phone unreachable (off or out of coverage)"),
        UNREGISTERED: (
            "sent", "undelivered", 30034, "30034 US number not registered for business texting (A2P 10DLC)",
        ),
        BROKEN: ("sent", "failed", 30500, "30500 Queue overflow"),
    }  # fmt: skip
    sid = {row.recipient: row.provider_id for row in rows(db)}
    assert sorted(log_lines()[before:]) == sorted(
        [  # the delivered line is a debug line: not at INFO
            f"[PROD] SMS undelivered - To: {OFF}, SID: {sid[OFF]}, Error: 30003 phone unreachable "
            "(off or out of coverage)",
            f"[PROD] SMS undelivered - To: {UNREGISTERED}, SID: {sid[UNREGISTERED]}, Error: 30034 US number "
            "not registered for business texting (A2P 10DLC)",
            f"[PROD] SMS failed - To: {BROKEN}, SID: {sid[BROKEN]}, Error: 30500 Queue overflow",
        ]
    )
    # Final receipts are never asked about again.
    again = sync(db)
    assert again.requests == 0 and again.steps["receipts"].to_json() == {"checked": 0, "updated": {}}
    assert [v.recipient for v in outbox.list_outbox(ctx, delivery="undelivered")] == [UNREGISTERED, OFF]


def test_a_pending_receipt_is_recorded_once_and_then_followed_to_its_end(
    db: Database, ctx: ServiceContext, prod: FakeTwilio
) -> None:
    (row_id,) = send_texts(db, ctx, OFF)
    prod.outcome_for(OFF, "undelivered", 30003)
    first = sync(db)  # the fake says queued: pending
    assert first.steps["receipts"].to_json()["updated"] == {"pending": 1}
    assert sync(db).steps["receipts"].to_json()["updated"] == {}  # sent: still pending, no write
    assert sync(db).steps["receipts"].to_json()["updated"] == {"undelivered": 1}
    assert by_id(db)[row_id].delivery == "undelivered"


def test_more_than_a_handful_pending_are_read_with_one_list_request(
    db: Database, ctx: ServiceContext, prod: FakeTwilio
) -> None:
    numbers = [f"+1312555{200 + i:04d}" for i in range(12)]
    send_texts(db, ctx, *numbers)
    prod.settle()
    reads_before = len(prod.reads())
    report = sync(db)
    assert report.requests == 1
    (request,) = prod.reads()[reads_before:]
    assert request["path"].endswith("/Messages.json")
    assert request["query"]["From"] == prod.phone_number and request["query"]["PageSize"] == "1000"
    assert "DateSent>" in request["query"]
    assert report.steps["receipts"].to_json()["updated"] == {"delivered": 12}


def test_a_text_the_list_does_not_show_is_fetched_by_sid_once_it_is_ten_minutes_old(
    db: Database, ctx: ServiceContext, prod: FakeTwilio
) -> None:
    send_texts(db, ctx, *[f"+1312555{400 + i:04d}" for i in range(6)])
    prod.settle()
    hidden = prod.messages[0]
    hidden["date"] -= timedelta(hours=1)  # outside the list's DateSent bound, as a text Twilio never sent
    later = sync(db, now=utcnow() + timedelta(minutes=11))
    assert (later.requests, updated(later)) == (2, {"delivered": 6})  # the list, then the one fetch
    assert prod.reads()[-1]["path"].endswith(f"/Messages/{hidden['sid']}.json")


def test_the_delivered_line_goes_to_the_log_file_only(
    db: Database, ctx: ServiceContext, prod: FakeTwilio, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    send_texts(db, ctx, REACHED, OFF)
    prod.outcome_for(OFF, "undelivered", 30003)
    prod.settle()
    log_file = setup_notification_logging(home, Config(), console=True)
    capsys.readouterr()
    sync(db)
    sid = {row.recipient: row.provider_id for row in rows(db)}
    err = capsys.readouterr().err
    delivered = f"[PROD] SMS delivered - To: {REACHED}, SID: {sid[REACHED]}"
    undelivered = f"[PROD] SMS undelivered - To: {OFF}, SID: {sid[OFF]}, Error: 30003 phone unreachable"
    assert delivered not in err and undelivered in err
    text = log_file.read_text(encoding="utf-8")
    assert f"DEBUG {delivered}\n" in text and f"WARNING {undelivered}" in text


# --- unknown texts -----------------------------------------------------------------------------


def make_unknown(
    db: Database, ctx: ServiceContext, number: str, *, reached_twilio: bool
) -> tuple[int, datetime]:
    """A text whose sender died after claiming it; with `reached_twilio` its request went out first."""
    (view,) = outbox.queue_test(ctx, sms=number)
    claimed_at = utcnow()
    with db.write() as session:
        (claimed,) = store.claim_due(
            session,
            worker=claimer_id("dead"),
            now=claimed_at,
            limit=1,
            channels=["sms"],
            environment="production",
        )
    if reached_twilio:
        sent = TwilioSender(credentials.load_twilio(Config())).send(claimed.recipient, claimed.body)
        assert sent.provider_id
    with db.write() as session:
        assert store.finish(
            session, claimed, status="unknown", now=claimed_at, error="timed out after the request"
        )
    return view.id, claimed_at


def test_an_unknown_text_found_in_twilios_log_becomes_sent_and_is_never_resent(
    db: Database, ctx: ServiceContext, prod: FakeTwilio, log_lines: Lines
) -> None:
    row_id, _ = make_unknown(db, ctx, OFF, reached_twilio=True)
    prod.outcome_for(OFF, "undelivered", 30003)
    prod.settle()
    (message,) = prod.messages
    report = sync(db)
    assert report.steps["unknown"].to_json() == {"found": 1, "released": 0, "waiting": 0}
    row = by_id(db)[row_id]
    assert (row.status, row.provider_id, row.delivery, row.delivery_error_code) == (
        "sent", message["sid"], "undelivered", 30003
    )  # fmt: skip
    assert f"[PROD] SMS sent - To: {OFF}, SID: {message['sid']} (found in Twilio's log)" in log_lines()
    search = [r for r in prod.reads() if r["query"].get("To") == OFF]
    assert search and search[0]["query"]["From"] == prod.phone_number
    deliver_due(db, Config(), worker_id="next", now=lambda: utcnow() + timedelta(hours=1))
    assert len(prod.messages) == 1  # never sent again


def test_an_unknown_text_absent_from_twilios_log_waits_out_the_grace_then_goes_once(
    db: Database, ctx: ServiceContext, prod: FakeTwilio, log_lines: Lines
) -> None:
    # Another text to the same number with another body is not this one.
    send_texts(db, ctx, OFF)
    row_id, claimed_at = make_unknown(db, ctx, OFF, reached_twilio=False)
    early = sync(db, now=claimed_at + timedelta(seconds=120))
    assert early.steps["unknown"].to_json() == {"found": 0, "released": 0, "waiting": 1}
    assert by_id(db)[row_id].status == "unknown"
    late_at = claimed_at + timedelta(seconds=301)
    late = sync(db, now=late_at)
    assert late.steps["unknown"].to_json() == {"found": 0, "released": 1, "waiting": 0}
    assert f"[PROD] SMS retry - To: {OFF} (not in Twilio's log: will resend)" in log_lines()
    row = by_id(db)[row_id]
    assert (row.status, row.last_error) == ("retry", "not in Twilio's log: will resend")
    posts = len([r for r in prod.requests if r["method"] == "POST"])
    deliver_due(db, Config(), worker_id="next", now=lambda: late_at)
    deliver_due(db, Config(), worker_id="next", now=lambda: late_at + timedelta(hours=1))
    assert len([r for r in prod.requests if r["method"] == "POST"]) == posts + 1
    assert by_id(db)[row_id].status == "sent"


def test_an_unknown_text_a_person_dismissed_meanwhile_is_neither_resolved_nor_released(
    db: Database, ctx: ServiceContext, prod: FakeTwilio
) -> None:
    from dispatch_desktop.storage.outbox import receipts

    row_id, claimed_at = make_unknown(db, ctx, OFF, reached_twilio=False)
    with db.read() as session:
        (read,) = receipts.unknown(session, environment="production")
    outbox.dismiss_message(ctx, row_id)
    later = claimed_at + timedelta(hours=1)
    with db.write() as session:
        assert not receipts.found_sent(session, read, provider_id="SM" + "0" * 32, sent_to=OFF, sent_at=later,
                                       delivery="delivered", error_code=None, reason=None, now=later)  # fmt: skip
        assert not receipts.release_absent(session, read, error="absent", now=later)
    row = by_id(db)[row_id]
    assert (row.status, row.provider_id, row.delivery) == ("dismissed", None, None)


def test_a_failed_search_releases_nothing(db: Database, ctx: ServiceContext, prod: FakeTwilio) -> None:
    from dispatch_desktop.notify.twilio_reader import ProviderUnavailableError

    row_id, claimed_at = make_unknown(db, ctx, OFF, reached_twilio=False)
    prod.auth_token = "changed-at-twilio"
    with pytest.raises(
        ProviderUnavailableError,
        match=r"HTTP 401 20003 reading messages: Authenticate \(check the Twilio credentials\)",
    ):
        sync(db, now=claimed_at + timedelta(hours=1))
    assert by_id(db)[row_id].status == "unknown"


# --- one leader --------------------------------------------------------------------------------


def test_only_the_lease_holder_polls_and_an_expired_lease_is_taken_over(
    db: Database, ctx: ServiceContext, prod: FakeTwilio
) -> None:
    send_texts(db, ctx, REACHED)
    now = utcnow()
    assert sync(db, "console-a", now=now).leader
    reads = len(prod.reads())
    lost = sync(db, "console-b", now=now + timedelta(seconds=30))
    assert (lost.leader, lost.holder, lost.requests) == (False, "console-a", 0)
    assert lost.summary() == "provider sync skipped: not the sync leader (console-a leads)"
    assert len(prod.reads()) == reads
    # console-a crashed: its lease ends two sync intervals (2 x 30 s) after its last pass.
    taken = sync(db, "console-b", now=now + timedelta(seconds=61))
    assert (taken.leader, taken.holder) == (True, "console-b")
    assert not sync(db, "console-a", now=now + timedelta(seconds=62)).leader


def test_a_leader_that_stops_hands_over_at_once(db: Database, prod: FakeTwilio) -> None:
    assert sync(db, "notifier-1").leader
    assert provider_sync.release_leadership(db, "notifier-1")
    assert sync(db, "notifier-2").leader


def test_two_passes_at_once_change_each_row_once(
    db: Database, ctx: ServiceContext, prod: FakeTwilio, log_lines: Lines
) -> None:
    numbers = [f"+1312555{300 + i:04d}" for i in range(20)]
    for number in numbers:
        prod.outcome_for(number, "undelivered", 30003)
    send_texts(db, ctx, *numbers)
    prod.settle()
    before = len(log_lines())
    reports: list[SyncReport] = []
    start = threading.Barrier(2)

    def one_pass() -> None:
        # Both believe they lead (a lease that expired under a slow pass): the steps run side by side.
        run = SyncRun(db, TwilioReader(credentials.load_twilio(Config())), Config(), utcnow(), None)
        start.wait()
        reports.append(run_steps(run, SyncReport("production", leader=True)))

    threads = [threading.Thread(target=one_pass) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    changed = [
        step.updated for report in reports if isinstance(step := report.steps["receipts"], ReceiptReport)
    ]
    assert sum(counts.get("undelivered", 0) for counts in changed) == 20
    assert len([line for line in log_lines()[before:] if "SMS undelivered" in line]) == 20
    assert {row.delivery for row in rows(db)} == {"undelivered"}


# --- development and configuration -------------------------------------------------------------


def test_development_opens_no_connection(
    db: Database, ctx: ServiceContext, twilio: FakeTwilio, use_env: Env
) -> None:
    use_env(twilio.env())
    report = sync(db)
    assert report.summary() == NO_SYNC and report.to_json()["environment"] == "development"
    assert twilio.requests == []


def test_a_workstation_without_credentials_neither_leads_nor_asks(db: Database, production: None) -> None:
    report = sync(db)
    assert not report.leader and report.missing
    assert report.summary().startswith("production: no provider sync: missing Twilio credentials: ")


def test_the_lease_lasts_two_sync_intervals() -> None:
    assert provider_sync.lease_ttl(Config(sync_interval_seconds=45)) == timedelta(seconds=90)
    assert Config().sync_interval_seconds == 30 and Config().unknown_grace_seconds == 300


# --- the command line --------------------------------------------------------------------------


def cli(
    database_url: str, home: Path, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    code = main(["--home", str(home), "--database-url", database_url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_outbox_sync_in_development_says_so_and_asks_nothing(
    db: Database,
    database_url: str,
    home: Path,
    twilio: FakeTwilio,
    use_env: Env,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_env(twilio.env())
    assert cli(database_url, home, capsys, "outbox", "sync") == (0, "development: no provider sync\n", "")
    code, out, _ = cli(database_url, home, capsys, "outbox", "sync", "--json")
    assert code == 0 and json.loads(out)["environment"] == "development"
    assert twilio.requests == []


def test_outbox_sync_prints_what_it_learnt_and_the_lists_show_it(
    db: Database,
    ctx: ServiceContext,
    database_url: str,
    home: Path,
    prod: FakeTwilio,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prod.outcome_for(OFF, "undelivered", 30034)
    (row_id,) = send_texts(db, ctx, OFF)
    prod.settle()
    code, out, err = cli(database_url, home, capsys, "outbox", "sync", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert (report["leader"], report["requests"], report["receipts"]) == (
        True,
        2,
        {"checked": 1, "updated": {"undelivered": 1}},
    )  # fmt: skip  (one list of receipts, one of texts to our number)
    assert report["unknown"] == {"found": 0, "released": 0, "waiting": 0}
    assert "[PROD] SMS undelivered - To: +13125550112" in err
    code, out, _ = cli(database_url, home, capsys, "outbox", "list", "--delivery", "undelivered", "--json")
    assert [row["id"] for row in json.loads(out)] == [row_id]
    assert json.loads(out)[0]["delivery_error_code"] == 30034
    code, out, _ = cli(database_url, home, capsys, "outbox", "list", "--delivery", "delivered", "--json")
    assert json.loads(out) == []
    code, out, _ = cli(database_url, home, capsys, "outbox", "show", str(row_id))
    assert "  delivery:  undelivered (30034 US number not registered for business texting (A2P 10DLC))" in out
    code, out, _ = cli(database_url, home, capsys, "outbox", "sync")
    assert out == "provider sync (1 request(s)): nothing to learn\n"  # only the texts to our number


def test_a_customers_c_in_twilios_log_confirms_their_booking_through_the_pass(
    db: Database, ctx: ServiceContext, prod: FakeTwilio
) -> None:
    update_team_settings(ctx, two_way_sms=True)
    booking = add_booking(ctx, "09:00", "10:00", agent_id=add_agent(ctx).id)
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # 06:00 in Chicago: the 09:00 booking is ahead
    prod.receive("+13125550199", " c. ", at=now - timedelta(minutes=1))
    first = sync(db, now=now, steps=provider_sync.STEPS)
    assert first.summary().endswith("1 text(s) received")
    assert bookings.get_booking(ctx, booking.id).status == "confirmed"
    again = sync(db, now=now, steps=provider_sync.STEPS)
    assert again.steps["inbound"].to_json()["already_stored"] == 1 and again.changes == 0
    with db.read() as session:
        assert [(m.from_phone, m.body) for m in session.scalars(select(InboundMessage))] == [
            ("+13125550199", " c. ")
        ]


def test_through_a_messaging_service_the_pass_reads_the_whole_log_and_finds_receipts_and_replies(
    db: Database, ctx: ServiceContext, prod: FakeTwilio, use_env: Env
) -> None:
    use_env({"TWILIO_MESSAGING_SERVICE_SID": "MG" + "ab" * 16})
    prod.outcome_for(OFF, "undelivered", 30003)
    (row_id,) = send_texts(db, ctx, OFF)
    assert prod.messages[0]["messaging_service_sid"] == "MG" + "ab" * 16
    prod.settle()
    prod.receive("+13125550188", "Who is this?")
    report = sync(db, steps=provider_sync.STEPS)
    assert updated(report) == {"undelivered": 1}
    assert report.steps["inbound"].to_json()["listed"] == 1
    assert by_id(db)[row_id].delivery_reason == "30003 phone unreachable (off or out of coverage)"
    assert all("From" not in read["query"] and "To" not in read["query"] for read in prod.reads())


def test_notifier_run_syncs_too_and_hands_the_lease_over_when_it_stops(
    db: Database,
    ctx: ServiceContext,
    database_url: str,
    home: Path,
    prod: FakeTwilio,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outbox.queue_test(ctx, sms=REACHED)
    code, _, err = cli(database_url, home, capsys, "notifier", "run", "--once")
    assert code == 0, err
    (row,) = rows(db)
    assert (row.status, row.delivery) == ("sent", "pending")  # sent, then asked: Twilio says queued
    with db.read() as session:
        assert session.scalars(select(Lease)).all() == []


def closed_port() -> str:
    """A loopback URL nothing listens on: Twilio unreachable."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def test_a_leader_that_cannot_reach_twilio_shows_every_workstation_the_red_line_after_three_intervals(
    db: Database, ctx: ServiceContext, prod: FakeTwilio, use_env: Env
) -> None:
    from dispatch_desktop.notify.twilio_reader import ProviderUnavailableError

    interval = timedelta(seconds=Config().sync_interval_seconds)
    answered = utcnow().replace(second=0, microsecond=0) - 10 * interval
    assert sync(db, "leader", now=answered, steps=provider_sync.STEPS).leader
    use_env({"TWILIO_API_BASE_URL": closed_port()})
    red = (
        f"Twilio has not answered the delivery check since "
        f"{answered.astimezone(ctx.team_settings().zone):%H:%M}: receipts and replies are not being read"
    )
    for passes in (1, 2, 3, 4):
        with pytest.raises(ProviderUnavailableError):
            sync(db, "leader", now=answered + passes * interval, steps=provider_sync.STEPS)
        # Another workstation, which does not lead, reads the same row: red after three intervals.
        alerts = sync_health.sync_alerts(
            ServiceContext(db, "boss"), Config(), now=answered + passes * interval
        )
        assert alerts == ([red] if passes > 3 else [])
    use_env(prod.env())
    later = answered + 5 * interval
    assert sync(db, "leader", now=later, steps=provider_sync.STEPS).leader
    assert sync_health.sync_alerts(ctx, Config(), now=later) == []


def test_a_workstation_that_leads_no_sync_keeps_its_deliverers_list_clean(
    db: Database, ctx: ServiceContext, prod: FakeTwilio
) -> None:
    sync(db, "leader", steps=provider_sync.STEPS)
    assert notifier_status.list_notifiers(ctx) == []


def test_a_sync_interval_out_of_range_in_the_config_file_is_refused(
    db: Database, database_url: str, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "config.toml").write_text("sync_interval_seconds = 1\n", encoding="utf-8")
    code, out, err = cli(database_url, home, capsys, "outbox", "sync")
    assert (code, out) == (2, "")
    assert (
        err.startswith("error: config file ")
        and "sync_interval_seconds must be between 5 and 3600, not 1" in err
    )
    assert len(err.splitlines()) == 1
