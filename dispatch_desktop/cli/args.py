"""Argument types for the command line: numbers and texts checked before any command runs.

argparse turns an ArgumentTypeError into `error: argument X: ...` and exit 2.
"""

import argparse
import math
import re
from collections.abc import Callable
from typing import TypeVar

Handler = TypeVar("Handler", bound=Callable[..., int])

ID_MAX = 2**63 - 1  # the largest id SQLite and PostgreSQL can store
LIMIT_MAX = 100_000
INTERVAL_RANGE = (0.1, 86_400.0)
SEARCH_MAX = 200
_WORKER = re.compile(r"[!-~]{1,64}")
_INTEGER = re.compile(r"-?[0-9]{1,30}")  # ASCII digits only: int() would take Arabic-Indic ones
_DECIMAL = re.compile(r"[0-9]{1,10}(\.[0-9]{1,10})?|\.[0-9]{1,10}")


def _whole_number(text: str, low: int, high: int, what: str) -> int:
    value = int(text) if _INTEGER.fullmatch(text.strip()) else None
    if value is None or not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what} (a whole number from {low} to {high})")
    return value


def record_id(text: str) -> int:
    return _whole_number(text, 1, ID_MAX, "an id")


def version(text: str) -> int:
    return _whole_number(text, 1, ID_MAX, "a version")


def limit(text: str) -> int:
    return _whole_number(text, 1, LIMIT_MAX, "a limit")


def port(text: str) -> int:
    return _whole_number(text, 1, 65_535, "a TCP port")


def seconds(text: str) -> float:
    low, high = INTERVAL_RANGE
    value = float(text) if _DECIMAL.fullmatch(text.strip()) else math.nan
    if not low <= value <= high:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds from {low:g} to {high:g}")
    return value


def bounded_text(max_length: int) -> Callable[[str], str]:
    def check(text: str) -> str:
        if len(text) > max_length:
            raise argparse.ArgumentTypeError(f"is {len(text)} characters long; at most {max_length}")
        return text

    check.__name__ = "text"
    return check


search_text = bounded_text(SEARCH_MAX)


def worker_name(text: str) -> str:
    """Recorded on the rows a notifier claims, and shown in the console: short visible ASCII."""
    if not _WORKER.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a worker name (1 to 64 visible ASCII characters)")
    return text


_READ_ONLY: set[Callable[..., int]] = set()


def reads_only(handler: Handler) -> Handler:
    """Marks a command that never writes: its SQLite database opens even in a read-only home."""
    _READ_ONLY.add(handler)
    return handler


def is_read_only(handler: Callable[..., int]) -> bool:
    return handler in _READ_ONLY
