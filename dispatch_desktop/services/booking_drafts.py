"""What a booking form's Save does, Qt-free: create a booking, or update one and then (re)assign it.

The console's booking form and call-center panel call `save_draft` on a worker; the CLI or a script
can save the same way.
"""

from dataclasses import dataclass
from datetime import datetime, tzinfo

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.services import agents, availability, bookings, operators
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import BookingView


@dataclass(frozen=True)
class BookingDraft:
    """What the form would save, as plain values."""

    customer_name: str
    customer_phone: str
    customer_email: str | None
    address: str
    service: str
    start: datetime  # with its UTC offset once the team's zone is known
    end: datetime
    notes: str | None
    agent_id: int | None
    notify_customer: bool = True  # False: "don't notify the customer about this change"
    sms_consent: str | None = None  # the customer's answer to "OK to text you?" ('yes', 'no', None)
    override: bool = False  # "Book anyway": outside the agent's hours or without the service's skill
    customer_language: str | None = None  # their messages' language; None keeps theirs (or the team's)


def save_draft(
    ctx: ServiceContext,
    draft: BookingDraft,
    original: BookingView | None,
    *,
    assign: bool,
    call_center: bool = False,
) -> BookingView:
    """A new booking from `draft`, or `original` edited to it (refused if someone saved it since).

    With `assign`, an edit whose agent differs also assigns the booking to the draft's agent (or
    unassigns it); without, the agent stays as it is. With `call_center`, a new booking is the
    call center's (see bookings.create_booking).
    """
    if original is None:
        return bookings.create_booking(
            ctx,
            call_center=call_center,
            customer_name=draft.customer_name,
            customer_phone=draft.customer_phone,
            customer_email=draft.customer_email,
            address=draft.address,
            service=draft.service,
            start=draft.start,
            end=draft.end,
            agent_id=draft.agent_id if assign else None,
            notes=draft.notes or None,
            sms_consent=draft.sms_consent,
            customer_language=draft.customer_language,
            notify_customer=draft.notify_customer,
            override=draft.override,
        )
    reassigning = assign and draft.agent_id != original.agent_id
    if reassigning and draft.agent_id is not None and not draft.override:
        availability.refuse_unfit(ctx, draft.agent_id, draft.service, draft.start, draft.end)
    view = bookings.update_booking(
        ctx,
        original.id,
        expect_version=original.version,
        customer_name=draft.customer_name,
        customer_phone=draft.customer_phone,
        customer_email=draft.customer_email or "",
        customer_language=draft.customer_language,
        address=draft.address,
        service=draft.service,
        start=draft.start,
        end=draft.end,
        notes=draft.notes or "",
        notify_customer=draft.notify_customer,
        override=draft.override,
        fit_agent=not reassigning,  # the agent who stays is checked; a new one was, just above
    )
    if assign and draft.agent_id != view.agent_id:
        view = bookings.assign_booking(
            ctx,
            view.id,
            draft.agent_id,
            expect_version=view.version,
            notify_customer=draft.notify_customer,
            override=draft.override,
        )
    return view


# --- an edit that met someone else's save --------------------------------------------------

# The fields a form edits, in the form's order, with the words a person uses for them.
FIELD_WORDS: dict[str, str] = {
    "customer_phone": "the phone",
    "customer_name": "the name",
    "customer_email": "the email",
    "address": "the address",
    "service": "the service",
    "time": "the time",
    "agent_id": "the agent",
    "notes": "the notes",
}


@dataclass(frozen=True)
class FieldClash:
    """One field both people changed, differently: what is stored now and what this form has."""

    field: str  # a FIELD_WORDS key
    theirs: str
    yours: str


@dataclass(frozen=True)
class DraftMerge:
    """The form's edits laid over the booking as stored now (`current`, whose version to save with)."""

    current: BookingView
    draft: BookingDraft  # their changes to fields this form left alone, this form's to the rest
    clashes: tuple[FieldClash, ...]  # same field changed both ways: the person picks
    theirs_said: str  # "Dana Lee changed the time to 10:30 at 09:12"
    theirs_draft: BookingDraft  # the stored booking as a draft, for "take theirs"


