"""Runs the local fake servers in their own process, so they never share a GIL with the code measured.

    python -m tests.bench.serve smtp [--tls CERT_DIR] [--delay SECONDS]
    python -m tests.bench.serve twilio [--latency SECONDS]

Prints one JSON line with the environment variables for the notifier, then answers commands
on stdin, one JSON line each: `count`, `keys` (what identifies each received message: the
Message-ID for email, the `#n` tag of the body for SMS), `times` (arrival times, Twilio only),
`reads` (GET requests so far, Twilio only), `settle` (every text reaches its final state, Twilio
only), `clear`, `quit`.
"""

import argparse
import json
import re
import sys
import warnings
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", message=".*login_data.*")

TAG = re.compile(r"#(\d+)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["smtp", "twilio"])
    parser.add_argument("--tls", metavar="CERT_DIR")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    server: Any
    if args.kind == "smtp":
        from tests.bench.common import slow_smtp
        from tests.servers.smtp_fake import make_cert

        if args.delay:
            server = slow_smtp(args.delay)
        elif args.tls:
            server = _LightSmtp(tls=True, cert=make_cert(Path(args.tls)))
        else:
            server = _LightSmtp()
        server.up()
        env = server.env()
        if args.tls:
            env["SSL_CERT_FILE"] = str(Path(args.tls) / "smtp-cert.pem")
    else:
        from tests.servers.twilio_fake import FakeTwilio

        server = _counting(FakeTwilio(latency=args.latency)).start()
        # The fake writes headers and body in two small writes; with Nagle on, the client's
        # delayed ACK adds ~40 ms to every reply, on top of the latency asked for.
        server._server.RequestHandlerClass.disable_nagle_algorithm = True
        env = server.env()
    print(json.dumps(env), flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            break
        print(json.dumps(_answer(args.kind, server, command)), flush=True)
    if args.kind == "smtp":
        server.down()
    else:
        server.stop()


MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def _light_smtp() -> Any:
    """tests.servers' FakeSmtp, but accepting a message costs a regex, not a full MIME parse.

    The full parse (~2 ms a message) would make the sink, not the sender, what is measured.
    """
    from tests.servers.smtp_fake import FakeSmtp

    class Light(FakeSmtp):
        def _accept(self, envelope: Any) -> str:
            found = MESSAGE_ID.search(envelope.original_content or envelope.content)
            with self._lock:
                self.messages.append({"Message-ID": found.group(1).decode() if found else ""})  # type: ignore[arg-type]
            return "250 2.0.0 Message accepted for delivery"

    return Light


def _LightSmtp(**kwargs: Any) -> Any:
    return _light_smtp()(**kwargs)


def _counting(server: Any) -> Any:
    """Track how many requests the server is answering at once (the sender's concurrency)."""
    import threading

    lock = threading.Lock()
    server.in_flight = server.max_in_flight = 0
    handle = server._handle

    def counted(request: Any) -> None:
        with lock:
            server.in_flight += 1
            server.max_in_flight = max(server.max_in_flight, server.in_flight)
        try:
            handle(request)
        finally:
            with lock:
                server.in_flight -= 1

    server._handle = counted
    return server


def _answer(kind: str, server: Any, command: str) -> Any:
    if kind == "twilio" and command == "settle":
        server.settle()  # takes the server's lock itself
        return 0
    if kind == "twilio" and command == "reads":
        return len(server.reads())
    with server._lock:
        if command == "count":
            return len(server.messages)
        if command == "max_in_flight":
            return getattr(server, "max_in_flight", 0)
        if command == "clear":
            server.messages.clear()
            if kind == "twilio":
                server.requests.clear()
                server.max_in_flight = 0
            return 0
        if command == "keys":
            if kind == "smtp":
                return [str(m["Message-ID"]) for m in server.messages]
            return [(TAG.search(m["Body"]) or [None, m["sid"]])[1] for m in server.messages]
        if command == "times":
            return [r["at"] for r in server.requests] if kind == "twilio" else []
    return None


if __name__ == "__main__":
    main()
