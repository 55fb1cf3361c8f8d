"""Who is told what: the recipients and messages each dispatch event causes, and their outbox rows.

The services call the event functions (`booking_created` ... `time_off_decided`) while their
change is still uncommitted, so a booking that commits always has its notifications and one that
rolls back has none. The builders (`booking_messages`, `time_off_messages`, `test_messages`) are
pure: one Notification per recipient and channel, skips included. Delivering the rows is the
notifier's (notify.async_notifier.send_notifications_async).
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypedDict

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from dispatch_desktop.domain import sms_segments, validation
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.domain.outbox import REMINDER_EVENT, Channel, HoldReason, OutboxStatus
from dispatch_desktop.domain.roles import Role
from dispatch_desktop.domain.statuses import NOT_STARTED_STATUSES, BookingStatus
from dispatch_desktop.domain.team import TeamSettings, booking_reference
from dispatch_desktop.domain.timing import offset_text, recipient_zone
from dispatch_desktop.notify import templates
from dispatch_desktop.notify.log_line import Notice, log_notice
from dispatch_desktop.notify.notifier import environment_decision
from dispatch_desktop.storage import outbox as store
from dispatch_desktop.storage.models import Agent, Booking, Operator, TimeOff
from dispatch_desktop.storage.outbox import sms_counts, supersede, waits
from dispatch_desktop.storage.types import utcnow

SMS, EMAIL = Channel.SMS, Channel.EMAIL
CUSTOMER, AGENT, DISPATCHER = "customer", "agent", "dispatcher"
COMPANY_LINE = "Sent by your service team through Dispatch Desktop."
NO_PHONE = "no phone number on file"
NO_EMAIL = "no email address on file"
DEDUPE_MAX = 255


@dataclass(frozen=True)
class Recipient:
    key: str  # "customer:12", "agent:3", "operator:5": who, independent of their address
    name: str
    kind: str
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class Notification:
    event: str
    channel: str
    recipient: Recipient
    subject: str | None
    body: str
    html_body: str | None
    entity: str  # "booking" or "time_off"
    entity_id: int
    version: int
    due_at: datetime | None = None  # a reminder's time; None: due when written
    slot: str | None = None  # which of a booking's reminders ("24h"), part of the dedupe key
    declined: str | None = None  # why this message must not go although there is an address

    @property
    def address(self) -> str | None:
        return self.recipient.phone if self.channel == SMS else self.recipient.email

    @property
    def skip_reason(self) -> str | None:
        if self.declined:
            return self.declined
        if self.address:
            return None
        return NO_PHONE if self.channel == SMS else NO_EMAIL

    @property
    def dedupe_key(self) -> str:
        """Same change, same person, same channel: same key, so a retried command queues nothing new."""
        key = "|".join(
            (
                self.event,
                f"{self.entity}:{self.entity_id}",
                f"v{self.version}",
                self.recipient.kind,
                self.recipient.key,
                self.channel,
                self.address or "-",
                *((self.slot,) if self.slot else ()),
            )
        )
        if len(key) <= DEDUPE_MAX:
            return key
        digest = hashlib.sha256(key.encode()).hexdigest()
        return f"{key[: DEDUPE_MAX - len(digest) - 1]}#{digest}"


class _EntityIds(TypedDict):
    """Which row and version a message is about: passed as `**ids` to `_messages`."""

    entity: str
    entity_id: int
    version: int


def _clean(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def customer_recipient(booking: Booking) -> Recipient:
    customer = booking.customer
    return Recipient(
        f"customer:{customer.id}", customer.name, CUSTOMER, _clean(customer.phone), _clean(customer.email)
    )


def agent_recipient(agent: Agent) -> Recipient:
    return Recipient(f"agent:{agent.id}", agent.name, AGENT, _clean(agent.phone), _clean(agent.email))


def operator_recipient(operator: Operator) -> Recipient:
    return Recipient(
        f"operator:{operator.id}", operator.name, DISPATCHER, _clean(operator.phone), _clean(operator.email)
    )


def human_status(status: str) -> str:
    return status.replace("_", " ")


def _messages(
    kind: str,
    event: str,
    recipient: Recipient,
    context: dict[str, Any],
    *,
    entity: str,
    entity_id: int,
    version: int,
    company_line: str = COMPANY_LINE,
) -> list[Notification]:
    rendered = templates.render(
        kind, **{"recipient_name": recipient.name, "company_line": company_line, **context}
    )
    return [
        Notification(
            event=event,
            channel=SMS,
            recipient=recipient,
            subject=None,
            body=rendered.sms,
            html_body=None,
            entity=entity,
            entity_id=entity_id,
            version=version,
        ),
        Notification(
            event=event,
            channel=EMAIL,
            recipient=recipient,
            subject=rendered.subject,
            body=rendered.text,
            html_body=rendered.html,
            entity=entity,
            entity_id=entity_id,
            version=version,
        ),
    ]


def _booking_context(booking: Booking, settings: TeamSettings) -> dict[str, Any]:
    date, time = settings.local(booking.starts_at).split(" ")
    agent = booking.agent
    return {
        "ref": booking_reference(booking.id),
        "date": date,
        "time": time,
        "agent_first_name": agent.name.split()[0] if agent and agent.name.split() else None,
        "service": booking.service,
        "when": settings.local(booking.starts_at),
        "ends": settings.local(booking.ends_at),
        "timezone": settings.timezone_name,
        "address": booking.address,
        "status": human_status(booking.status),
        "customer_name": booking.customer.name,
        "agent_name": booking.agent.name if booking.agent else None,
        "company_line": _company_line(settings),
    }


def _company_line(settings: TeamSettings) -> str:
    """The emails' last line: the company and its number when the team has set them."""
    if not settings.company_name:
        return COMPANY_LINE
    phone = f" ({settings.company_phone})" if settings.company_phone else ""
    return f"Sent by {settings.company_name}{phone} through Dispatch Desktop."


