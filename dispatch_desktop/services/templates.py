"""Message templates a supervisor edits: list, show, set, reset and preview, for the CLI and the editor.

An override lives in the shared database (storage/templates.py) and is used by every
workstation from the moment it commits: the notices read the overrides inside the transaction
that queues a message, and the revision bump of the unit of work makes consoles refresh. A text
is checked before it is stored (`check_part`): it parses, names only the kind's variables, keeps
out of Python internals, renders for the sample booking, and its SMS says what it must once
sending has cut it to two segments (`_check_sms`: the cut, as sending makes it, keeps the day and
time the text names and the company name and the opt-out line around a customer's). Rows already
in the outbox keep the text they were written with.
"""

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch_desktop.domain import language as languages
from dispatch_desktop.domain import message_kinds, sms_segments
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.domain.message_kinds import (
    DEFAULT_LANGUAGE,
    HTML,
    KINDS,
    PART_FILES,
    PART_LABELS,
    SMS,
    SUBJECT,
    TEXT,
    KindSpec,
)
from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.domain.team import TeamSettings, booking_reference
from dispatch_desktop.notify import languages as shipped
from dispatch_desktop.notify import template_check, templates
from dispatch_desktop.services import audit, notices, template_samples
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.template_views import (
    PartDetail,
    Preview,
    TemplateChange,
    TemplateDetail,
    TemplateSummary,
)
from dispatch_desktop.storage import templates as store
from dispatch_desktop.storage.models import AuditEntry, Booking, Operator
from dispatch_desktop.storage.types import utcnow

# What a text must still say once sending has cut it to two segments: the day and time it names.
KEPT = ("when", "date", "time", "starts", "ends")
ENTITY = "template"  # audit rows: entity_id is the message_templates row, field the part
CHANGED, RESET = "changed", "reset"


def _names(session: Session) -> dict[str, str]:
    return {username: name for username, name in session.execute(select(Operator.username, Operator.name))}


def list_templates(ctx: ServiceContext) -> list[TemplateSummary]:
    """Every kind with its parts, the languages it has overrides in, and who last changed it."""
    with ctx.reading() as unit:
        rows = store.rows_of(unit.session)
        names = _names(unit.session)
    out = []
    for kind, spec in KINDS.items():
        own = [row for row in rows if row.kind == kind]
        latest = max(own, key=lambda row: row.updated_at, default=None)
        languages = tuple(sorted({row.language for row in own if row.body is not None}))
        out.append(
            TemplateSummary(
                kind,
                spec.description,
                spec.parts,
                languages,
                names.get(latest.updated_by, latest.updated_by) if latest else None,
                latest.updated_at if latest else None,
            )
        )
    return out


def show_template(ctx: ServiceContext, kind: str, language: str = DEFAULT_LANGUAGE) -> TemplateDetail:
    """Each part's text in force for the language, its shipped default, and whether it is overridden."""
    spec = message_kinds.kind_spec(kind)
    language = message_kinds.language(language)
    with ctx.reading() as unit:
        return _detail(unit.session, kind, spec, language)


def _detail(session: Session, kind: str, spec: KindSpec, language: str) -> TemplateDetail:
    rows = {(row.part, row.language): row for row in store.rows_of(session, kind)}
    names = _names(session)
    parts = []
    for part in spec.parts:
        row = rows.get((part, language))
        english = rows.get((part, DEFAULT_LANGUAGE))
        shipped = _shipped(kind, part, language)
        if row is not None and row.body is not None:
            text = row.body
        elif _has_own_shipped(kind, part, language) or english is None or english.body is None:
            text = shipped
        else:
            text = english.body
        parts.append(
            PartDetail(
                part,
                PART_LABELS[part],
                text,
                shipped,
                row is not None and row.body is not None,
                names.get(row.updated_by, row.updated_by) if row else None,
                row.updated_at if row else None,
            )
        )
    return TemplateDetail(kind, spec.description, language, spec.variables, tuple(parts))


def _shipped(kind: str, part: str, language: str) -> str:
    name = f"{kind}/{PART_FILES[part]}"
    text = templates.shipped_source(name, language)
    if text is None:
        raise templates.TemplateUnavailableError(
            f"message template {name} is missing; reinstall dispatch-desktop"
        )
    return text


def _has_own_shipped(kind: str, part: str, language: str) -> bool:
    return (
        language == DEFAULT_LANGUAGE
        or templates.shipped_source(f"{language}/{kind}/{PART_FILES[part]}") is not None
    )


