"""What changed, as the console tells every pane: a set of flags, never a string.

`Operations.changed` carries a `Change`; a pane reloads when it shares a flag with what it shows
(`if what & (Change.BOOKINGS | Change.SETTINGS)`). `Change.ALL` (the live-refresh watcher, F5,
a database that is reachable again) shares a flag with every pane.
"""

from enum import Flag, auto


class Change(Flag):
    BOOKINGS = auto()
    TIME_OFF = auto()
    AGENTS = auto()
    OPERATORS = auto()
    OUTBOX = auto()
    SETTINGS = auto()
    SIGN_IN = auto()  # the email sign-in (SMTP password or Office 365 OAuth2) was saved
    INBOX = auto()  # a text arrived, was answered or marked read (two-way SMS)
    PEOPLE = AGENTS | OPERATORS
    ALL = BOOKINGS | TIME_OFF | AGENTS | OPERATORS | OUTBOX | SETTINGS | SIGN_IN | INBOX
