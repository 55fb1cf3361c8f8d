"""`booking notices`, `booking show` and the Twilio account warnings of `outbox counts` and
`credentials show`, with receipts put on the rows as the sync would."""

import json
from pathlib import Path

import pytest

from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from tests.core.helpers import add_agent, add_booking
from tests.core.receipts import message_ids, put_failure, put_receipt
from tests.core.test_cli import Cli

UNREACHABLE = "30003 phone unreachable (off or out of coverage)"
A2P = "carriers block every text: 2 texts refused in 24 h (Twilio 30034): register the number for A2P 10DLC / verify the toll-free number in Twilio"
CREDENTIALS = "Twilio refused the credentials: 1 text in 24 h (Twilio 20003): check the Twilio account SID and auth token: dispatch-desktop credentials set twilio"
TRIAL = "a trial Twilio account texts only verified numbers: 1 text refused in 24 h (Twilio 21608): upgrade the Twilio account or verify the number"


@pytest.fixture
def cli(home: Path, database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(home, database_url, capsys)


@pytest.fixture
def missed(ctx: ServiceContext, db: Database) -> int:
    """A booking whose assignment text the agent's phone never got."""
    agent = add_agent(ctx)
    booking = add_booking(ctx, agent_id=agent.id)
    put_receipt(db, message_ids(db, booking.id, "agent")[-1], "undelivered", 30003)
    return booking.id


def test_booking_notices_says_who_was_not_reached_and_what_to_do(cli: Cli, missed: int) -> None:
    code, out, err = cli("booking", "notices", str(missed))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == [
        "ID",
        "QUEUED",
        "EVENT",
        "CHANNEL",
        "RECIPIENT",
        "STATUS",
        "DELIVERY",
        "REASON",
    ]
    agent_sms = [line for line in lines if "agent Ann Field (312) 555-0101" in line and " sms " in line]
    assert len(agent_sms) == 1
    assert agent_sms[0].endswith(f"sent    undelivered  {UNREACHABLE}: phone the agent")
    assert lines[-1] == "1 not reached"


def test_booking_notices_as_json(cli: Cli, missed: int) -> None:
    notices = cli.json("booking", "notices", str(missed))
    assert isinstance(notices, list)
    assert [n["id"] for n in notices] == sorted(n["id"] for n in notices)
    assert {(n["recipient_kind"], n["channel"]) for n in notices} >= {("agent", "sms"), ("customer", "sms")}
    [agent] = [n for n in notices if n["not_reached"]]
    assert (agent["recipient_kind"], agent["delivery"], agent["reason"], agent["advice"]) == (
        "agent",
        "undelivered",
        UNREACHABLE,
        "phone the agent",
    )


def test_booking_notices_of_no_booking_is_one_error_line(cli: Cli) -> None:
    code, out, err = cli("booking", "notices", "999")
    assert (code, out, err) == (2, "", "error: no booking with id 999\n")


def test_booking_show_and_list_carry_the_unreached(cli: Cli, missed: int) -> None:
    shown = cli.json("booking", "show", str(missed))
    assert isinstance(shown, dict)
    assert shown["unreached"] == [{"recipient_kind": "agent", "channel": "sms", "reason": UNREACHABLE}]
    listed = cli.json("booking", "list")
    assert isinstance(listed, list) and listed[0]["unreached"] == shown["unreached"]
    _code, out, _err = cli("booking", "show", str(missed))
    assert f"  not reached: agent Ann Field (SMS): {UNREACHABLE}: phone the agent" in out.splitlines()


def _texts(ctx: ServiceContext, db: Database, count: int) -> list[int]:
    agent = add_agent(ctx)
    ids: list[int] = []
    for hour in range(count):
        booking = add_booking(
            ctx, f"{8 + hour:02}:00", f"{8 + hour:02}:30", agent_id=agent.id, phone=f"312-555-01{50 + hour}"
        )
        ids.append(message_ids(db, booking.id, "customer")[-1])
    return ids


def test_two_unregistered_number_receipts_warn_in_outbox_counts_and_credentials_show(
    cli: Cli, ctx: ServiceContext, db: Database
) -> None:
    first, second = _texts(ctx, db, 2)
    put_receipt(db, first, "undelivered", 30034)
    code, _out, err = cli("outbox", "counts")
    assert code == 0 and A2P not in err  # one refused text may be one bad number
    put_receipt(db, second, "undelivered", 30034)
    _code, _out, err = cli("outbox", "counts")
    assert f"warning: {A2P}" in err.splitlines()
    _code, out, _err = cli("credentials", "show")
    assert f"warning: {A2P}" in out.splitlines()
    payload = cli.json("credentials", "show")
    assert isinstance(payload, dict) and A2P in payload["warnings"]


def test_wrong_credentials_and_a_trial_account_warn_with_what_to_do(
    cli: Cli, ctx: ServiceContext, db: Database
) -> None:
    refused, trial = _texts(ctx, db, 2)
    put_failure(
        db, refused, "Twilio HTTP 401 20003: Authenticate (check the Twilio credentials)", status="retry"
    )
    put_failure(db, trial, "Twilio HTTP 400 21608: The number is unverified. Trial accounts cannot send")
    _code, _out, err = cli("outbox", "counts")
    assert [line for line in err.splitlines() if "Twilio" in line] == [
        f"warning: {CREDENTIALS}",
        f"warning: {TRIAL}",
    ]
    _code, out, _err = cli("credentials", "show")
    assert f"warning: {CREDENTIALS}" in out.splitlines()


def test_credentials_show_still_works_when_the_database_cannot_be_opened(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(home, "postgresql+psycopg://nobody@127.0.0.1:1/none", capsys)
    code, out, _err = cli("--json", "credentials", "show")
    assert code == 0 and json.loads(out)["warnings"] == []
