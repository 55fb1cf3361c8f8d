"""Reads every mail a Maildir received and says what a mail client and a calendar would trip on.

Run it with a Python that has `icalendar`, `vobject` and `ics` (a scratch venv: the last two are
not the project's), as docs/mail-format.md shows:  python scripts/check_maildir.py ~/Maildir
Prints each mail's headers, MIME tree and invite, then the problems found; exit 1 when any.
"""

import email
import email.policy
import re
import sys
from email.message import EmailMessage
from pathlib import Path
from typing import cast

import icalendar
import ics
import vobject

ENCODED_WORD = re.compile(rb"=\?utf-8\?[bq]\?[^?]*\?=", re.IGNORECASE)
# Postfix's own trace headers hold the envelope address whole; they are not the app's.
POSTFIX_HEADERS = (b"Return-Path", b"X-Original-To", b"Delivered-To", b"Received", b"\tfor <", b"\tby ")


def tree(part: EmailMessage, depth: int = 0) -> list[str]:
    params = dict(part.get_params() or [])
    line = (
        f"{'  ' * depth}{part.get_content_type()} cte={part.get('Content-Transfer-Encoding')} "
        f"charset={params.get('charset')} method={params.get('method')} "
        f"disposition={part.get('Content-Disposition')}"
    )
    if not part.is_multipart():
        return [line]
    return [line] + [row for sub in part.iter_parts() for row in tree(cast(EmailMessage, sub), depth + 1)]


def check_invite(part: EmailMessage, bad: list[str]) -> list[str]:
    payload = cast(bytes, part.get_payload(decode=True))
    # Maildir keeps the wire's CRLF as LF, so a quoted-printable part decodes to LF lines;
    # base64 keeps what was encoded, which must be CRLF (RFC 5545).
    if re.search(rb"\r(?!\n)", payload):
        bad.append("a lone CR in the .ics")
    if str(part.get("Content-Transfer-Encoding")).lower() == "base64" and re.search(rb"(?<!\r)\n", payload):
        bad.append("a base64 .ics without CRLF lines")
    bad += [
        f".ics line of {len(line)} octets"
        for line in payload.replace(b"\r\n", b"\n").split(b"\n")
        if len(line) > 75
    ]
    calendar = icalendar.Calendar.from_ical(payload)
    method = str(calendar["METHOD"])
    if part.get_param("method") != method:
        bad.append(f"part method={part.get_param('method')} but METHOD:{method}")
    event = calendar.walk("VEVENT")[0]
    second = vobject.readOne(payload.decode("utf-8")).vevent
    third = next(iter(ics.Calendar(payload.decode("utf-8")).events))
    for name, value in (
        ("vobject", (second.uid.value, second.location.value)),
        ("ics", (third.uid, third.location)),
    ):
        if value != (str(event["UID"]), str(event["LOCATION"])):
            bad.append(f"{name} reads UID/LOCATION {value}")
    return [
        f"invite {part.get_filename()}: METHOD={method} UID={event['UID']} SEQUENCE={event['SEQUENCE']} "
        f"DTSTART={event['DTSTART'].dt} STATUS={event['STATUS']}",
        f"  ATTENDEE={event['ATTENDEE']} LOCATION={event['LOCATION']}",
    ]


def check(raw: bytes) -> tuple[list[str], list[str]]:
    message = cast(EmailMessage, email.message_from_bytes(raw, policy=email.policy.default))
    bad = [
        f"no {name}"
        for name in ("Date", "Message-ID", "From", "To", "Subject", "MIME-Version")
        if not message[name]
    ]
    head = raw.split(b"\n\n", 1)[0]
    smtputf8 = not str(message["To"]).isascii()  # RFC 6532: raw UTF-8 headers are then allowed
    if not smtputf8 and not raw.isascii():
        bad.append("8-bit bytes without SMTPUTF8")
    for line in head.split(b"\n"):
        if (
            not line.startswith(POSTFIX_HEADERS)
            and len(line.decode("utf-8")) > 78
            and not line.startswith(b"To:")
        ):
            bad.append(f"header line of {len(line)}: {line[:30]!r}")
    bad += [f"encoded word of {len(word)}" for word in ENCODED_WORD.findall(head) if len(word) > 75]
    if not str(message["Subject"]).isascii() and not smtputf8 and not ENCODED_WORD.search(head):
        bad.append("a non-ASCII subject without RFC 2047 encoded words")
    bad += [f"line of {len(line)} octets" for line in raw.split(b"\n") if len(line.rstrip(b"\r")) > 998]
    shown = [f"To: {message['To']}", f"Subject: {message['Subject']}", *tree(message)]
    for part in message.walk():
        cte = str(part.get("Content-Transfer-Encoding", "7bit")).lower()
        if cte not in ("7bit", "quoted-printable", "base64") and not part.is_multipart():
            bad.append(f"{part.get_content_type()} in {cte}")
        if cte in ("quoted-printable", "base64"):
            bad += [
                f"encoded line of {len(x)}" for x in cast(str, part.get_payload()).splitlines() if len(x) > 76
            ]
        if part.get_content_type() == "text/calendar":
            shown += check_invite(cast(EmailMessage, part), bad)
    text = message.get_body(preferencelist=("plain",))
    if text is None:
        bad.append("no text/plain a mail client would show")
    else:
        shown.append("text/plain: " + cast(EmailMessage, text).get_content()[:100].replace("\n", " | "))
    return shown, bad


def main(maildir: Path) -> int:
    files = sorted((maildir / "new").iterdir(), key=lambda path: path.stat().st_mtime_ns)
    problems = 0
    for path in files:
        shown, bad = check(path.read_bytes())
        print("=" * 78, path.name, *shown, sep="\n")
        for problem in bad:
            print(f"PROBLEM: {problem}")
        problems += len(bad)
    print(f"{len(files)} mails, {problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
