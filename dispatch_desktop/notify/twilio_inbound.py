"""Texts people sent to the team's Twilio number, read back through the official client.

Twilio keeps every inbound text as a Message resource, so a LAN product needs no webhook: it
lists the messages sent TO its number since a time, at Twilio's largest page size, following
`next_page_uri` (the client's stream does), through the same BaseUrlHttpClient as the sender so
a proxy or the local test server can take the requests.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from twilio.rest import Client

from dispatch_desktop.notify.credentials import TwilioCredentials
from dispatch_desktop.notify.twilio_sender import BaseUrlHttpClient

PAGE_SIZE = 1000  # Twilio's largest
INBOUND = "inbound"


@dataclass(frozen=True)
class InboundSms:
    """One text as the provider (or `simulate-inbound`) hands it over."""

    sid: str
    from_phone: str
    to_phone: str
    body: str
    received_at: datetime


class TwilioInbound:
    """Lists inbound texts to the account's sending number."""

    def __init__(self, credentials: TwilioCredentials) -> None:
        if not credentials.phone_number.value:
            raise ValueError("TWILIO_PHONE_NUMBER is not set: there is no number to read texts to")
        self.number = credentials.phone_number.value
        self.http = BaseUrlHttpClient(credentials.api_base_url, credentials.timeout_seconds)
        self.client = Client(
            credentials.account_sid.value, credentials.auth_token.value, http_client=self.http
        )

    def messages_since(self, after: datetime) -> Iterator[InboundSms]:
        """Texts to the number sent at or after `after` (Twilio's DateSent>), newest first as listed."""
        for message in self.client.messages.stream(
            to=self.number, date_sent_after=after, page_size=PAGE_SIZE
        ):
            if message.direction != INBOUND or not message.sid:
                continue
            when = message.date_sent or message.date_created or datetime.now(UTC)
            yield InboundSms(message.sid, message.from_ or "", message.to or "", message.body or "", when)