def booking_messages(
    event: str,
    booking: Booking,
    settings: TeamSettings,
    *,
    previous_agent: Agent | None = None,
    old_status: str | None = None,
    eta_minutes: int | None = None,
) -> list[Notification]:
    """The messages one booking event causes, per the recipients table of issue 3.

    `event` is one of booking_created, booking_assigned, booking_status_changed, booking_rescheduled.
    """
    context = _booking_context(booking, settings)
    context["old_status"] = human_status(old_status) if old_status else None
    context["eta_minutes"] = eta_minutes  # an agent's "OMW 15": the customer's text says "about 15 minutes"
    ids: _EntityIds = {"entity": "booking", "entity_id": booking.id, "version": booking.version}
    agent = booking.agent
    out: list[Notification] = []
    if event == "booking_created":
        # Without an agent (the call center's) it is a request, not an appointment yet.
        confirmation = "customer_confirmation" if agent is not None else "request_received"
        out += _messages(confirmation, event, customer_recipient(booking), context, **ids)
        if agent is not None:
            out += _messages("agent_assignment", event, agent_recipient(agent), context, **ids)
    elif event == "booking_assigned":
        if agent is not None and old_status == BookingStatus.PENDING:
            # pending -> scheduled is a status change: the customer hears who comes, and when.
            out += _messages(
                "customer_scheduled", "booking_status_changed", customer_recipient(booking), context, **ids
            )
        if agent is not None and (previous_agent is None or previous_agent.id != agent.id):
            out += _messages("agent_assignment", event, agent_recipient(agent), context, **ids)
        if previous_agent is not None and (agent is None or previous_agent.id != agent.id):
            out += _messages(
                "agent_unassignment", "booking_unassigned", agent_recipient(previous_agent), context, **ids
            )
    elif event == "booking_status_changed":
        out += _messages("customer_status", event, customer_recipient(booking), context, **ids)
        if agent is not None:
            out += _messages("agent_status", event, agent_recipient(agent), context, **ids)
    elif event == "booking_rescheduled":
        out += _messages("customer_reschedule", event, customer_recipient(booking), context, **ids)
        if agent is not None:
            out += _messages("agent_reschedule", event, agent_recipient(agent), context, **ids)
    else:
        raise ValueError(f"unknown booking event {event!r}")
    return out


def time_off_reference(time_off_id: int) -> str:
    return f"TO-{time_off_id:06d}"