def check_part(kind: str, part: str, language: str, text: str, settings: TeamSettings) -> str:
    """The text rendered for the sample booking; ValidationError with one line when it may not be saved."""
    spec = message_kinds.kind_spec(kind)
    sample = template_samples.context(kind, settings, language=language)
    if part == HTML:
        sample["subject"] = templates.render_part(kind, SUBJECT, language=language, **sample)
    try:
        rendered = template_check.check(text, part, spec.variables_of(part), sample, language)
    except template_check.TemplateProblem as exc:
        raise ValidationError(str(exc), "text") from None
    if not rendered:
        raise ValidationError(f"the {PART_LABELS[part]} is empty for the sample booking", "text")
    if part == SMS:
        _check_sms(kind, spec, rendered, sample, settings, language)
    return rendered


class SmsTooLong(ValidationError):
    """An SMS that cannot be sent as written, with what the uncut text costs (the meter shows it)."""

    def __init__(self, message: str, count: sms_segments.SegmentCount) -> None:
        super().__init__(message, "text")
        self.count = count


def _sms_as_sent(
    kind: str, spec: KindSpec, text: str, settings: TeamSettings, language: str
) -> tuple[str, str]:
    """The kind's SMS uncut and as sent: a customer's framed as on the number's first text
    (notices.framed_sms), anyone else's cut to two segments as notify.templates.render_sms does."""
    if not spec.customer_sms:
        return text, sms_segments.fit(text)
    return notices.framed_sms(text, settings, first=True, language=language, reminder=kind == "reminder")


def _check_sms(
    kind: str, spec: KindSpec, rendered: str, sample: Mapping[str, Any], settings: TeamSettings, language: str
) -> None:
    """Sending cuts a long SMS to two segments, shortening the message and never the company name or
    the opt-out line. A draft is refused only when that cut loses a day or time it names (KEPT) that
    the shipped text keeps under the same team settings: a long company name that leaves no room
    is the settings' doing, and a shipped text saved unchanged is never refused."""
    uncut, sent = _sms_as_sent(kind, spec, rendered, settings, language)
    lost = _lost_to_the_cut(uncut, sent, sample)
    if not lost:
        return
    shipped = templates.render_part(kind, SMS, language=language, **sample)
    lost -= _lost_to_the_cut(*_sms_as_sent(kind, spec, shipped, settings, language), sample)
    if lost:
        count = sms_segments.segments(uncut)
        around = " with the company name and the opt-out line" if spec.customer_sms else ""
        raise SmsTooLong(
            f"the SMS for the sample booking is {count.segments} segments ({count.encoding}, "
            f"{count.length} characters{around}); sending cuts it to {sms_segments.MAX_SEGMENTS}, "
            f"which would cut off {{{{ {min(lost, key=KEPT.index)} }}}}: put it earlier or shorten the text",
            count,
        )


def _lost_to_the_cut(uncut: str, sent: str, sample: Mapping[str, Any]) -> set[str]:
    return {
        name
        for name in KEPT
        if isinstance(value := sample.get(name), str) and value in uncut and value not in sent
    }


def set_part(ctx: ServiceContext, kind: str, part: str, language: str, text: str) -> TemplateDetail:
    """Store a supervisor's text for one part in one language (checked first; nothing changes if refused).

    Only a language customers can choose (a shipped one) takes a text: any other would reach no one.
    """
    spec = message_kinds.kind_spec(kind)
    part = message_kinds.part_of(kind, part)
    language = languages.chosen(message_kinds.language(language), shipped.offered(), "template language")
    with ctx.writing(Permission.MANAGE_SETTINGS) as unit:
        check_part(kind, part, language, text, unit.settings)
        session = unit.session
        row = store.locked_row(session, kind, part, language, unit.actor.username)
        old = row.body
        row.body, row.updated_by, row.updated_at = text, unit.actor.username, utcnow()
        session.flush()
        audit.record(session, ENTITY, row.id, CHANGED, unit.actor.username, {part: (old, text)})
        return _detail(session, kind, spec, language)


def reset(ctx: ServiceContext, kind: str, part: str | None, language: str) -> TemplateDetail:
    """Back to the shipped default: one part, or every part of the kind in the language."""
    spec = message_kinds.kind_spec(kind)
    parts = (message_kinds.part_of(kind, part),) if part is not None else spec.parts
    language = message_kinds.language(language)
    with ctx.writing(Permission.MANAGE_SETTINGS) as unit:
        session = unit.session
        for name in parts:
            row = store.row_for_update(session, kind, name, language)
            if row is None or row.body is None:
                continue
            old = row.body
            row.body, row.updated_by, row.updated_at = None, unit.actor.username, utcnow()
            audit.record(session, ENTITY, row.id, RESET, unit.actor.username, {name: (old, None)})
        session.flush()
        return _detail(session, kind, spec, language)


