"""Run the local Twilio and SMTP servers for a terminal demonstration of the notifier.

    .venv/bin/python -m tests.servers [--tls]

Prints the environment to export in another terminal, then every message the servers receive.
Programmable failures: type a command and Enter, e.g. `21211 +13125550199`, `21610 +1...`,
`429`, `500`, `smtp 451`, `smtp 550`, `smtp down`, `smtp up`.
"""

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.servers.smtp_fake import FakeSmtp, make_cert
from tests.servers.twilio_fake import FakeTwilio, Reply

TWILIO_CODES = {"21211": Reply.invalid_number, "21614": Reply.unreachable, "21610": Reply.opted_out}


def _watch(twilio: FakeTwilio, smtp: FakeSmtp, stop: threading.Event) -> None:
    seen_sms = seen_mail = 0
    while not stop.wait(0.2):
        for message in twilio.messages[seen_sms:]:
            print(f"twilio <- {message['To']}: {message['Body']}  ({message['sid']})", flush=True)
        seen_sms = len(twilio.messages)
        for message in smtp.messages[seen_mail:]:
            print(f"smtp   <- {message['To']}: {message['Subject']}  {message['Message-ID']}", flush=True)
        seen_mail = len(smtp.messages)


def _command(line: str, twilio: FakeTwilio, smtp: FakeSmtp) -> str:
    words = line.split()
    if not words:
        return ""
    if words[0] in TWILIO_CODES and len(words) == 2:
        twilio.reply_for(words[1], TWILIO_CODES[words[0]]())
        return f"next SMS to {words[1]} gets {words[0]}"
    if words == ["429"]:
        twilio.script(Reply.throttled(retry_after=30))
        return "next SMS gets 429 Retry-After: 30"
    if words == ["500"]:
        twilio.script(Reply.server_error())
        return "next SMS gets 500"
    if words[:1] == ["smtp"] and len(words) == 2:
        if words[1] == "down":
            smtp.down()
            return "SMTP server down"
        if words[1] == "up":
            smtp.up()
            return "SMTP server up"
        if words[1].isdigit():
            smtp.fail_next(
                int(words[1]), "4.3.0 try again later" if words[1].startswith("4") else "5.1.1 refused"
            )
            return f"next email gets {words[1]}"
    return f"unknown command {line.strip()!r}"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.servers", description=__doc__.splitlines()[0])
    parser.add_argument("--tls", action="store_true", help="SMTP with STARTTLS and AUTH (self-signed cert)")
    args = parser.parse_args()
    cert = make_cert(Path(tempfile.mkdtemp(prefix="dispatch-smtp-"))) if args.tls else None
    with FakeTwilio() as twilio, FakeSmtp(tls=args.tls, cert=cert) as smtp:
        env = twilio.env() | smtp.env()
        if cert is not None:
            env["SSL_CERT_FILE"] = str(cert.cert_file)
        print("# export these in the terminal that runs dispatch-desktop:")
        for key, value in env.items():
            print(f"export {key}={value}")
        print("# then FLASK_ENV=production to send here; Ctrl-C stops", flush=True)
        stop = threading.Event()
        threading.Thread(target=_watch, args=(twilio, smtp, stop), daemon=True).start()
        try:
            for line in sys.stdin:
                reply = _command(line, twilio, smtp)
                if reply:
                    print(reply, flush=True)
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