def _time_off_context(time_off: TimeOff, settings: TeamSettings, decided_by: str | None) -> dict[str, Any]:
    return {
        "ref": time_off_reference(time_off.id),
        "agent_name": time_off.agent.name,
        "starts": settings.local(time_off.starts_at),
        "ends": settings.local(time_off.ends_at),
        "timezone": settings.timezone_name,
        "reason": time_off.reason,
        "decision": time_off.status,
        "decision_reason": time_off.decision_reason,
        "decided_by": decided_by,
    }


def time_off_messages(
    event: str,
    time_off: TimeOff,
    settings: TeamSettings,
    *,
    dispatchers: Iterable[Operator] = (),
    decided_by: str | None = None,
) -> list[Notification]:
    """time_off_requested: each given dispatcher with a phone or email; time_off_decided: the agent.

    `decided_by` is the name of the person who decided (the row only keeps their username).
    """
    context = _time_off_context(time_off, settings, decided_by)
    ids: _EntityIds = {"entity": "time_off", "entity_id": time_off.id, "version": time_off.version}
    out: list[Notification] = []
    if event == "time_off_requested":
        for operator in dispatchers:
            recipient = operator_recipient(operator)
            if recipient.phone or recipient.email:
                out += _messages("dispatcher_time_off_request", event, recipient, context, **ids)
    elif event == "time_off_decided":
        out += _messages("agent_time_off_decision", event, agent_recipient(time_off.agent), context, **ids)
    else:
        raise ValueError(f"unknown time-off event {event!r}")
    return out


def notify_test_messages(
    key: str, name: str, phone: str | None, email: str | None, *, when: str, timezone: str
) -> list[Notification]:
    """A test SMS and/or email from `name` to themself, for each address given (no skips)."""
    recipient = Recipient(key, name, DISPATCHER, phone, email)
    context = {"sender_name": name, "when": when, "timezone": timezone}
    notes = _messages(
        "test_message",
        "notify_test",
        recipient,
        context,
        entity="test",
        entity_id=0,
        version=1,
        company_line="",
    )
    return [note for note in notes if note.address]


# --- into the outbox, inside the caller's transaction -----------------------------------------


def booking_created(
    session: Session, booking: Booking, settings: TeamSettings, *, notify_customer: bool = True
) -> None:
    """Customer confirmation (a request received, without an agent); the agent's assignment when set."""
    session.flush()
    notes = booking_messages("booking_created", booking, settings)
    queue_booking(session, booking, notes, settings, coalesce=False, notify_customer=notify_customer)


def booking_assigned(
    session: Session,
    booking: Booking,
    previous_agent: Agent | None,
    settings: TeamSettings,
    *,
    old_status: str | None = None,
    notify_customer: bool = True,
) -> None:
    """New agent: assignment; previous agent (if any): unassignment; pending -> scheduled: the customer."""
    session.flush()
    notes = booking_messages(
        "booking_assigned", booking, settings, previous_agent=previous_agent, old_status=old_status
    )
    queue_booking(session, booking, notes, settings, coalesce=True, notify_customer=notify_customer)


def booking_status_changed(
    session: Session,
    booking: Booking,
    old_status: str,
    settings: TeamSettings,
    *,
    eta_minutes: int | None = None,
    notify_customer: bool = True,
) -> None:
    """Customer and (if assigned) agent: status update."""
    session.flush()
    notes = booking_messages(
        "booking_status_changed", booking, settings, old_status=old_status, eta_minutes=eta_minutes
    )
    queue_booking(session, booking, notes, settings, coalesce=True, notify_customer=notify_customer)


def booking_rescheduled(
    session: Session, booking: Booking, settings: TeamSettings, *, notify_customer: bool = True
) -> None:
    """Customer and (if assigned) agent: the new time."""
    session.flush()
    notes = booking_messages("booking_rescheduled", booking, settings)
    queue_booking(session, booking, notes, settings, coalesce=True, notify_customer=notify_customer)


# --- what the customer's texts say around the message ------------------------------------------

DECLINED_TEXTS = "customer declined texts"
OPT_OUT_LINE = "Reply STOP to opt out."


