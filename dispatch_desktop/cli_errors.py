"""How the command line reports a failure: one line on stderr, a traceback only in a log file."""

import sys
import tempfile
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from dispatch_desktop.cli_text import printable
from dispatch_desktop.notify.secrets import scrub

ECHO_MAX = 80  # characters of an input value an error line repeats
LINE_MAX = 600  # the whole line, whatever it repeats
UNEXPECTED_EXIT = 70  # sysexits' EX_SOFTWARE: a bug, not the input or the database
ERROR_LOG = "logs/errors.log"
FALLBACK_LOG = "dispatch-desktop-errors.log"


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
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as log:
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
