"""Who is told what: the recipients and messages each dispatch event causes, and their outbox rows.

The services call the event functions (`booking_created` ... `time_off_decided`) while their
change is still uncommitted, so a booking that commits always has its notifications and one that
rolls back has none. The builders (`booking_messages`, `time_off_messages`, `test_messages`) are
pure: one Notification per recipient and channel, skips included. Delivering the rows is the
notifier's (notify.async_notifier.send_notifications_async).
"""

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypedDict

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from dispatch_desktop.domain import language as languages
from dispatch_desktop.domain import sms_segments, validation
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.domain.outbox import REMINDER_EVENT, Channel, HoldReason, OutboxStatus
from dispatch_desktop.domain.roles import Role
from dispatch_desktop.domain.statuses import NOT_STARTED_STATUSES, BookingStatus
from dispatch_desktop.domain.team import TeamSettings, booking_reference
from dispatch_desktop.domain.timing import offset_text, recipient_zone
from dispatch_desktop.notify import calendar_invite, templates
from dispatch_desktop.notify.calendar_invite import CANCEL, REQUEST
from dispatch_desktop.notify.credentials import email_sender
from dispatch_desktop.notify.log_line import Notice, log_notice
from dispatch_desktop.notify.notifier import environment_decision
from dispatch_desktop.notify.templates import Overrides
from dispatch_desktop.services.customers import message_language
from dispatch_desktop.storage import outbox as store
from dispatch_desktop.storage import templates as template_store
from dispatch_desktop.storage.models import Agent, Booking, Operator, TimeOff
from dispatch_desktop.storage.outbox import sms_counts, supersede, waits
from dispatch_desktop.storage.types import utcnow

SMS, EMAIL = Channel.SMS, Channel.EMAIL
CUSTOMER, AGENT, DISPATCHER = "customer", "agent", "dispatcher"
COMPANY_LINE = languages.words(languages.ENGLISH).service_team
NO_PHONE = "no phone number on file"
NO_EMAIL = "no email address on file"
DEDUPE_MAX = 255
# kind -> a supervisor's overrides of its parts (storage/templates.overrides), read once per event.
Texts = Mapping[str, Overrides]
NO_TEXTS: Texts = {}


@dataclass(frozen=True)
class Recipient:
    key: str  # "customer:12", "agent:3", "operator:5": who, independent of their address
    name: str
    kind: str
    phone: str | None
    email: str | None
    language: str | None = None  # a customer's own; None: the team's


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
    calendar: str | None = None  # an email's invite, the .ics text

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
    """Which row and version a message is about, and the overrides: passed as `**ids` to `_messages`."""

    entity: str
    entity_id: int
    version: int
    texts: Texts


