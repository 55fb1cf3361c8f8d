"""The calendar invite a booking email carries (RFC 5545, with RFC 5546's REQUEST and CANCEL).

Built from plain values with the `icalendar` library. A phone calendar keeps one event per UID:
a REQUEST with a higher SEQUENCE replaces it, a CANCEL removes it. So the UID is the booking's
reference at the sender's domain, the same in every invite of the booking, and the SEQUENCE is
the booking's version, which every change raises.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from icalendar import Calendar, Event, vCalAddress, vText

from dispatch_desktop.domain import validation

REQUEST, CANCEL = "REQUEST", "CANCEL"
PRODID = "-//Dispatch Desktop//Booking invites//EN"
# Without a configured sender (EMAIL_FROM, `credentials set smtp --from`): the Message-IDs' domain.
FALLBACK_DOMAIN = "dispatch-desktop.local"
FILENAMES = {REQUEST: "invite.ics", CANCEL: "cancel.ics"}


def sender_domain(sender: str | None) -> str:
    """The sender address's domain in ASCII lower case, as a UID and a Message-ID take it."""
    domain = validation.ascii_domain(sender) if sender and "@" in sender else ""
    return domain.lower() if domain and domain.isascii() else FALLBACK_DOMAIN


@dataclass(frozen=True)
class Invite:
    method: str  # REQUEST or CANCEL
    reference: str  # BK-000123
    sequence: int
    starts_at: datetime  # aware, any zone: written in UTC
    ends_at: datetime
    timezone: str  # the business zone's IANA name
    summary: str
    location: str
    description: str
    sender: str | None  # the From address: ORGANIZER, and the UID's domain
    sender_name: str
    recipient: str  # ATTENDEE
    recipient_name: str
    stamp: datetime  # DTSTAMP: when the invite was written

    @property
    def uid(self) -> str:
        return f"{self.reference}@{sender_domain(self.sender)}"


def _mailto(email: str) -> str:
    """A CAL-ADDRESS is a URI, so ASCII (RFC 5545 3.3.3, RFC 6068): the domain in the punycode form
    the mail goes to, a non-ASCII part before the @ percent-encoded in UTF-8."""
    local = email.rpartition("@")[0]
    return f"mailto:{local if local.isascii() else quote(local, safe='')}@{validation.ascii_domain(email)}"


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(_mailto(email))
    address.params["cn"] = vText(name)
    return address


def ics(invite: Invite) -> str:
    """The invite as the text of a .ics file (CRLF lines, folded at 75 octets)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", invite.method)
    # DTSTART in UTC is right in every calendar; the zone is named for those that show it.
    calendar.add("x-wr-timezone", invite.timezone)
    event = Event()
    event.add("uid", invite.uid)
    event.add("sequence", invite.sequence)
    event.add("dtstamp", invite.stamp)
    event.add("dtstart", invite.starts_at.astimezone(UTC))
    event.add("dtend", invite.ends_at.astimezone(UTC))
    event.add("summary", invite.summary)
    event.add("location", invite.location)
    event.add("description", invite.description)
    event.add("status", "CANCELLED" if invite.method == CANCEL else "CONFIRMED")
    sender = invite.sender or f"dispatch@{FALLBACK_DOMAIN}"
    event.add("organizer", _address(sender, invite.sender_name))
    attendee = _address(invite.recipient, invite.recipient_name)
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["rsvp"] = "FALSE"  # nobody reads replies: the office changes the booking
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def method_of(text: str) -> str:
    """REQUEST or CANCEL, as the invite's text says: the MIME part's `method` must match it."""
    method = str(Calendar.from_ical(text).get("method", REQUEST)).upper()
    return method if method in FILENAMES else REQUEST
