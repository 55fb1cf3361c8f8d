"""A local HTTP server that answers like Twilio's Messages API.

    with FakeTwilio() as twilio:
        env = twilio.env()            # TWILIO_* variables pointing the notifier here
        twilio.reply_for("+15005550001", Reply.invalid_number())
        twilio.script(Reply.throttled(retry_after=2), Reply.server_error())
        ...
        twilio.messages               # accepted messages: [{"sid", "To", "From", "Body"}]
        twilio.requests               # every POST, accepted or not

Replies come from `script` (next requests, in order), then `reply_for` (per number), else 201.
`hold()` makes sends block until `release()`; `held` is set once a send is blocked.
"""

import base64
import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

DEFAULT_SID = "AC" + "0" * 31 + "1"
DEFAULT_TOKEN = "fake-twilio-auth-token-7f3e"
DEFAULT_FROM = "+15005550006"
PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json$")


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
        self.messages: list[dict[str, str]] = []
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
            self.requests.append({"path": request.path, "form": form, "at": time.time()})
        if not self._gate.is_set():
            self.held.set()
            self._gate.wait()
        if self.latency:
            time.sleep(self.latency)
        if match is None:
            return self._send(request, 404, {"code": 20404, "message": "Not Found", "status": 404})
        if match["sid"] != self.account_sid or not self._authorized(request.headers.get("Authorization")):
            return self._send(request, 401, {"code": 20003, "message": "Authenticate", "status": 401})
        to = form.get("To", "")
        reply = self._next_reply(to)
        if reply is not None:
            body = {"code": reply.code, "message": reply.message, "status": reply.status}
            headers = {"Retry-After": reply.retry_after} if reply.retry_after else {}
            return self._send(request, reply.status, body, headers)
        sid = "SM" + uuid.uuid4().hex
        record = {"sid": sid, "To": to, "From": form.get("From", ""), "Body": form.get("Body", "")}
        with self._lock:
            self.messages.append(record)
        return self._send(
            request,
            201,
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": to,
                "from": record["From"],
                "body": record["Body"],
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
            },
        )

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