def _clean(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def customer_recipient(booking: Booking) -> Recipient:
    customer = booking.customer
    phone, email = _clean(customer.phone), _clean(customer.email)
    return Recipient(f"customer:{customer.id}", customer.name, CUSTOMER, phone, email, customer.language)


def agent_recipient(agent: Agent) -> Recipient:
    return Recipient(f"agent:{agent.id}", agent.name, AGENT, _clean(agent.phone), _clean(agent.email))


def operator_recipient(operator: Operator) -> Recipient:
    return Recipient(
        f"operator:{operator.id}", operator.name, DISPATCHER, _clean(operator.phone), _clean(operator.email)
    )


def human_status(status: str) -> str:
    return languages.status_words(status)


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
    texts: Texts = NO_TEXTS,
    language: str = languages.ENGLISH,
) -> list[Notification]:
    rendered = templates.render(
        kind,
        language=language,
        overrides=texts.get(kind),
        **{"recipient_name": recipient.name, "company_line": company_line, **context},
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


def booking_context(
    booking: Booking, settings: TeamSettings, language: str = languages.ENGLISH
) -> dict[str, Any]:
    """A booking's template variables, its dates, times and status in `language`'s words."""
    agent, zone = booking.agent, settings.zone
    return {
        "ref": booking_reference(booking.id),
        "date": languages.day(booking.starts_at, zone, language),
        "time": languages.clock(booking.starts_at, zone, language),
        "agent_first_name": agent.name.split()[0] if agent and agent.name.split() else None,
        "service": booking.service,
        "when": languages.when(booking.starts_at, zone, language),
        "ends": languages.when(booking.ends_at, zone, language),
        "timezone": settings.timezone_name,
        "address": booking.address,
        "status": languages.status_words(booking.status, language),
        "customer_name": booking.customer.name,
        "agent_name": booking.agent.name if booking.agent else None,
        "company_line": _company_line(settings, language),
    }


def booking_event_context(
    booking: Booking,
    settings: TeamSettings,
    *,
    old_status: str | None = None,
    eta_minutes: int | None = None,
    language: str = languages.ENGLISH,
) -> dict[str, Any]:
    context = booking_context(booking, settings, language)
    context["old_status"] = languages.status_words(old_status, language) if old_status else None
    context["eta_minutes"] = eta_minutes  # an agent's "OMW 15": the customer's text says "about 15 minutes"
    return context


def _company_line(settings: TeamSettings, language: str) -> str:
    """The emails' last line: the company and its number when the team has set them."""
    words = languages.words(language)
    if not settings.company_name:
        return words.service_team
    phone = f" ({settings.company_phone})" if settings.company_phone else ""
    return words.company_line.format(name=f"{settings.company_name}{phone}")


def booking_messages(
    event: str,
    booking: Booking,
    settings: TeamSettings,
    *,
    previous_agent: Agent | None = None,
    old_status: str | None = None,
    eta_minutes: int | None = None,
    sender: str | None = None,
    texts: Texts = NO_TEXTS,
) -> list[Notification]:
    """The messages one booking event causes, per the recipients table of issue 3; the emails that
    put the booking in someone's calendar or take it out carry an invite from `sender`.

    `event` is one of booking_created, booking_assigned, booking_status_changed, booking_rescheduled.
    The customer's messages are in their language (else the team's), the agents' in the team's.
    """
    ids: _EntityIds = {
        "entity": "booking",
        "entity_id": booking.id,
        "version": booking.version,
        "texts": texts,
    }
    spoken = message_language(booking.customer, settings)

    def context(language: str) -> dict[str, Any]:
        return booking_event_context(
            booking, settings, old_status=old_status, eta_minutes=eta_minutes, language=language
        )

    customer_context, staff_context = context(spoken), context(settings.language)

    def invited(kind: str, notes: list[Notification], language: str) -> list[Notification]:
        return with_invite(notes, invite_method(kind, booking), booking, settings, sender, language)

    def to_customer(kind: str, about: str = event) -> list[Notification]:
        recipient = customer_recipient(booking)
        return invited(
            kind, _messages(kind, about, recipient, customer_context, language=spoken, **ids), spoken
        )

    def to_agent(kind: str, who: Agent, about: str = event) -> list[Notification]:
        notes = _messages(kind, about, agent_recipient(who), staff_context, language=settings.language, **ids)
        return invited(kind, notes, settings.language)

    agent = booking.agent
    out: list[Notification] = []
    if event == "booking_created":
        # Without an agent (the call center's) it is a request, not an appointment yet.
        out += to_customer("customer_confirmation" if agent is not None else "request_received")
        if agent is not None:
            out += to_agent("agent_assignment", agent)
    elif event == "booking_assigned":
        if agent is not None and old_status == BookingStatus.PENDING:
            # pending -> scheduled is a status change: the customer hears who comes, and when.
            out += to_customer("customer_scheduled", "booking_status_changed")
        if agent is not None and (previous_agent is None or previous_agent.id != agent.id):
            out += to_agent("agent_assignment", agent)
        if previous_agent is not None and (agent is None or previous_agent.id != agent.id):
            out += to_agent("agent_unassignment", previous_agent, "booking_unassigned")
    elif event == "booking_status_changed":
        out += to_customer("customer_status")
        if agent is not None:
            out += to_agent("agent_status", agent)
    elif event == "booking_rescheduled":
        out += to_customer("customer_reschedule")
        if agent is not None:
            out += to_agent("agent_reschedule", agent)
    else:
        raise ValueError(f"unknown booking event {event!r}")
    return out


# The message kinds whose email carries an invite, with its method; a status update's only on cancel.
INVITES = {
    "customer_confirmation": REQUEST,
    "customer_scheduled": REQUEST,
    "customer_reschedule": REQUEST,
    "agent_assignment": REQUEST,
    "agent_reschedule": REQUEST,
    "agent_unassignment": CANCEL,
}
STATUS_UPDATES = frozenset({"customer_status", "agent_status"})


def invite_method(kind: str, booking: Booking) -> str | None:
    """REQUEST puts the booking in the recipient's calendar (or moves it), CANCEL takes it out."""
    if kind in STATUS_UPDATES:
        return CANCEL if booking.status == BookingStatus.CANCELLED else None
    # A request's reschedule too: the booking may have had an agent, and its event, before.
    return INVITES.get(kind)


def with_invite(
    notes: list[Notification],
    method: str | None,
    booking: Booking,
    settings: TeamSettings,
    sender: str | None,
    language: str = languages.ENGLISH,
) -> list[Notification]:
    """The emails among `notes` with the booking's invite to their recipient, in their language,
    when `method` says one."""
    if method is None:
        return notes
    return [
        replace(
            note, calendar=calendar_invite.ics(_invite(note, method, booking, settings, sender, language))
        )
        if note.channel == EMAIL and note.address
        else note
        for note in notes
    ]


def _invite(
    note: Notification,
    method: str,
    booking: Booking,
    settings: TeamSettings,
    sender: str | None,
    language: str,
) -> calendar_invite.Invite:
    ref = booking_reference(booking.id)
    # The agent's calendar names the customer; the customer's the company, when the team set one.
    who = booking.customer.name if note.recipient.kind == AGENT else settings.company_name
    words = languages.words(language)
    zone = settings.zone
    description = words.invite.format(
        ref=ref,
        starts=languages.when(booking.starts_at, zone, language),
        ends=languages.when(booking.ends_at, zone, language),
        zone=settings.timezone_name,
    )
    return calendar_invite.Invite(
        method=method,
        reference=ref,
        sequence=booking.version,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        timezone=settings.timezone_name,
        summary=f"{booking.service} - {who}" if who else booking.service,
        location=booking.address,
        description=f"{description} {words.invite_cancelled}" if method == CANCEL else description,
        sender=sender,
        sender_name=settings.company_name or "Dispatch Desktop",
        recipient=note.address or "",
        recipient_name=note.recipient.name,
        stamp=utcnow(),
    )


def queued_sender(session: Session) -> str | None:
    """The email sender the change's workstation stamped on the session (services.context)."""
    return session.info[store.SENDER_INFO] if store.SENDER_INFO in session.info else email_sender(None)


def time_off_reference(time_off_id: int) -> str:
    return f"TO-{time_off_id:06d}"


def time_off_context(time_off: TimeOff, settings: TeamSettings, decided_by: str | None) -> dict[str, Any]:
    """Time off is staff's: its dates and decision in the team's language."""
    zone, language = settings.zone, settings.language
    return {
        "ref": time_off_reference(time_off.id),
        "agent_name": time_off.agent.name,
        "starts": languages.when(time_off.starts_at, zone, language),
        "ends": languages.when(time_off.ends_at, zone, language),
        "timezone": settings.timezone_name,
        "reason": time_off.reason,
        "decision": languages.status_words(time_off.status, language),
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
    texts: Texts = NO_TEXTS,
) -> list[Notification]:
    """time_off_requested: each given dispatcher with a phone or email; time_off_decided: the agent.

    `decided_by` is the name of the person who decided (the row only keeps their username).
    """
    context = time_off_context(time_off, settings, decided_by)
    ids: _EntityIds = {
        "entity": "time_off",
        "entity_id": time_off.id,
        "version": time_off.version,
        "texts": texts,
    }
    out: list[Notification] = []
    if event == "time_off_requested":
        for operator in dispatchers:
            recipient = operator_recipient(operator)
            if recipient.phone or recipient.email:
                out += _messages(
                    "dispatcher_time_off_request",
                    event,
                    recipient,
                    context,
                    language=settings.language,
                    **ids,
                )
    elif event == "time_off_decided":
        agent = agent_recipient(time_off.agent)
        out += _messages("agent_time_off_decision", event, agent, context, language=settings.language, **ids)
    else:
        raise ValueError(f"unknown time-off event {event!r}")
    return out


def notify_test_messages(
    key: str,
    name: str,
    phone: str | None,
    email: str | None,
    *,
    when: str,
    timezone: str,
    texts: Texts = NO_TEXTS,
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
        texts=texts,
    )
    return [note for note in notes if note.address]


# --- into the outbox, inside the caller's transaction -----------------------------------------


def booking_created(
    session: Session, booking: Booking, settings: TeamSettings, *, notify_customer: bool = True
) -> None:
    """Customer confirmation (a request received, without an agent); the agent's assignment when set."""
    _tell(session, "booking_created", booking, settings, coalesce=False, notify_customer=notify_customer)


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
    _tell(
        session,
        "booking_assigned",
        booking,
        settings,
        previous_agent=previous_agent,
        old_status=old_status,
        notify_customer=notify_customer,
    )


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
    _tell(
        session,
        "booking_status_changed",
        booking,
        settings,
        old_status=old_status,
        eta_minutes=eta_minutes,
        notify_customer=notify_customer,
    )


def booking_rescheduled(
    session: Session, booking: Booking, settings: TeamSettings, *, notify_customer: bool = True
) -> None:
    """Customer and (if assigned) agent: the new time."""
    _tell(session, "booking_rescheduled", booking, settings, notify_customer=notify_customer)


def _tell(
    session: Session,
    event: str,
    booking: Booking,
    settings: TeamSettings,
    *,
    previous_agent: Agent | None = None,
    old_status: str | None = None,
    eta_minutes: int | None = None,
    coalesce: bool = True,
    notify_customer: bool,
) -> None:
    """One booking event's messages, from the overrides in force, queued in the caller's transaction."""
    session.flush()
    texts = template_store.overrides(session)
    notes = booking_messages(
        event,
        booking,
        settings,
        previous_agent=previous_agent,
        old_status=old_status,
        eta_minutes=eta_minutes,
        texts=texts,
        sender=queued_sender(session),
    )
    queue_booking(
        session, booking, notes, settings, texts, coalesce=coalesce, notify_customer=notify_customer
    )


# --- what the customer's texts say around the message ------------------------------------------

DECLINED_TEXTS = "customer declined texts"


def customer_texts(
    session: Session, notes: list[Notification], booking: Booking, settings: TeamSettings
) -> list[Notification]:
    """The customer's SMS as sent: skipped when they said no to texts; otherwise framed as
    `sms_frame` says, in the customer's language, the whole kept within two segments by shortening
    the message between."""
    customer = booking.customer
    spoken = message_language(customer, settings)
    out = []
    for note in notes:
        if note.recipient.kind != CUSTOMER or note.channel != SMS or not note.address:
            out.append(note)
        elif customer.sms_consent == "no":
            out.append(replace(note, declined=DECLINED_TEXTS))
        else:
            first = not sms_counts.ever_texted(session, note.address)
            reminder = note.event == REMINDER_EVENT
            _uncut, sent = framed_sms(note.body, settings, first=first, language=spoken, reminder=reminder)
            out.append(replace(note, body=sent))
    return out


def framed_sms(
    body: str, settings: TeamSettings, *, first: bool, language: str, reminder: bool
) -> tuple[str, str]:
    """A customer's SMS uncut (`sms_frame` around the body) and as sent: the body shortened so the
    whole stays within two segments, the frame kept whole. The templates' save check and preview
    take the same pair, so what they accept is what goes out."""
    prefix, suffix = sms_frame(settings, first=first, language=language, reminder=reminder)
    return prefix + body + suffix, sms_segments.fit(body, prefix=prefix, suffix=suffix)


def sms_frame(
    settings: TeamSettings, *, first: bool, language: str = languages.ENGLISH, reminder: bool = False
) -> tuple[str, str]:
    """What a customer's text carries around its message: the company name; a reminder's reply
    keywords when two-way SMS is on; on the number's first text the opt-out line. The template
    never holds them, so no template can drop them and no cut can take them."""
    words = languages.words(language)
    prefix = f"{settings.company_name}: " if settings.company_name else ""
    hint = f" {words.reply_hint}" if reminder and settings.two_way_sms else ""
    return prefix, hint + (f" {words.opt_out}" if first else "")


def time_off_requested(session: Session, time_off: TimeOff, settings: TeamSettings) -> None:
    """Each active dispatcher with a phone or email: approval needed."""
    session.flush()
    notes = time_off_messages(
        "time_off_requested",
        time_off,
        settings,
        dispatchers=approvers(session),
        texts=template_store.overrides(session),
    )
    queue(session, notes, settings, time_off_id=time_off.id)


def time_off_decided(session: Session, time_off: TimeOff, settings: TeamSettings, *, decided_by: str) -> None:
    """The agent: approved or denied, naming the person who decided (`decided_by`, their name)."""
    session.flush()
    notes = time_off_messages(
        "time_off_decided", time_off, settings, decided_by=decided_by, texts=template_store.overrides(session)
    )
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
            "calendar": note.calendar,
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
    texts: Texts,
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
        notes = surviving_confirmations(session, booking, notes, settings, texts)
    notes = customer_texts(session, notes, booking, settings)
    queue(session, notes, settings, booking_id=booking.id, when=Timing(now, booking.starts_at, coalesce))
    if one_per_burst:
        ids = supersede.ids_of(session, [note.dedupe_key for note in notes if note.address])
        for note in notes:
            if note.address and note.recipient.kind in (CUSTOMER, AGENT):
                supersede.supersede_older(session, ids[note.dedupe_key], now=now)
    refresh_reminders(session, booking, settings, now, texts)


def surviving_confirmations(
    session: Session, booking: Booking, notes: list[Notification], settings: TeamSettings, texts: Texts
) -> list[Notification]:
    """A customer notice that would supersede a confirmation not yet sent becomes that confirmation,
    with the booking's latest details: nobody hears "rescheduled" of a booking they never heard of."""
    if booking.status not in NOT_STARTED_STATUSES:
        return notes
    confirmations = {
        note.channel: note
        for note in booking_messages(
            "booking_created", booking, settings, texts=texts, sender=queued_sender(session)
        )
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


def reminder_messages(
    booking: Booking, settings: TeamSettings, now: datetime, texts: Texts = NO_TEXTS
) -> list[Notification]:
    """One SMS and one email to the customer per reminder offset still ahead, for a booking that is
    scheduled or confirmed; none for a time already passed."""
    if booking.status not in REMINDED_STATUSES:
        return []
    spoken = message_language(booking.customer, settings)
    context = reminder_context(booking, settings, spoken)
    ids: _EntityIds = {
        "entity": "booking",
        "entity_id": booking.id,
        "version": booking.version,
        "texts": texts,
    }
    out: list[Notification] = []
    for offset in settings.reminders:
        due = booking.starts_at - offset
        if due > now:
            recipient = customer_recipient(booking)
            notes = _messages("reminder", REMINDER_EVENT, recipient, context, language=spoken, **ids)
            out += [replace(note, due_at=due, slot=offset_text(offset)) for note in notes]
    return out


def reminder_context(
    booking: Booking, settings: TeamSettings, language: str = languages.ENGLISH
) -> dict[str, Any]:
    # `two_way` stays for a supervisor's text; the reply keywords themselves are sms_frame's.
    return booking_context(booking, settings, language) | {
        "company": settings.company_name,
        "two_way": settings.two_way_sms,
    }


def refresh_reminders(
    session: Session, booking: Booking, settings: TeamSettings, now: datetime, texts: Texts
) -> None:
    """The booking's reminders as it now stands: the old unsent ones superseded, the new written."""
    notes = reminder_messages(booking, settings, now, texts)
    reason = "the booking changed" if notes else f"the booking is {human_status(booking.status)}"
    supersede.supersede_reminders(
        session, booking.id, now=now, reason=reason, keep=[note.dedupe_key for note in notes]
    )
    notes = customer_texts(session, notes, booking, settings)
    queue(session, notes, settings, booking_id=booking.id, when=Timing(now, booking.starts_at, False))
