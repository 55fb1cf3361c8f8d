"""The inbound pull against the Twilio-like server: texts TO our number, since a time, every page."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from dispatch_desktop.config import Config
from dispatch_desktop.notify import credentials
from dispatch_desktop.notify.twilio_reader import MAX_PAGE_SIZE as PAGE_SIZE
from dispatch_desktop.notify.twilio_reader import TwilioReader
from dispatch_desktop.services import inbound
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import InboundMessage, SmsSuppression
from tests.servers.twilio_fake import FakeTwilio

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def twilio(monkeypatch: pytest.MonkeyPatch, clean_notify_env: None) -> FakeTwilio:
    fake = FakeTwilio().start()
    for name, value in fake.env().items():
        monkeypatch.setenv(name, value)
    yield fake
    fake.stop()


def test_the_reader_lists_only_texts_to_our_number_since_the_time_following_every_page(
    twilio: FakeTwilio,
) -> None:
    twilio.receive("+13125550111", "too old", at=NOW - timedelta(hours=2))
    sids = [
        twilio.receive("+13125550111", f"text {i}", at=NOW + timedelta(seconds=i))
        for i in range(PAGE_SIZE + 5)
    ]
    twilio.receive("+13125550111", "to another number", to="+15005550009", at=NOW)
    reader = TwilioReader(credentials.load_twilio(Config()))
    listed = list(reader.messages_since(NOW - timedelta(minutes=1)))
    assert sorted(m.sid for m in listed) == sorted(sids)
    assert {m.to_phone for m in listed} == {twilio.phone_number}
    newest = max(listed, key=lambda m: m.received_at)
    assert (newest.body, newest.from_phone) == (f"text {PAGE_SIZE + 4}", "+13125550111")
    reads = twilio.reads()
    assert len(reads) == 2  # two pages of 1000
    assert reads[0]["query"]["PageSize"] == str(PAGE_SIZE) and reads[0]["query"]["To"] == twilio.phone_number
    assert reads[0]["query"]["DateSent>"] == "2026-12-01T11:59:00Z"


def test_a_pull_through_the_server_stores_each_text_once(db: Database, twilio: FakeTwilio) -> None:
    ctx = ServiceContext(db, "boss")
    twilio.receive("+13125550111", "STOP", at=NOW - timedelta(minutes=10))
    twilio.receive("+13125550122", "Is it tomorrow?", at=NOW - timedelta(minutes=5))
    reader = TwilioReader(credentials.load_twilio(Config()))
    first = inbound.pull_inbound(ctx, reader, NOW)
    assert [a.action for a in first.applied] == ["suppressed: replied STOP", "plain text"]
    twilio.receive("+13125550111", "START", at=NOW - timedelta(minutes=1))
    second = inbound.pull_inbound(ctx, reader, NOW)
    assert (second.listed, second.already_stored) == (3, 2)  # from the newest stored minus the overlap
    assert [a.action for a in second.applied] == ["suppression lifted: replied START"]
    assert twilio.reads()[-1]["query"]["DateSent>"] == "2026-12-01T11:50:00Z"
    with db.read() as session:
        assert len(list(session.scalars(select(InboundMessage)))) == 3
        assert list(session.scalars(select(SmsSuppression))) == []
