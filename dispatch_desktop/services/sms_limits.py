"""The team's SMS caps, checked before a change that queues texts commits.

Over a cap the whole change is refused (ConflictError, exit 3): the booking is not saved
half-way without its text, and no text is dropped in silence.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dispatch_desktop.domain.errors import ConflictError
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.services.display import phone_for_display
from dispatch_desktop.storage.outbox import sms_counts
from dispatch_desktop.storage.types import utcnow


def enforce(
    session: Session,
    settings_of: Callable[[], TeamSettings],
    operator: str,
    started_at: datetime,
    *,
    name: str,
) -> None:
    """Refuse when the texts this transaction queued take a number or the operator (`name` in
    the message) over a cap.

    `settings_of` is only called when the transaction queued texts."""
    recipients = sms_counts.recipients_queued_since(session, operator, started_at)
    if not recipients:
        return
    settings = settings_of()
    now = utcnow()
    day_cap = settings.sms_per_recipient_per_day
    for recipient in recipients:
        count = sms_counts.texts_to(session, recipient, now - timedelta(days=1))
        if count > day_cap:
            raise ConflictError(
                f"{phone_for_display(recipient, settings.region)} would get {count} texts within 24 hours, over the team's cap of {day_cap}; "
                "nothing was saved (a supervisor can raise it: settings set --sms-per-recipient-day N)"
            )
    hour_cap = settings.sms_per_operator_per_hour
    count = sms_counts.texts_by(session, operator, now - timedelta(hours=1))
    if count > hour_cap:
        raise ConflictError(
            f"{name} would queue {count} texts within an hour, over the team's cap of {hour_cap}; "
            "nothing was saved (a supervisor can raise it: settings set --sms-per-operator-hour N)"
        )
