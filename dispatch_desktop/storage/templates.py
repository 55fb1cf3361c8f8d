"""The message_templates table: a supervisor's overrides of the shipped message texts."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch_desktop.storage.models import MessageTemplate
from dispatch_desktop.storage.types import utcnow
from dispatch_desktop.storage.upsert import dialect_insert

# kind -> (part, language) -> text: what notify/templates.render takes as a kind's `overrides`.
Texts = dict[str, dict[tuple[str, str], str]]


def overrides(session: Session) -> Texts:
    """Every override in force, in one query (the table holds at most kinds x parts x languages)."""
    found: Texts = {}
    rows = session.execute(
        select(MessageTemplate.kind, MessageTemplate.part, MessageTemplate.language, MessageTemplate.body)
    )
    for kind, part, language, body in rows:
        if body is not None:
            found.setdefault(kind, {})[(part, language)] = body
    return found


def rows_of(session: Session, kind: str | None = None) -> list[MessageTemplate]:
    """The rows of one kind (or all), overrides and reset ones, in a stable order."""
    query = select(MessageTemplate).order_by(
        MessageTemplate.kind, MessageTemplate.language, MessageTemplate.part
    )
    if kind is not None:
        query = query.where(MessageTemplate.kind == kind)
    return list(session.scalars(query))


def row_for_update(session: Session, kind: str, part: str, language: str) -> MessageTemplate | None:
    return session.scalar(
        select(MessageTemplate)
        .where(
            MessageTemplate.kind == kind, MessageTemplate.part == part, MessageTemplate.language == language
        )
        .with_for_update()
    )


def locked_row(session: Session, kind: str, part: str, language: str, username: str) -> MessageTemplate:
    """The part's row, made (empty) if it was not there, locked for this transaction: two
    supervisors saving the same new part one after the other, never a duplicate-key failure."""
    insert = dialect_insert(session)(MessageTemplate).values(
        kind=kind, part=part, language=language, body=None, updated_by=username, updated_at=utcnow()
    )
    session.execute(insert.on_conflict_do_nothing(index_elements=["kind", "part", "language"]))
    row = row_for_update(session, kind, part, language)
    if row is None:
        raise RuntimeError(f"message template row {kind}/{part}/{language} vanished")
    return row
