"""The audit trail: who changed which field of a booking or time-off request, and when."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import AuditView
from dispatch_desktop.storage.models import AuditEntry


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def record(
    session: Session,
    entity: str,
    entity_id: int,
    action: str,
    actor: str,
    changes: dict[str, tuple[Any, Any]] | None = None,
) -> None:
    """One row per changed field; one row with no field for an action without field changes."""
    if not changes:
        session.add(AuditEntry(entity=entity, entity_id=entity_id, action=action, actor=actor))
        return
    for field, (old, new) in changes.items():
        session.add(
            AuditEntry(
                entity=entity,
                entity_id=entity_id,
                action=action,
                field=field,
                old_value=_text(old),
                new_value=_text(new),
                actor=actor,
            )
        )


def history(ctx: ServiceContext, entity: str, entity_id: int) -> list[AuditView]:
    with ctx.reading() as unit:
        rows = unit.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.id)
        )
        return [AuditView.of(row) for row in rows]
