"""Run the local Twilio and SMTP servers for a terminal demonstration of the notifier.

    .venv/bin/python -m tests.servers [--tls | --office365]

Prints the environment to export in another terminal, then every message the servers receive.
Programmable failures: type a command and Enter, e.g. `21211 +13125550199`, `21610 +1...`,
`429`, `500`, `smtp 451`, `smtp 550`, `smtp down`, `smtp up`.
With --office365 the SMTP server takes only AUTH XOAUTH2 tokens from a local Entra ID stand-in, and
`entra down`, `entra up`, `xoauth2 535` (Exchange refuses the app) and `basic off` (password logins
get 535 5.7.139) program its failures.
"""

import argparse
import contextlib
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.servers.oauth_fake import CLIENT_ID, CLIENT_SECRET, TENANT, FakeEntra
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


def _command(line: str, twilio: FakeTwilio, smtp: FakeSmtp, entra: FakeEntra | None = None) -> str:
    words = line.split()
    if not words:
        return ""
    if entra is not None and words in (["entra", "down"], ["entra", "up"]):
        entra.down() if words[1] == "down" else entra.up()
        return f"Entra ID token endpoint {words[1]}"
    if words == ["xoauth2", "535"]:
        smtp.refuse_xoauth2 = "535 5.7.3 Authentication unsuccessful"
        return "XOAUTH2 logins now get 535 5.7.3"
    if words == ["basic", "off"]:
        smtp.refuse_logins = "535 5.7.139 Authentication unsuccessful, basic authentication is disabled."
        return "password logins now get 535 5.7.139"
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
    parser.add_argument(
        "--office365", action="store_true", help="like --tls, plus a local Entra ID for OAuth2 (XOAUTH2)"
    )
    args = parser.parse_args()
    tls = args.tls or args.office365
    cert = make_cert(Path(tempfile.mkdtemp(prefix="dispatch-smtp-"))) if tls else None
    with contextlib.ExitStack() as stack:
        twilio = stack.enter_context(FakeTwilio())
        smtp = stack.enter_context(FakeSmtp(tls=tls, cert=cert))
        entra = stack.enter_context(FakeEntra(cert)) if args.office365 and cert is not None else None
        env = twilio.env() | smtp.env()
        if cert is not None:
            env["SSL_CERT_FILE"] = str(cert.cert_file)
        if entra is not None and cert is not None:
            smtp.accept_token = entra.valid
            env.pop("SMTP_PASSWORD", None)
            env |= {
                "REQUESTS_CA_BUNDLE": str(cert.cert_file),
                "SMTP_AUTH": "oauth2",
                "O365_AUTHORITY": entra.authority,
                "O365_TENANT_ID": TENANT,
                "O365_CLIENT_ID": CLIENT_ID,
                "O365_CLIENT_SECRET": CLIENT_SECRET,
            }
        print("# export these in the terminal that runs dispatch-desktop:")
        for key, value in env.items():
            print(f"export {key}={value}")
        print("# then FLASK_ENV=production to send here; Ctrl-C stops", flush=True)
        stop = threading.Event()
        threading.Thread(target=_watch, args=(twilio, smtp, stop), daemon=True).start()
        try:
            for line in sys.stdin:
                reply = _command(line, twilio, smtp, entra)
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
