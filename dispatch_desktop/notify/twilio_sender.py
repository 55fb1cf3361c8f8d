"""SMS through Twilio's official client, with a base URL that a proxy or local test server can take."""

import email.utils
import logging
import threading
import time
from datetime import UTC, datetime

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client
from twilio.rest.api.v2010.account.message import MessageInstance
from urllib3.exceptions import MaxRetryError, NewConnectionError

from dispatch_desktop.notify.credentials import TwilioCredentials
from dispatch_desktop.notify.notifier import Outcome, SendResult
from dispatch_desktop.notify.secrets import scrub

TWILIO_API = "https://api.twilio.com"
INVALID_NUMBER_CODES = {21211, 21614}
OPTED_OUT_CODE = 21610
DEFAULT_THROTTLE_PAUSE = 30.0  # a 429 without Retry-After
# twilio logs every request at INFO; the notifier's own line is enough.
_http_log = logging.getLogger("dispatch_desktop.notify.twilio_http")
_http_log.setLevel(logging.WARNING)


class BaseUrlHttpClient(TwilioHttpClient):
    """Sends what the Twilio client builds for https://api.twilio.com to `base_url` instead."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(pool_connections=True, timeout=timeout, logger=_http_log)
        self.base_url = base_url.rstrip("/")
        self.last_headers: dict[str, str] = {}
        self.requests = 0  # made so far, for the provider sync's report and its benchmark

    def request(self, method: str, url: str, *args: object, **kwargs: object) -> Response:
        if self.base_url != TWILIO_API and url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        self.last_headers = {}
        self.requests += 1
        response = super().request(method, url, *args, **kwargs)
        self.last_headers = dict(response.headers or {})
        return response


# Slots are spaced for 2 % under the configured rate: between its slot and the request reaching
# Twilio a send spends a few ms building it and waiting for the GIL, and that jitter must never
# squeeze a one-second window over the limit (measured 1.35 % over at 40/s without the margin).
RATE_HEADROOM = 0.98


class RateLimiter:
    """At most `per_second` sends per second across all sending threads (slots at 98 % of it)."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / (per_second * RATE_HEADROOM)
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _never_connected(exc: requests.exceptions.ConnectionError) -> bool:
    """True when the request cannot have reached Twilio (refused, DNS, connect timeout)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError)


class TwilioSender:
    """One sender per delivery run; each sending thread gets its own Client and HTTP session."""

    def __init__(self, credentials: TwilioCredentials) -> None:
        self.credentials = credentials
        self._local = threading.local()
        limit = credentials.rate_limit_per_second
        self._limiter = RateLimiter(limit) if limit and limit > 0 else None
        self._pause_lock = threading.Lock()
        self._paused_until = 0.0

    def _client(self) -> tuple[Client, BaseUrlHttpClient]:
        pair = getattr(self._local, "pair", None)
        if pair is None:
            http = BaseUrlHttpClient(self.credentials.api_base_url, self.credentials.timeout_seconds)
            client = Client(
                self.credentials.account_sid.value, self.credentials.auth_token.value, http_client=http
            )
            pair = self._local.pair = (client, http)
        return pair

    def send(self, to: str, body: str) -> SendResult:
        client, http = self._client()
        if self._limiter:
            self._limiter.wait()
        wait = self._paused()
        if wait > 0:
            # Twilio said 429 to another send of this run: do not knock again before Retry-After.
            return SendResult(
                Outcome.RETRY,
                error=f"throttled by Twilio (429); waiting {wait:.0f}s as Retry-After asked",
                retry_after=wait,
                counts_attempt=False,
            )
        try:
            message = self._create(client, to, body)
        except TwilioRestException as exc:
            return self._rest_error(exc, http.last_headers)
        except requests.exceptions.ConnectionError as exc:
            if _never_connected(exc):
                return SendResult(
                    Outcome.RETRY, error=f"network error: cannot reach {http.base_url}", counts_attempt=False
                )
            return SendResult(
                Outcome.UNKNOWN,
                error=f"connection to {http.base_url} broke after the request was sent; it may have been delivered",
            )
        except requests.exceptions.Timeout:
            return SendResult(
                Outcome.UNKNOWN,
                error=(
                    f"no answer from {http.base_url} within {self.credentials.timeout_seconds:g}s "
                    "after the request was sent; it may have been delivered"
                ),
            )
        except Exception as exc:  # whatever else happened, the request may have gone out
            return SendResult(Outcome.UNKNOWN, error=scrub(f"{type(exc).__name__}: {exc}")[:300])
        return SendResult(Outcome.SENT, provider_id=message.sid, sent_to=to)

    def _create(self, client: Client, to: str, body: str) -> MessageInstance:
        """Through the Messaging Service when one is set (Twilio then picks the From), else from the number."""
        service = self.credentials.messaging_service_sid.value
        if service:
            return client.messages.create(to=to, messaging_service_sid=service, body=body)
        return client.messages.create(to=to, from_=self.credentials.phone_number.value, body=body)

    def _pause(self, seconds: float | None) -> None:
        until = time.monotonic() + (seconds if seconds is not None else DEFAULT_THROTTLE_PAUSE)
        with self._pause_lock:
            self._paused_until = max(self._paused_until, until)

    def _paused(self) -> float:
        with self._pause_lock:
            return max(0.0, self._paused_until - time.monotonic())

    def _rest_error(self, exc: TwilioRestException, headers: dict[str, str]) -> SendResult:
        detail = scrub(" ".join(str(exc.msg or "").split()))[:300]
        code = f" {exc.code}" if exc.code else ""
        error = f"Twilio HTTP {exc.status}{code}: {detail}"
        if exc.status == 429:
            wait = parse_retry_after(headers.get("Retry-After") or headers.get("retry-after"))
            self._pause(wait)
            return SendResult(Outcome.RETRY, error=error, retry_after=wait, counts_attempt=False)
        if exc.status >= 500:
            return SendResult(Outcome.RETRY, error=error)
        if exc.code == OPTED_OUT_CODE:
            return SendResult(
                Outcome.FAILED,
                error=f"{error} (recipient replied STOP; suppressed until cleared)",
                suppress=True,
            )
        if exc.code in INVALID_NUMBER_CODES:
            return SendResult(Outcome.FAILED, error=f"{error} (invalid number)")
        if exc.status in (401, 403):
            # Wrong credentials are fixed by a person; the message itself is fine, so keep it waiting.
            return SendResult(Outcome.RETRY, error=f"{error} (check the Twilio credentials)")
        return SendResult(Outcome.FAILED, error=error)