def preview(
    ctx: ServiceContext,
    kind: str,
    language: str = DEFAULT_LANGUAGE,
    booking_id: int | None = None,
    drafts: Mapping[str, str] | None = None,
) -> Preview:
    """The kind rendered for the sample booking (or a real one), with `drafts` over the stored texts.

    A draft that `set_part` would refuse gives `Preview.error` (its one line) instead of raising,
    so the editor can preview as a person types; an SMS refused for its length keeps its counts
    (of the uncut text) for the meter.
    """
    spec = message_kinds.kind_spec(kind)
    language = message_kinds.language(language)
    with ctx.reading() as unit:
        booking = None
        if booking_id is not None:
            booking = unit.session.get(Booking, booking_id)
            if booking is None:
                raise ValidationError(f"no booking with id {booking_id}", "booking")
        context = template_samples.context(kind, unit.settings, booking, language=language)
        overrides: dict[tuple[str, str], str] = dict(store.overrides(unit.session).get(kind, {}))
        reference = booking_reference(booking.id) if booking else "sample"
        for part, text in (drafts or {}).items():
            try:
                check_part(kind, message_kinds.part_of(kind, part), language, text, unit.settings)
            except SmsTooLong as exc:
                return Preview(kind, language, reference, error=str(exc), **_counts(exc.count))
            except ValidationError as exc:
                return Preview(kind, language, reference, error=str(exc))
            overrides[(part, language)] = text
        rendered = _rendered(kind, spec, language, reference, context, overrides, unit.settings)
        shown = booking if booking is not None else template_samples.sample_booking(unit.settings, kind)
        return replace(rendered, invite=_invite_line(kind, shown, unit.settings, language))


def _invite_line(kind: str, booking: Booking, settings: TeamSettings, language: str) -> str | None:
    """What the kind's email puts in the recipient's calendar: "REQUEST 2026-12-02 10:00 to
    2026-12-02 12:00 (America/Chicago)", None when it carries no invite."""
    method = notices.invite_method(kind, booking)
    if method is None:
        return None
    zone = settings.zone
    starts = languages.when(booking.starts_at, zone, language)
    ends = languages.when(booking.ends_at, zone, language)
    return f"{method} {starts} to {ends} ({settings.timezone_name})"


def _rendered(
    kind: str,
    spec: KindSpec,
    language: str,
    reference: str,
    context: dict[str, Any],
    overrides: dict[tuple[str, str], str],
    settings: TeamSettings,
) -> Preview:
    def part(name: str, **extra: Any) -> str | None:
        if name not in spec.parts:
            return None
        return templates.render_part(kind, name, language=language, overrides=overrides, **context, **extra)

    _uncut, sms = _sms_as_sent(kind, spec, part(SMS) or "", settings, language)
    subject = part(SUBJECT)
    subject = " ".join(subject.split()) if subject is not None else None
    return Preview(
        kind,
        language,
        reference,
        sms=sms,
        subject=subject,
        text=part(TEXT),
        html=part(HTML, subject=subject),
        **_counts(sms_segments.segments(sms)),
    )


def _counts(count: sms_segments.SegmentCount) -> dict[str, Any]:
    return {
        "sms_length": count.length,
        "sms_encoding": count.encoding,
        "first_ucs2_char": count.first_ucs2_char,
        "sms_segments": count.segments,
    }


def changes(ctx: ServiceContext, kind: str | None = None) -> list[TemplateChange]:
    """The audit trail of the templates (of one kind), oldest first, each as a sentence."""
    if kind is not None:
        message_kinds.kind_spec(kind)
    with ctx.reading() as unit:
        session = unit.session
        rows = {row.id: row for row in store.rows_of(session, kind)}
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == ENTITY).order_by(AuditEntry.id)
        ).all()
        names = _names(session)
    out = []
    for entry in entries:
        row = rows.get(entry.entity_id)
        if row is None or row.kind not in KINDS:
            continue
        who = names.get(entry.actor, entry.actor)
        what = f"the {KINDS[row.kind].description} {PART_LABELS[row.part]} ({row.language})"
        sentence = (
            f"{who} changed {what}" if entry.action == CHANGED else f"{who} reset {what} to the shipped text"
        )
        out.append(TemplateChange(row.kind, row.part, row.language, entry.action, who, entry.at, sentence))
    return out
