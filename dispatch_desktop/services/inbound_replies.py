"""The texts back to someone who texted the team, from the reply templates (domain/message_kinds)."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.notify import templates
from dispatch_desktop.services.notices import Recipient
from dispatch_desktop.storage import templates as template_store


@dataclass(frozen=True)
class Reply:
    """Which reply template answers the text, and its variables beyond the sender and our number."""

    kind: str
    context: dict[str, Any] = field(default_factory=dict)


def reply_text(session: Session, settings: TeamSettings, recipient: Recipient, reply: Reply) -> str:
    """The reply's SMS from its template, with a supervisor's override when there is one."""
    return templates.render_sms(
        reply.kind,
        overrides=template_store.overrides(session).get(reply.kind),
        **reply_context(settings, recipient.name, reply.context),
    )


def reply_context(settings: TeamSettings, recipient_name: str, context: dict[str, Any]) -> dict[str, Any]:
    return {"recipient_name": recipient_name, "company_phone": settings.company_phone, **context}