def customer_texts(
    session: Session, notes: list[Notification], booking: Booking, settings: TeamSettings
) -> list[Notification]:
    """The customer's SMS as sent: skipped when they said no to texts; otherwise opened with the
    company name (when set) and, the first time their number is ever texted, closed with the
    opt-out line, the whole kept within two segments by shortening the message between."""
    customer = booking.customer
    out = []
    for note in notes:
        if note.recipient.kind != CUSTOMER or note.channel != SMS or not note.address:
            out.append(note)
        elif customer.sms_consent == "no":
            out.append(replace(note, declined=DECLINED_TEXTS))
        else:
            prefix = f"{settings.company_name}: " if settings.company_name else ""
            first = not sms_counts.ever_texted(session, note.address)
            suffix = f" {OPT_OUT_LINE}" if first else ""
            out.append(replace(note, body=sms_segments.fit(note.body, prefix=prefix, suffix=suffix)))
    return out


def time_off_requested(session: Session, time_off: TimeOff, settings: TeamSettings) -> None:
    """Each active dispatcher with a phone or email: approval needed."""
    session.flush()
    notes = time_off_messages("time_off_requested", time_off, settings, dispatchers=approvers(session))
    queue(session, notes, settings, time_off_id=time_off.id)


def time_off_decided(session: Session, time_off: TimeOff, settings: TeamSettings, *, decided_by: str) -> None:
    """The agent: approved or denied, naming the person who decided (`decided_by`, their name)."""
    session.flush()
    notes = time_off_messages("time_off_decided", time_off, settings, decided_by=decided_by)
    queue(session, notes, settings, time_off_id=time_off.id)


def approvers(session: Session) -> list[Operator]:
    """Active dispatchers with a phone or email; if none can be reached, active supervisors,
    so a request is never left where nobody hears of it."""
    for role in (Role.DISPATCHER, Role.SUPERVISOR):
        found = [
            operator
            for operator in session.scalars(
                select(Operator)
                .where(Operator.role == role.value, Operator.active.is_(True))
                .order_by(Operator.id)
            )
            if (operator.phone or "").strip() or (operator.email or "").strip()
        ]
        if found:
            return found
    return []


def _not_textable(note: Notification, settings: TeamSettings | None) -> str | None:
    """Why a text may not go to a number stored before the SMS rules or the team's countries changed."""
    if note.channel != SMS or not note.address or settings is None:
        return None
    try:
        validation.textable_phone(note.address, settings.region, settings.texted_countries)
    except ValidationError as exc:
        return str(exc)
    return None


def queue(
    session: Session,
    notes: Iterable[Notification],
    settings: TeamSettings | None = None,
    *,
    booking_id: int | None = None,
    time_off_id: int | None = None,
    when: "Timing | None" = None,
) -> int:
    """Insert the rows; a row whose dedupe key already exists is left alone. Returns rows inserted.

    Each row is stamped with the environment of the change (the transaction's, else FLASK_ENV's),
    so only a worker of that environment delivers it. With the team's settings, a text to a number
    the SMS rules refuse is queued as skipped with the reason, so the supervisor sees it instead of
    it going out (or vanishing). With a booking's `when`, the rows wait as the clock rules say
    (`timed`): reminders scheduled, customer notices held for quiet hours or a burst of changes.
    """
    now = when.now if when else utcnow()
    environment = session.info.get(store.ENVIRONMENT_INFO) or environment_decision().name
    queued_by = session.info.get(store.QUEUED_BY)
    pending = [(note, timed(note, settings, when, now)) for note in notes]
    rows = [
        {
            "dedupe_key": note.dedupe_key,
            "event": note.event,
            "channel": note.channel,
            "recipient": note.address or "",
            "recipient_name": note.recipient.name[:120],
            "recipient_kind": note.recipient.kind,
            "subject": note.subject[:300] if note.subject else None,
            "body": note.body,
            "html_body": note.html_body,
            "booking_id": booking_id,
            "time_off_id": time_off_id,
            "status": plan.status.value,
            "attempts": 0,
            "next_attempt_at": plan.due,
            "last_error": plan.error,
            "hold_reason": plan.hold_reason,
            "queued_environment": environment,
            "queued_by": queued_by,
            "created_at": now,
            "updated_at": now,
        }
        for note, plan in pending
    ]
    inserted = store.insert_new(session, rows)
    if settings is not None:
        _log_holds_after_commit(session, pending, settings, environment, now)
    return inserted


# --- the clock: reminders, quiet hours, one text per burst of changes (issue 14) ----------------

REMINDED_STATUSES = frozenset({BookingStatus.SCHEDULED, BookingStatus.CONFIRMED})
PUSHED_PAST_START = "quiet hours would hold it until after the booking starts"


