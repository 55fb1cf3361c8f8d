"""The texts back to someone who texted the team, from the reply templates (domain/message_kinds)."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from dispatch_desktop.domain import language
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.notify import templates
from dispatch_desktop.services.notices import Recipient
from dispatch_desktop.storage import templates as template_store

STATUS_KEYS = ("status", "target")


@dataclass(frozen=True)
class Reply:
    """Which reply template answers the text, and its variables beyond the sender and our number
    (a `status` or `target` as the booking status, put in the reader's words here)."""

    kind: str
    context: dict[str, Any] = field(default_factory=dict)


def reply_text(session: Session, settings: TeamSettings, recipient: Recipient, reply: Reply) -> str:
    """The reply's SMS from its template in the sender's language (a customer's own, else the
    team's), with a supervisor's override when there is one."""
    spoken = recipient.language or settings.language
    return templates.render_sms(
        reply.kind,
        language=spoken,
        overrides=template_store.overrides(session).get(reply.kind),
        **reply_context(settings, recipient.name, reply.context, spoken),
    )


def reply_context(
    settings: TeamSettings, recipient_name: str, context: dict[str, Any], spoken: str = language.ENGLISH
) -> dict[str, Any]:
    said = {key: language.status_words(value, spoken) for key, value in context.items() if key in STATUS_KEYS}
    return {"recipient_name": recipient_name, "company_phone": settings.company_phone, **context, **said}