def draft_of(view: BookingView) -> BookingDraft:
    """A stored booking as the draft a form would have before any typing."""
    return BookingDraft(
        customer_name=view.customer_name,
        customer_phone=view.customer_phone,
        customer_email=view.customer_email,
        address=view.address,
        service=view.service,
        start=view.start,
        end=view.end,
        notes=view.notes,
        agent_id=view.agent_id,
    )


def _values(
    draft: BookingDraft, region: str, agent_names: dict[int, str], zone: tzinfo
) -> dict[str, tuple[object, str]]:
    """Each field's comparable value (phones normalised, empty text as None) and how it reads."""

    def phone(value: str) -> str:
        try:
            return validation.phone(value, region)
        except ValidationError:
            return value

    def local(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%H:%M")

    times = f"{local(draft.start)}–{local(draft.end)}"
    if draft.start.astimezone(zone).date() != datetime.now(zone).date():
        times = f"{draft.start.astimezone(zone):%a %d %b} {times}"
    agent = agent_names.get(draft.agent_id, "") if draft.agent_id is not None else "nobody"
    return {
        "customer_phone": (phone(draft.customer_phone), draft.customer_phone),
        "customer_name": (draft.customer_name, draft.customer_name),
        "customer_email": ((draft.customer_email or None), draft.customer_email or "(none)"),
        "address": (draft.address, draft.address),
        "service": (draft.service, draft.service),
        "time": ((draft.start, draft.end), times),
        "agent_id": (draft.agent_id, agent),
        "notes": ((draft.notes or None), draft.notes or "(none)"),
    }


def merge_draft(ctx: ServiceContext, base: BookingView, mine: BookingDraft, *, assign: bool) -> DraftMerge:
    """Lay this form's edits (`mine`, typed over `base`) onto the booking as someone saved it since.

    A field only one side changed takes that side's value; a field both changed to the same value
    is no clash; a field both changed differently is a FieldClash, with this form's value kept in
    the merged draft until the person picks. Without `assign` the agent is not this form's to edit.
    """
    current = bookings.get_booking(ctx, base.id)
    settings = ctx.team_settings()
    names = {agent.id: agent.name for agent in agents.list_agents(ctx)}
    zone = settings.zone
    was = _values(draft_of(base), settings.region, names, zone)
    now = _values(draft_of(current), settings.region, names, zone)
    typed = _values(mine, settings.region, names, zone)
    take_theirs: set[str] = set()
    clashes: list[FieldClash] = []
    theirs_changed: list[str] = []
    for field in FIELD_WORDS:
        if field == "agent_id" and not assign:
            take_theirs.add(field)
            continue
        they_changed = now[field][0] != was[field][0]
        i_changed = typed[field][0] != was[field][0]
        if they_changed:
            theirs_changed.append(f"{FIELD_WORDS[field]} to {now[field][1]}")
        if they_changed and not i_changed:
            take_theirs.add(field)
        elif they_changed and i_changed and typed[field][0] != now[field][0]:
            clashes.append(FieldClash(field, now[field][1], typed[field][1]))
    theirs = draft_of(current)
    merged = combine(mine, theirs, take_theirs)
    who = operators.display_name(ctx, current.updated_by)
    when = current.updated_at.astimezone(zone).strftime("%H:%M")
    if theirs_changed:
        said = f"{who} changed {_and(theirs_changed)} at {when}"
    else:
        said = f"{who} saved this booking at {when} without changing what this form shows"
    return DraftMerge(current, merged, tuple(clashes), said, theirs)


def combine(mine: BookingDraft, theirs: BookingDraft, take_theirs: set[str]) -> BookingDraft:
    """`mine` with the fields named in `take_theirs` (FIELD_WORDS keys) from `theirs`."""
    picked = {
        name: getattr(theirs if _field_of(name) in take_theirs else mine, name)
        for name in BookingDraft.__dataclass_fields__
    }
    return BookingDraft(**picked)


def _field_of(attribute: str) -> str:
    return "time" if attribute in ("start", "end") else attribute


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