@dataclass(frozen=True)
class Timing:
    """What the clock rules of one booking's notices need: now, its start, whether it is a change."""

    now: datetime
    starts_at: datetime | None
    coalesce: bool  # a status change, reschedule or assignment: customer notices wait for the burst


@dataclass(frozen=True)
class Plan:
    """How a new row is written: its status, due time, hold reason and (for a skip) the reason."""

    status: OutboxStatus
    due: datetime
    hold_reason: str | None = None
    error: str | None = None


def timed(note: Notification, settings: TeamSettings | None, when: Timing | None, now: datetime) -> Plan:
    """The row's plan: skipped; a reminder scheduled at its time; a customer notice of a change held
    `customer_hold_seconds`; a customer text coming due in quiet hours held to the window's end,
    unless it confirms a booking just made or is about a booking starting before the window ends
    (a reminder that would go only after the start is superseded instead)."""
    skip = note.skip_reason or _not_textable(note, settings)
    if skip:
        return Plan(OutboxStatus.SKIPPED, now, error=skip)
    if note.due_at is not None:
        plan = Plan(OutboxStatus.SCHEDULED, note.due_at)
    else:
        plan = Plan(OutboxStatus.QUEUED, now)
    if when is None or settings is None or note.recipient.kind != CUSTOMER:
        return plan
    if when.coalesce and settings.customer_hold_seconds > 0:
        due = plan.due + timedelta(seconds=settings.customer_hold_seconds)
        plan = Plan(OutboxStatus.HELD, due, HoldReason.COALESCING)
    if note.channel != SMS:
        return plan
    return quiet_hours(note.event, note.address, plan, when.starts_at, settings) or plan


def quiet_hours(
    event: str, phone: str | None, plan: Plan, starts_at: datetime | None, settings: TeamSettings
) -> Plan | None:
    """What quiet hours make of a customer text due at `plan.due`: held to the window's end, or
    (a reminder that would then go after the start) superseded; None when they leave it alone:
    outside the window, the confirmation of a booking just made, or tonight's job."""
    if settings.quiet_hours is None or event == "booking_created":
        return None
    end = settings.quiet_hours.ends_after(plan.due, recipient_zone(phone, settings.zone))
    if end is None:
        return None
    if event == REMINDER_EVENT:
        if starts_at is not None and end >= starts_at:
            return Plan(OutboxStatus.SUPERSEDED, plan.due, error=PUSHED_PAST_START)
    elif starts_at is not None and starts_at < end:
        return None  # tonight's job: the customer needs to hear now
    return Plan(OutboxStatus.HELD, end, HoldReason.QUIET_HOURS)


def late_texts(
    session: Session, settings: TeamSettings, *, now: datetime, environment: str
) -> list[tuple[int, Plan]]:
    """Customer texts that came due while quiet hours began (nothing ran, a retry's backoff ended at
    night), with what quiet hours make of each: held to the window's end, or superseded."""
    if settings.quiet_hours is None:
        return []
    found = []
    for row in waits.due_customer_texts(session, now=now, environment=environment):
        verdict = quiet_hours(
            row.event, row.recipient, Plan(OutboxStatus.QUEUED, now), row.starts_at, settings
        )
        if verdict is not None:
            found.append((row.id, verdict))
    return found


def hold_late_texts(session: Session, found: list[tuple[int, Plan]], *, now: datetime) -> int:
    """`late_texts`' verdicts written, each only if its row is still unsent. Returns how many."""
    return sum(
        waits.hold_or_supersede(session, row_id, plan.status, due=plan.due, reason=plan.error, now=now)
        for row_id, plan in found
    )


def _hold_end(note: Notification, plan: Plan, settings: TeamSettings, now: datetime) -> str:
    """Quiet hours end at the recipient's morning (`2026-12-02 08:00`); a burst's hold in seconds."""
    if plan.hold_reason == HoldReason.QUIET_HOURS:
        return settings.local_in(plan.due, recipient_zone(note.address, settings.zone))
    return settings.clock(plan.due, now)


