"""Reading Twilio's message log through the official client: what became of the texts sent,
and the texts people sent to the team's number (Twilio keeps both as Message resources).

One reader per sync pass, on the sending credentials (notify.credentials.load_twilio) and the
same base-URL client the sender uses. Receipts are read with the Messages list filtered by the
sending number and a DateSent lower bound, at the largest page size Twilio allows, following
`next_page_uri`; one message is fetched by SID only when a handful are pending.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
from twilio.base import values
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.response import Response
from twilio.rest import Client

from dispatch_desktop.domain.errors import DispatchError
from dispatch_desktop.domain.inbound import InboundSms
from dispatch_desktop.notify.credentials import TwilioCredentials
from dispatch_desktop.notify.secrets import scrub
from dispatch_desktop.notify.twilio_sender import BaseUrlHttpClient

# Twilio's Messages list answers at most this many per page.
MAX_PAGE_SIZE = 1000
# A recipient's own messages are few and newest first: a small page, and stop at the claim.
SEARCH_PAGE_SIZE = 50
NOT_FOUND = 404
INBOUND = "inbound"


class ProviderUnavailableError(DispatchError):
    """Twilio could not be asked (unreachable, timed out, refused the credentials)."""

    exit_code = 5


@dataclass(frozen=True)
class ProviderMessage:
    """One Message resource, as the sync uses it."""

    sid: str
    to: str
    from_: str
    body: str
    status: str
    error_code: int | None
    error_message: str | None
    date_created: datetime | None
    date_sent: datetime | None
    direction: str

    @classmethod
    def of(cls, message: Any) -> "ProviderMessage":
        return cls(
            sid=str(message.sid),
            to=str(message.to or ""),
            from_=str(message.from_ or ""),
            body=str(message.body or ""),
            status=str(message.status or ""),
            error_code=message.error_code,
            error_message=message.error_message,
            date_created=message.date_created,
            date_sent=message.date_sent,
            direction=str(message.direction or ""),
        )


class TwilioReader:
    """Reads the account's message log; `requests` counts the HTTP requests made."""

    def __init__(self, credentials: TwilioCredentials) -> None:
        # Through a Messaging Service, texts go out from any number of its pool and replies come to
        # any of them, and Twilio's list has no Messaging Service filter: the reads then cover the
        # account's whole log (still one request per 1,000 messages), matched by SID and direction.
        pooled = credentials.messaging_service_sid.present or not credentials.phone_number.value
        self.sender: object = values.unset if pooled else credentials.phone_number.value
        self.http = BaseUrlHttpClient(credentials.api_base_url, credentials.timeout_seconds)
        self.client = Client(
            credentials.account_sid.value, credentials.auth_token.value, http_client=self.http
        )

    @property
    def requests(self) -> int:
        return self.http.requests

    def sent_since(self, since: datetime) -> Iterator[ProviderMessage]:
        """Every message from the sending number with DateSent on or after `since`, newest first."""
        return self._read(
            lambda: self.client.messages.stream(
                from_=self.sender, date_sent_after=since, page_size=MAX_PAGE_SIZE
            )
        )

    def to_recipient(self, to: str, created_since: datetime) -> Iterator[ProviderMessage]:
        """Messages from the sending number to `to` created at or after `created_since`, newest first.

        No DateSent filter: a text Twilio still queues has no DateSent, and must be found too.
        """
        found = self._read(
            lambda: self.client.messages.stream(to=to, from_=self.sender, page_size=SEARCH_PAGE_SIZE)
        )
        for message in found:
            if message.date_created is not None and message.date_created < created_since:
                return  # newest first: the rest is older still
            yield message

    def messages_since(self, after: datetime) -> Iterator[InboundSms]:
        """Texts sent TO the sending number at or after `after` (Twilio's DateSent>), newest first."""
        listed = self._read(
            lambda: self.client.messages.stream(
                to=self.sender, date_sent_after=after, page_size=MAX_PAGE_SIZE
            )
        )
        for message in listed:
            if message.direction != INBOUND or not message.sid:
                continue
            when = message.date_sent or message.date_created or datetime.now(UTC)
            yield InboundSms(message.sid, message.from_, message.to, message.body, when)

    def fetch(self, sid: str) -> ProviderMessage | None:
        """One message by SID; None when Twilio has no such message."""
        try:
            return ProviderMessage.of(self.client.messages(sid).fetch())
        except TwilioRestException as exc:
            if exc.status == NOT_FOUND:
                return None
            raise self._error(exc) from None
        except (TwilioException, requests.exceptions.RequestException) as exc:
            raise self._error(exc) from None

    def _read(self, stream: Callable[[], Iterator[Any]]) -> Iterator[ProviderMessage]:
        """The stream's messages; the client fetches its first page when the stream is made."""
        try:
            for message in stream():
                yield ProviderMessage.of(message)
        except (TwilioException, requests.exceptions.RequestException) as exc:
            raise self._error(exc) from None

    def _error(self, exc: Exception) -> ProviderUnavailableError:
        if isinstance(exc, TwilioRestException) or _page_response(exc) is not None:
            status, code_number, message = _rest_error(exc)
            detail = scrub(" ".join(message.split()))[:200]
            code = f" {code_number}" if code_number else ""
            hint = " (check the Twilio credentials)" if status in (401, 403) else ""
            return ProviderUnavailableError(f"Twilio HTTP {status}{code} reading messages: {detail}{hint}")
        if isinstance(exc, requests.exceptions.Timeout):
            return ProviderUnavailableError(f"no answer from {self.http.base_url} reading messages")
        if isinstance(exc, requests.exceptions.RequestException):
            return ProviderUnavailableError(f"cannot reach {self.http.base_url} to read messages")
        return ProviderUnavailableError(scrub(f"Twilio: {exc}")[:200])


def _page_response(exc: Exception) -> Response | None:
    """The reply a page read failed on: the client raises TwilioException("Unable to fetch page", reply)."""
    reply = exc.args[1] if len(exc.args) > 1 else None
    return reply if isinstance(reply, Response) else None


def _rest_error(exc: Exception) -> tuple[int, int | None, str]:
    """HTTP status, Twilio's error code and message, from a REST error or a failed page read."""
    if isinstance(exc, TwilioRestException):
        return exc.status, exc.code, str(exc.msg or "")
    reply = _page_response(exc)
    assert reply is not None
    try:
        body = json.loads(reply.text or "{}")
    except ValueError:
        body = {}
    code = body.get("code") if isinstance(body, dict) else None
    message = body.get("message") if isinstance(body, dict) else None
    return reply.status_code, code if isinstance(code, int) else None, str(message or "")
