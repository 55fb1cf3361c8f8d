"""A local HTTP server that answers like Twilio's Messages API.

    with FakeTwilio() as twilio:
        env = twilio.env()            # TWILIO_* variables pointing the notifier here
        twilio.reply_for("+15005550001", Reply.invalid_number())
        twilio.script(Reply.throttled(retry_after=2), Reply.server_error())
        ...
        twilio.messages               # accepted messages: [{"sid", "To", "From", "Body", ...}]
        twilio.requests               # every request, accepted or not: {"method", "path", "form", "query"}

Replies come from `script` (next requests, in order), then `reply_for` (per number), else 201.
`hold()` makes sends block until `release()`; `held` is set once a send is blocked.

It also answers reads, as Twilio keeps every message as a Message resource:
- `GET .../Messages/{Sid}.json`, and `GET .../Messages.json` filtered by `To`, `From`,
  `DateSent` / `DateSent>` / `DateSent<` (and the `>=`/`<=` spellings), newest first, paged by
  `PageSize` (at most 1000) through `next_page_uri`.
- A sent message's status moves `queued` → `sent` → its final state, one step each time it is
  read (`advance_on_read=False` keeps it; `settle()` moves every message to its final state).
  The final state is `delivered` unless `outcome_for(number, "undelivered", 30003)` says otherwise.
- `receive(from_, body)` puts an inbound message (direction `inbound`, status `received`) in the
  log, as a reply to the account's number; it is listed like any other.
"""

import base64
import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

DEFAULT_SID = "AC" + "0" * 31 + "1"
DEFAULT_TOKEN = "fake-twilio-auth-token-7f3e"
DEFAULT_FROM = "+15005550006"
PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages(?:/(?P<message>[^/]+))?\.json$")
MAX_PAGE_SIZE = 1000
# What a sent message says as it is read again and again, before its final state.
STAGES = ("queued", "sent")


@dataclass(frozen=True)
class Outcome:
    """How a message to one number ends: Twilio's final status, ErrorCode and error message."""

    status: str = "delivered"
    error_code: int | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class Reply:
    status: int
    code: int | None = None
    message: str = ""
    retry_after: str | None = None

    @classmethod
    def invalid_number(cls) -> "Reply":
        return cls(400, 21211, "The 'To' number is not a valid phone number.")

    @classmethod
    def unreachable(cls) -> "Reply":
        return cls(400, 21614, "'To' number is not a valid mobile number")

    @classmethod
    def opted_out(cls) -> "Reply":
        return cls(400, 21610, "Attempt to send to unsubscribed recipient")

    @classmethod
    def throttled(cls, retry_after: int | str = 1) -> "Reply":
        return cls(429, 20429, "Too Many Requests", str(retry_after))

    @classmethod
    def server_error(cls) -> "Reply":
        return cls(500, None, "Internal Server Error")


