"""Delivery problems a person must see: who a booking's messages did not reach, how many bookings
that is, and the Twilio errors that mean every text of the account fails (with what to do).

    unreached_of(session, ids)      per booking: the people not reached (bookings' views carry them)
    bookings_not_reached(ctx)       the status bar's "2 not reached": bookings not over yet
    account_warnings(ctx)           the red banner and the warning lines of `credentials show` and
                                    `outbox counts`

They read only the outbox, so every workstation sees what any notifier ran into.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import Unreached
from dispatch_desktop.storage.outbox import reach
from dispatch_desktop.storage.types import utcnow

# Account-wide failures are looked for in the texts of the last day.
WARNING_WINDOW = timedelta(hours=24)
UNREGISTERED_CODES = (30034, 30032)  # A2P 10DLC registration / toll-free verification missing
WRONG_CREDENTIALS_CODE = 20003
TRIAL_ACCOUNT_CODE = 21608
# One refused text can be one bad number; two mean the carriers refuse the sending number.
UNREGISTERED_AT_LEAST = 2


@dataclass(frozen=True)
class AccountWarning:
    code: int  # the Twilio error code that showed it
    count: int  # texts with it in the window
    text: str  # what is wrong and what to do, one line

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "count": self.count, "text": self.text}


def _texts(count: int) -> str:
    return "1 text" if count == 1 else f"{count} texts"


def unreached_of(session: Session, booking_ids: Sequence[int] | None) -> dict[int, tuple[Unreached, ...]]:
    """The people each booking's messages did not reach (every booking for None); absent when none."""
    return {
        booking_id: tuple(
            Unreached(
                row.recipient_kind,
                row.channel,
                row.reason or (f"delivery {row.delivery}" if row.delivery else row.status),
                row.recipient_name,
            )
            for row in rows
        )
        for booking_id, rows in reach.unreached(session, booking_ids).items()
    }


def bookings_not_reached(ctx: ServiceContext, now: datetime | None = None) -> int:
    """Bookings not over yet with someone their messages did not reach."""
    with ctx.reading() as unit:
        return reach.count_bookings_unreached(unit.session, now or utcnow())


def account_warnings(ctx: ServiceContext, now: datetime | None = None) -> list[AccountWarning]:
    """The Twilio failures that stop texts for everyone, from the last WARNING_WINDOW of texts."""
    since = (now or utcnow()) - WARNING_WINDOW
    codes = (*UNREGISTERED_CODES, WRONG_CREDENTIALS_CODE, TRIAL_ACCOUNT_CODE)
    with ctx.reading() as unit:
        counts = reach.sms_error_counts(unit.session, since, codes)
    warnings = []
    unregistered = sum(counts.get(code, 0) for code in UNREGISTERED_CODES)
    if unregistered >= UNREGISTERED_AT_LEAST:
        seen = "/".join(str(code) for code in UNREGISTERED_CODES if counts.get(code))
        warnings.append(
            AccountWarning(
                max(UNREGISTERED_CODES, key=lambda code: counts.get(code, 0)),
                unregistered,
                f"carriers block every text: {_texts(unregistered)} refused in 24 h (Twilio {seen}): "
                "register the number for A2P 10DLC / verify the toll-free number in Twilio",
            )
        )
    wrong = counts.get(WRONG_CREDENTIALS_CODE, 0)
    if wrong:
        warnings.append(
            AccountWarning(
                WRONG_CREDENTIALS_CODE,
                wrong,
                f"Twilio refused the credentials: {_texts(wrong)} in 24 h (Twilio 20003): check the "
                "Twilio account SID and auth token: dispatch-desktop credentials set twilio",
            )
        )
    trial = counts.get(TRIAL_ACCOUNT_CODE, 0)
    if trial:
        warnings.append(
            AccountWarning(
                TRIAL_ACCOUNT_CODE,
                trial,
                f"a trial Twilio account texts only verified numbers: {_texts(trial)} refused in 24 h "
                "(Twilio 21608): upgrade the Twilio account or verify the number",
            )
        )
    return warnings
