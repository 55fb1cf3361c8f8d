"""What became of a text after Twilio accepted it: the delivery states and the plain words for
the error codes people meet.

An outbox row keeps status `sent`; its `delivery` says whether the phone got it. `None` means
nobody has asked Twilio yet (or the row is not a production text).
"""

from enum import StrEnum


class Delivery(StrEnum):
    PENDING = "pending"  # Twilio or the carrier still has it
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"  # the carrier could not hand it over
    FAILED = "failed"  # Twilio could not send it at all


DELIVERY_STATES: tuple[str, ...] = tuple(state.value for state in Delivery)
# A receipt in one of these never changes again: the sync stops asking.
FINAL_DELIVERY: frozenset[Delivery] = frozenset({Delivery.DELIVERED, Delivery.UNDELIVERED, Delivery.FAILED})
# The person was not reached: the booking shows them as unreached.
NOT_REACHED: frozenset[Delivery] = frozenset({Delivery.UNDELIVERED, Delivery.FAILED})

_TWILIO_STATUS: dict[str, Delivery] = {
    "queued": Delivery.PENDING,
    "accepted": Delivery.PENDING,
    "scheduled": Delivery.PENDING,
    "sending": Delivery.PENDING,
    "sent": Delivery.PENDING,
    "delivered": Delivery.DELIVERED,
    "read": Delivery.DELIVERED,
    "undelivered": Delivery.UNDELIVERED,
    "failed": Delivery.FAILED,
    "canceled": Delivery.FAILED,
}

# Twilio's error codes, in the words a dispatcher acts on.
PLAIN_WORDS: dict[int, str] = {
    30003: "phone unreachable (off or out of coverage)",
    30004: "message blocked by the recipient",
    30005: "unknown or inactive number",
    30006: "landline or unreachable carrier",
    30007: "filtered by the carrier as spam",
    30008: "unknown error",
    30032: "toll-free number not verified",
    30034: "US number not registered for business texting (A2P 10DLC)",
}


def delivery_of(twilio_status: str) -> Delivery | None:
    """The delivery state for a status from Twilio's Message resource; None for one it never documented."""
    return _TWILIO_STATUS.get(twilio_status.strip().lower())


def reason_for(error_code: int | None, twilio_message: str | None = None) -> str | None:
    """`30003 phone unreachable (...)`; an unlisted code with Twilio's own message; None without a code."""
    if error_code is None:
        return None
    words = PLAIN_WORDS.get(error_code) or (twilio_message or "").strip() or "Twilio error"
    return f"{error_code} {words}"