class FakeTwilio:
    def __init__(
        self,
        *,
        account_sid: str = DEFAULT_SID,
        auth_token: str = DEFAULT_TOKEN,
        phone_number: str = DEFAULT_FROM,
        latency: float = 0.0,
    ) -> None:
        self.account_sid, self.auth_token, self.phone_number = account_sid, auth_token, phone_number
        self.latency = latency
        self.advance_on_read = True
        self.messages: list[dict[str, Any]] = []
        self._outcomes: dict[str, Outcome] = {}
        self.requests: list[dict[str, Any]] = []
        self._script: deque[Reply] = deque()
        self._per_number: dict[str, deque[Reply]] = {}
        self._lock = threading.Lock()
        self._gate = threading.Event()
        self._gate.set()
        self.held = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- control ---------------------------------------------------------------------------

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def reply_for(self, number: str, *replies: Reply, always: bool = False) -> None:
        """Replies for sends to `number`; with always=True the last one repeats forever."""
        with self._lock:
            queue = self._per_number.setdefault(number, deque())
            queue.extend(replies)
            if always:
                queue.append(replies[-1])
                self._always = getattr(self, "_always", set()) | {number}

    def outcome_for(
        self,
        number: str,
        status: str = "delivered",
        error_code: int | None = None,
        error_message: str | None = None,
    ) -> None:
        """How messages to `number` end once they have moved past `sent`."""
        with self._lock:
            self._outcomes[number] = Outcome(status, error_code, error_message)

    def settle(self) -> None:
        """Every sent message reaches its final state now."""
        with self._lock:
            for record in self.messages:
                if record["direction"] != "inbound":
                    record["stage"] = len(STAGES)

    def receive(self, from_: str, body: str, *, to: str | None = None, at: datetime | None = None) -> str:
        """An inbound message to the account's number, as Twilio logs a reply. Returns its SID."""
        sid = "SM" + uuid.uuid4().hex
        when = at or datetime.now(UTC)
        record = {
            "sid": sid, "To": to or self.phone_number, "From": from_, "Body": body,
            "direction": "inbound", "messaging_service_sid": None, "date": when, "stage": 0,
        }  # fmt: skip
        with self._lock:
            self.messages.append(record)
        return sid

    def reads(self) -> list[dict[str, Any]]:
        """The GET requests received so far."""
        with self._lock:
            return [request for request in self.requests if request["method"] == "GET"]

    def hold(self) -> None:
        self.held.clear()
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    def env(self) -> dict[str, str]:
        return {
            "TWILIO_ACCOUNT_SID": self.account_sid,
            "TWILIO_AUTH_TOKEN": self.auth_token,
            "TWILIO_PHONE_NUMBER": self.phone_number,
            "TWILIO_API_BASE_URL": self.base_url,
        }

    def sent_to(self) -> list[str]:
        with self._lock:
            return [message["To"] for message in self.messages]

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> "FakeTwilio":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle on, each reply stalls on a delayed ACK.
            disable_nagle_algorithm = True

            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:
                fake._handle(self)

            def do_GET(self) -> None:
                fake._handle_read(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-twilio", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeTwilio":
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # --- the API -------------------------------------------------------------------------------

    def _authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return user == self.account_sid and password == self.auth_token

    def _next_reply(self, to: str) -> Reply | None:
        with self._lock:
            if self._script:
                return self._script.popleft()
            queue = self._per_number.get(to)
            if queue:
                if len(queue) == 1 and to in getattr(self, "_always", set()):
                    return queue[0]
                return queue.popleft()
        return None

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        form = {key: values[0] for key, values in parse_qs(request.rfile.read(length).decode()).items()}
        match = PATH.match(request.path)
        with self._lock:
            self.requests.append(
                {"method": "POST", "path": request.path, "form": form, "query": {}, "at": time.time()}
            )
        if not self._gate.is_set():
            self.held.set()
            self._gate.wait()
        if self.latency:
            time.sleep(self.latency)
        if match is None or match["message"] is not None:
            return self._send(request, 404, {"code": 20404, "message": "Not Found", "status": 404})
        if match["sid"] != self.account_sid or not self._authorized(request.headers.get("Authorization")):
            return self._send(request, 401, {"code": 20003, "message": "Authenticate", "status": 401})
        to = form.get("To", "")
        reply = self._next_reply(to)
        if reply is not None:
            body = {"code": reply.code, "message": reply.message, "status": reply.status}
            headers = {"Retry-After": reply.retry_after} if reply.retry_after else {}
            return self._send(request, reply.status, body, headers)
        service = form.get("MessagingServiceSid")
        record = {
            "sid": "SM" + uuid.uuid4().hex, "To": to, "From": form.get("From") or self.phone_number,
            "Body": form.get("Body", ""), "direction": "outbound-api", "messaging_service_sid": service,
            "date": datetime.now(UTC), "stage": 0,
        }  # fmt: skip
        with self._lock:
            self.messages.append(record)
            resource = self._resource(record)
        return self._send(request, 201, resource)

    def _handle_read(self, request: BaseHTTPRequestHandler) -> None:
        url = urlsplit(request.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        with self._lock:
            self.requests.append(
                {"method": "GET", "path": url.path, "form": {}, "query": query, "at": time.time()}
            )
        if self.latency:
            time.sleep(self.latency)
        match = PATH.match(url.path)
        if match is None:
            return self._send(request, 404, {"code": 20404, "message": "Not Found", "status": 404})
        if match["sid"] != self.account_sid or not self._authorized(request.headers.get("Authorization")):
            return self._send(request, 401, {"code": 20003, "message": "Authenticate", "status": 401})
        with self._lock:
            if match["message"] is not None:
                found = [record for record in self.messages if record["sid"] == match["message"]]
                if not found:
                    return self._send(request, 404, {"code": 20404, "message": "Not Found", "status": 404})
                return self._send(request, 200, self._read(found[0]))
            page = self._page(url.path, query)
        return self._send(request, 200, page)

    def _page(self, path: str, query: dict[str, str]) -> dict[str, Any]:
        """One page of the filtered log, newest first (caller holds the lock)."""
        matching = [record for record in reversed(self.messages) if _matches(record, query)]
        size = max(1, min(int(query.get("PageSize", 50)), MAX_PAGE_SIZE))
        number = int(query.get("Page", 0))
        chunk = matching[number * size : (number + 1) * size]
        has_more = (number + 1) * size < len(matching)
        next_query = {**query, "Page": str(number + 1), "PageSize": str(size), "PageToken": f"PA{number + 1}"}
        return {
            "messages": [self._read(record) for record in chunk],
            "page": number,
            "page_size": size,
            "uri": f"{path}?{urlencode(query)}",
            "first_page_uri": f"{path}?{urlencode({**query, 'Page': '0', 'PageSize': str(size)})}",
            "next_page_uri": f"{path}?{urlencode(next_query)}" if has_more else None,
            "previous_page_uri": None,
            "start": number * size,
            "end": number * size + len(chunk) - 1,
        }

    def _read(self, record: dict[str, Any]) -> dict[str, Any]:
        """The resource as it is now; a sent message then moves one step on (caller holds the lock)."""
        resource = self._resource(record)
        if self.advance_on_read and record["direction"] != "inbound" and record["stage"] < len(STAGES):
            record["stage"] += 1
        return resource

    def _resource(self, record: dict[str, Any]) -> dict[str, Any]:
        if record["direction"] == "inbound":
            status, code, message = "received", None, None
        elif record["stage"] < len(STAGES):
            status, code, message = STAGES[record["stage"]], None, None
        else:
            outcome = self._outcomes.get(record["To"], Outcome())
            status, code, message = outcome.status, outcome.error_code, outcome.error_message
        stamp = format_datetime(record["date"], usegmt=True)
        return {
            "sid": record["sid"],
            "account_sid": self.account_sid,
            "to": record["To"],
            "from": record["From"],
            "body": record["Body"],
            "status": status,
            "error_code": code,
            "error_message": message,
            "num_segments": "1",
            "direction": record["direction"],
            "messaging_service_sid": record["messaging_service_sid"],
            "date_created": stamp,
            "date_sent": stamp,
            "date_updated": stamp,
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{record['sid']}.json",
        }

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler,
        status: int,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            request.send_header(key, value)
        request.end_headers()
        request.wfile.write(data)


def _when(value: str) -> datetime:
    """A DateSent filter value: a date (YYYY-MM-DD), ISO 8601 or RFC 2822 time."""
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = parsedate_to_datetime(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _matches(record: dict[str, Any], query: dict[str, str]) -> bool:
    if "To" in query and record["To"] != query["To"]:
        return False
    if "From" in query and record["From"] != query["From"]:
        return False
    sent: datetime = record["date"]
    for key, value in query.items():
        if not key.startswith("DateSent"):
            continue
        bound = _when(value)
        whole_day = len(value.strip()) == 10
        if key in ("DateSent>", "DateSent>="):
            if sent < bound:
                return False
        elif key in ("DateSent<", "DateSent<="):
            if sent >= (bound + timedelta(days=1) if whole_day else bound + timedelta(microseconds=1)):
                return False
        elif key == "DateSent" and sent.date() != bound.date():
            return False
    return True