def _log_holds_after_commit(
    session: Session,
    pending: list[tuple[Notification, Plan]],
    settings: TeamSettings,
    environment: str,
    now: datetime,
) -> None:
    """`[DEV] SMS held - To: ..., Until: ... (quiet hours)` (or `(coalescing)`, a customer update
    waiting for the burst to end) for each notice held, once the change commits."""
    held = [
        Notice(
            environment=environment,
            channel=note.channel,
            outcome=OutboxStatus.HELD,
            recipient=note.address or "",
            until=_hold_end(note, plan, settings, now),
            error=plan.hold_reason,
            recipient_kind=note.recipient.kind,
        )
        for note, plan in pending
        if plan.status == OutboxStatus.HELD
    ]
    if held:

        def log_held(_session: Session) -> None:
            for notice in held:
                log_notice(notice)

        event.listen(session, "after_commit", log_held, once=True)


def queue_booking(
    session: Session,
    booking: Booking,
    notes: list[Notification],
    settings: TeamSettings,
    *,
    coalesce: bool,
    notify_customer: bool = True,
) -> None:
    """A booking event's rows, timed, then the booking's reminders brought up to date.

    Without `notify_customer` (a person chose silence) only agents are told. With the customer
    hold on (one text per burst), each row supersedes the older unsent rows to its recipient about
    the booking on its channel, and a confirmation not yet sent survives.
    """
    now = utcnow()
    if not notify_customer:
        notes = [note for note in notes if note.recipient.kind != CUSTOMER]
    one_per_burst = settings.customer_hold_seconds > 0
    if coalesce and one_per_burst:
        notes = surviving_confirmations(session, booking, notes, settings)
    notes = customer_texts(session, notes, booking, settings)
    queue(session, notes, settings, booking_id=booking.id, when=Timing(now, booking.starts_at, coalesce))
    if one_per_burst:
        ids = supersede.ids_of(session, [note.dedupe_key for note in notes if note.address])
        for note in notes:
            if note.address and note.recipient.kind in (CUSTOMER, AGENT):
                supersede.supersede_older(session, ids[note.dedupe_key], now=now)
    refresh_reminders(session, booking, settings, now)


def surviving_confirmations(
    session: Session, booking: Booking, notes: list[Notification], settings: TeamSettings
) -> list[Notification]:
    """A customer notice that would supersede a confirmation not yet sent becomes that confirmation,
    with the booking's latest details: nobody hears "rescheduled" of a booking they never heard of."""
    if booking.status not in NOT_STARTED_STATUSES:
        return notes
    confirmations = {
        note.channel: note
        for note in booking_messages("booking_created", booking, settings)
        if note.recipient.kind == CUSTOMER
    }
    out = []
    for note in notes:
        if note.recipient.kind == CUSTOMER and note.address and note.channel in confirmations:
            unsent = supersede.unsent_events(
                session,
                booking_id=booking.id,
                recipient_kind=CUSTOMER,
                recipient=note.address,
                channel=note.channel,
            )
            if "booking_created" in unsent:
                note = confirmations[note.channel]
        out.append(note)
    return out


def reminder_messages(booking: Booking, settings: TeamSettings, now: datetime) -> list[Notification]:
    """One SMS and one email to the customer per reminder offset still ahead, for a booking that is
    scheduled or confirmed; none for a time already passed."""
    if booking.status not in REMINDED_STATUSES:
        return []
    context = _booking_context(booking, settings)
    context |= {"company": settings.company_name, "two_way": settings.two_way_sms}
    ids: _EntityIds = {"entity": "booking", "entity_id": booking.id, "version": booking.version}
    out: list[Notification] = []
    for offset in settings.reminders:
        due = booking.starts_at - offset
        if due > now:
            notes = _messages("reminder", REMINDER_EVENT, customer_recipient(booking), context, **ids)
            out += [replace(note, due_at=due, slot=offset_text(offset)) for note in notes]
    return out


def refresh_reminders(session: Session, booking: Booking, settings: TeamSettings, now: datetime) -> None:
    """The booking's reminders as it now stands: the old unsent ones superseded, the new written."""
    notes = reminder_messages(booking, settings, now)
    reason = "the booking changed" if notes else f"the booking is {human_status(booking.status)}"
    supersede.supersede_reminders(
        session, booking.id, now=now, reason=reason, keep=[note.dedupe_key for note in notes]
    )
    notes = customer_texts(session, notes, booking, settings)
    queue(session, notes, settings, booking_id=booking.id, when=Timing(now, booking.starts_at, False))
