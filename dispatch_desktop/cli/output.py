"""What the command line prints: tables, JSON, terminal-safe text, and the one error line.

Rows written before input was checked can hold line breaks, terminal controls (C1 such as
U+009B starts an escape sequence) and bidi overrides; printed raw they forge lines or hide text.
A failure is one line on stderr starting "error: ", and a traceback goes only to a log file.
"""

import json
import os
import sys
import tempfile
import traceback
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dispatch_desktop.services.credentials import scrub

INVALID_EXIT = 2
UNEXPECTED_EXIT = 70  # sysexits' EX_SOFTWARE: a bug, not the input or the database
INTERRUPTED_EXIT = 130
FILE_EXIT = 5  # a file or folder the command needs, like DatabaseUnavailableError
ECHO_MAX = 80  # characters of an input value an error line repeats
LINE_MAX = 600  # the whole line, whatever it repeats
ERROR_LOG = "logs/errors.log"
FALLBACK_LOG = "dispatch-desktop-errors.log"


def printable(value: object, *, keep_newlines: bool = False) -> str:
    """Text with every non-printable character escaped as Python would write it (\\n, \\x9b, \\u202e)."""
    return "".join(
        ch if ch.isprintable() or (keep_newlines and ch == "\n") else repr(ch)[1:-1] for ch in str(value)
    )


def json_text(payload: Any) -> str:
    """One JSON document, non-ASCII kept readable but DEL, C1, U+2028/9 and bidi controls escaped.

    json.dumps leaves those raw; inside strings (the only place they occur) a \\u escape is the
    same JSON.
    """
    document = json.dumps(payload, indent=2, ensure_ascii=False)
    return "".join(ch if ch.isprintable() or ch == "\n" else json.dumps(ch)[1:-1] for ch in document)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """Columns padded to their widest cell; an empty value is "-", no rows is "(none)"."""
    cells = [[str(h) for h in headers]] + [["-" if v is None else printable(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]
    return "\n".join(lines) if rows else f"{lines[0]}\n(none)"


def emit(as_json: bool, payload: Any, text: str) -> None:
    """The command's result on stdout: the JSON document with --json, else the text."""
    print(json_text(payload) if as_json else printable(text, keep_newlines=True))


def warn(message: str) -> None:
    """A warning line on stderr, so stdout stays parseable."""
    print(f"warning: {message}", file=sys.stderr)


def shorten(message: str, inputs: Iterable[str]) -> str:
    """Each long input value the message repeats, cut to ECHO_MAX characters."""
    long_values = {value for raw in inputs for value in (raw, raw.strip()) if len(value) > ECHO_MAX}
    for value in sorted(long_values, key=len, reverse=True):
        for form, short in (
            (repr(value)[1:-1], repr(value[:ECHO_MAX])[1:-1]),
            (value, value[:ECHO_MAX]),
        ):
            message = message.replace(form, short + "…")
    return message if len(message) <= LINE_MAX else message[:LINE_MAX] + "…"


def report(message: str, code: int, inputs: Iterable[str] = ()) -> int:
    """The one error line for a failure; returns its exit code."""
    print(f"error: {printable(shorten(scrub(message), inputs))}", file=sys.stderr)
    return code


def record_traceback(exc: BaseException, home: Path | None) -> Path | None:
    """Append the traceback to HOME/logs/errors.log (else the temp folder); None if neither can be written."""
    text = scrub("".join(traceback.format_exception(exc)))
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    candidates = [home / ERROR_LOG] if home else []
    candidates.append(Path(tempfile.gettempdir()) / FALLBACK_LOG)
    for path in candidates:
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # A traceback may hold customer data: only this OS account reads it (also in /tmp).
            descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.fchmod(descriptor, 0o600)
            with os.fdopen(descriptor, "a", encoding="utf-8") as log:
                log.write(f"{stamp} unexpected error in dispatch-desktop\n{text}\n")
        except OSError:
            continue
        return path
    return None


def unexpected(exc: BaseException, home: Path | None) -> str:
    """The one line for a bug: what happened and where its traceback went."""
    path = record_traceback(exc, home)
    where = f"the traceback is in {path}" if path else "the traceback could not be written to a log file"
    first_line = next(iter(str(exc).splitlines()), "")
    detail = f": {first_line}" if first_line else ""
    return f"unexpected {type(exc).__name__}{detail} ({where}; please report it)"
