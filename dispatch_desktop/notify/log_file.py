"""The notification log file, and stderr in its place when the file cannot be written.

A full disk, a read-only or foreign-owned logs/ folder must never turn a command whose
change is already committed into a failure: the lines go to stderr and one warning says why.
"""

import contextlib
import io
import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from dispatch_desktop.storage.files import private_file, private_folder

FORMAT = "%(asctime)s %(levelname)s %(message)s"


def _warn(path: Path, exc: BaseException | None) -> None:
    reason = getattr(exc, "strerror", None) or (type(exc).__name__ if exc else "unknown error")
    print(
        f"warning: cannot write the notification log {path} ({reason}); its lines go to stderr only",
        file=sys.stderr,
    )


class NotificationFileHandler(RotatingFileHandler):
    """Writes the log file; on the first failed write warns once, then passes lines to stderr."""

    def __init__(self, path: Path, max_bytes: int, backups: int, *, echo_to_stderr: bool) -> None:
        super().__init__(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
        self.setFormatter(logging.Formatter(FORMAT))
        self.path = path
        self.echo_to_stderr = echo_to_stderr
        self.failed = False

    def _open(self) -> io.TextIOWrapper:
        private_file(Path(self.baseFilename))  # each new file, the first and after rotation, 0600
        return super()._open()

    def handleError(self, record: logging.LogRecord) -> None:
        if not self.failed:
            self.failed = True
            _warn(self.path, sys.exc_info()[1])
        if self.echo_to_stderr and record.levelno >= logging.INFO:
            print(record.getMessage(), file=sys.stderr)

    def close(self) -> None:
        # Flushing what a full disk would not take fails again; that was already warned about.
        with contextlib.suppress(OSError):
            super().close()


def file_handler(path: Path, max_bytes: int, backups: int, *, console: bool) -> logging.Handler:
    """The rotating file handler, or a stderr handler when the file cannot even be opened."""
    try:
        private_folder(path.parent)
        return NotificationFileHandler(path, max_bytes, backups, echo_to_stderr=not console)
    except OSError as exc:
        _warn(path, exc)
    # The console handler already writes every line to stderr; without one, this one does.
    fallback = logging.StreamHandler(sys.stderr) if not console else logging.NullHandler()
    fallback.setFormatter(logging.Formatter("%(message)s"))
    fallback.setLevel(logging.INFO)  # debug lines are for the file alone
    return fallback
