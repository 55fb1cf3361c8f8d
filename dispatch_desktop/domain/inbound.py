"""Two-way SMS: the keyword table of an inbound text (issue 15), pure.

The first word counts, in any case, with surrounding spaces and punctuation ignored. Who may use
which word (anyone, a customer, an agent from their own phone) is the services' to decide.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True)
class InboundSms:
    """One text someone sent the team, as the provider (or `simulate-inbound`) hands it over."""

    sid: str
    from_phone: str
    to_phone: str
    body: str
    received_at: datetime


class Keyword(StrEnum):
    STOP = "stop"  # anyone: suppress the number (Twilio confirms the opt-out itself)
    START = "start"  # anyone: lift the suppression
    HELP = "help"  # anyone: recorded; Twilio answers itself
    CONFIRM = "confirm"  # a customer: their next scheduled booking becomes confirmed
    RESCHEDULE = "reschedule"  # a customer: that booking is flagged
    ON_MY_WAY = "on my way"  # an agent: current or next booking today goes en_route
    STARTED = "started"  # an agent: that booking goes in_progress
    DONE = "done"  # an agent: that booking goes completed


# Twilio's own opt-out, opt-in and help words: CANCEL is an opt-out word, never a cancellation.
_WORDS: dict[str, Keyword] = {
    **dict.fromkeys(
        ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"), Keyword.STOP
    ),
    **dict.fromkeys(("START", "UNSTOP", "YES"), Keyword.START),
    **dict.fromkeys(("HELP", "INFO"), Keyword.HELP),
    **dict.fromkeys(("C", "CONFIRM"), Keyword.CONFIRM),
    **dict.fromkeys(("R", "RESCHEDULE"), Keyword.RESCHEDULE),
    **dict.fromkeys(("1", "OMW"), Keyword.ON_MY_WAY),
    "2": Keyword.STARTED,
    **dict.fromkeys(("3", "DONE"), Keyword.DONE),
}
# Twilio handles these three whatever the team's two-way setting: the product mirrors them always.
CARRIER_KEYWORDS = frozenset({Keyword.STOP, Keyword.START, Keyword.HELP})
CUSTOMER_KEYWORDS = frozenset({Keyword.CONFIRM, Keyword.RESCHEDULE})
AGENT_KEYWORDS = frozenset({Keyword.ON_MY_WAY, Keyword.STARTED, Keyword.DONE})
MINUTES_MAX = 600  # "OMW 15": an ETA longer than ten hours is not an ETA
STOP_REASON = "replied STOP"
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Reading:
    keyword: Keyword | None  # None: plain text
    minutes: int | None = None  # the ETA given after 1/OMW


def read(body: str) -> Reading:
    """The keyword of a text and, after 1 or OMW, the minutes given ("omw 15", "1, 20 min")."""
    tokens = _TOKEN.findall(body.replace("_", " "))
    if not tokens:
        return Reading(None)
    keyword = _WORDS.get(tokens[0].upper())
    minutes = None
    if keyword is Keyword.ON_MY_WAY and len(tokens) > 1 and tokens[1].isascii() and tokens[1].isdigit():
        value = int(tokens[1])
        minutes = value if 0 < value <= MINUTES_MAX else None
    return Reading(keyword, minutes)
