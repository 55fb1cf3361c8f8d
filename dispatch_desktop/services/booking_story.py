"""A booking's history as people tell it: "Dana Whitfield moved it from 10:00 to 10:30 · customer
told by SMS and email", from its audit trail and the outbox rows each change queued."""

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch_desktop.domain.outbox import Channel, OutboxStatus
from dispatch_desktop.domain.statuses import BookingStatus
from dispatch_desktop.services import audit
from dispatch_desktop.services.availability import OVERRIDE
from dispatch_desktop.services.booking_notices import booking_notifications
from dispatch_desktop.services.bookings import CUSTOMER_NOTICE, ENTITY, get_booking
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.outbox import OutboxView
from dispatch_desktop.services.views import AuditView
from dispatch_desktop.storage.models import Operator

# Audit rows written by one change carry the same transaction's clock, give or take its duration.
SAME_CHANGE = timedelta(seconds=5)
_S = OutboxStatus
_DONE = {_S.SENT, _S.LOGGED}
_BROKEN = {_S.FAILED, _S.UNKNOWN}
_PASSED = {_S.SKIPPED, _S.DISMISSED}
_STATUS_WORDS: dict[str, str] = {
    BookingStatus.PENDING: "pending",
    BookingStatus.SCHEDULED: "scheduled",
    BookingStatus.CONFIRMED: "confirmed",
    BookingStatus.EN_ROUTE: "en route",
    BookingStatus.IN_PROGRESS: "in progress",
    BookingStatus.COMPLETED: "completed",
    BookingStatus.CANCELLED: "cancelled",
    BookingStatus.NO_SHOW: "a no-show",
}
_FIELD_WORDS = {
    "customer": "the customer",
    "address": "the address",
    "service": "the service",
    "notes": "the notes",
    "language": "the customer's language",
}


@dataclass(frozen=True)
class StoryLine:
    at: datetime
    who: str  # the operator's name
    text: str


def booking_story(ctx: ServiceContext, booking_id: int) -> list[StoryLine]:
    """What happened to the booking, one line per change, oldest first, with who was told."""
    get_booking(ctx, booking_id)
    entries = audit.history(ctx, ENTITY, booking_id)
    rows = booking_notifications(ctx, booking_id)
    with ctx.reading() as unit:
        names = _names(unit.session, entries)
        zone = unit.settings.zone
    changes = _changes(entries)
    # A change's notifications are written in its transaction right after its audit rows, so each
    # outbox row belongs to the last change that happened before it.
    caused: list[list[OutboxView]] = [[] for _ in changes]
    for row in rows:
        index = bisect_right([change[0].at for change in changes], row.created_at) - 1
        if index >= 0:
            caused[index].append(row)
    lines = []
    for change, told_rows in zip(changes, caused, strict=True):
        first = change[0]
        who = names.get(first.actor, first.actor)
        told = told_text(told_rows)
        text = f"{who} {change_text(change, zone)}"
        lines.append(StoryLine(first.at, who, f"{text} · {told}" if told else text))
    return lines


def actor_names(ctx: ServiceContext, entries: Iterable[AuditView]) -> dict[str, str]:
    """The names of the operators who made these changes, by login (other actors are not operators)."""
    with ctx.reading() as unit:
        return _names(unit.session, entries)


def _names(session: Session, entries: Iterable[AuditView]) -> dict[str, str]:
    usernames = {entry.actor for entry in entries}
    query = select(Operator.username, Operator.name).where(Operator.username.in_(usernames))
    return {username: name for username, name in session.execute(query).all()}


def _changes(entries: Iterable[AuditView]) -> list[list[AuditView]]:
    """The audit rows grouped by the change that wrote them (one action, one person, one moment)."""
    groups: list[list[AuditView]] = []
    for entry in entries:
        last = groups[-1][0] if groups else None
        if (
            last is not None
            and (last.action, last.actor) == (entry.action, entry.actor)
            and entry.at - last.at <= SAME_CHANGE
            and entry.field not in {row.field for row in groups[-1]}
        ):
            groups[-1].append(entry)
        else:
            groups.append([entry])
    return groups


def _clock(value: str | None, zone: tzinfo, with_day: bool) -> str:
    if value is None:
        return "—"
    moment = datetime.fromisoformat(value).astimezone(zone)
    return moment.strftime("%a %d %b %H:%M" if with_day else "%H:%M")


def _moved(old: str | None, new: str | None, zone: tzinfo) -> str:
    days = {datetime.fromisoformat(value).astimezone(zone).date() for value in (old, new) if value}
    with_day = len(days) > 1
    return f"moved it from {_clock(old, zone, with_day)} to {_clock(new, zone, with_day)}"


def change_text(change: Sequence[AuditView], zone: tzinfo) -> str:
    """One change in words, without who made it: "moved it from 10:00 to 10:30"."""
    fields = {entry.field: entry for entry in change if entry.field}
    action = change[0].action
    parts: list[str] = []
    if action == OVERRIDE and "booked" in fields:
        return f"booked {fields['booked'].new_value} (override)"
    if action == "created":
        agent = fields.get("agent")
        parts.append(f"booked it for {agent.new_value}" if agent and agent.new_value else "booked it")
    elif "agent" in fields:
        old, new = fields["agent"].old_value, fields["agent"].new_value
        if new and old:
            parts.append(f"moved it from {old} to {new}")
        elif new:
            parts.append(f"gave it to {new}")
        else:
            parts.append(f"took it off {old}")
    if "start" in fields and action != "created":
        parts.append(_moved(fields["start"].old_value, fields["start"].new_value, zone))
    if action == "status" and "status" in fields:
        status = fields["status"].new_value or ""
        word = _STATUS_WORDS.get(status, status)
        reason = fields.get("cancel_reason")
        parts.append(
            f"cancelled it: {reason.new_value}"
            if status == BookingStatus.CANCELLED and reason
            else f"marked it {word}"
        )
    edited = [_FIELD_WORDS[name] for name in fields if name in _FIELD_WORDS]
    if edited:
        parts.append("changed " + _and(edited))
    if "end" in fields and "start" not in fields:
        parts.append(f"made it end at {_clock(fields['end'].new_value, zone, False)}")
    if CUSTOMER_NOTICE in fields:
        parts.append("chose not to tell the customer")
    return _and(parts) if parts else action


def told_text(rows: Sequence[OutboxView]) -> str:
    """Who the change's notifications reached: "customer told by SMS and email · Marcus Hill told by SMS"."""
    people: dict[str, list[OutboxView]] = {}
    for row in rows:
        who = "customer" if row.recipient_kind == "customer" else (row.recipient_name or row.recipient)
        people.setdefault(who, []).append(row)
    phrases = []
    for who, every in people.items():
        # A channel skipped (no email on file, a number that replied STOP) was not a way they were told.
        theirs = [row for row in every if row.status not in _PASSED] or every
        channels = _and(sorted({"SMS" if row.channel == Channel.SMS else "email" for row in theirs}))
        statuses = {row.status for row in theirs}
        if statuses & _BROKEN:
            phrases.append(f"{who} could not be told by {channels}")
        elif statuses <= _DONE:
            logged = " (DEV, logged)" if _S.SENT not in statuses else ""
            phrases.append(f"{who} told by {channels}{logged}")
        elif statuses <= _PASSED:
            phrases.append(f"{who} not told ({channels} skipped)")
        else:
            phrases.append(f"{who} to be told by {channels}")
    return " · ".join(phrases)


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
