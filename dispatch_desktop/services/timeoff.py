"""Agents' time off: requested, then approved or denied by a dispatcher."""

from dataclasses import replace
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import ConflictError, NotFoundError, StaleVersionError
from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.domain.statuses import TimeOffStatus
from dispatch_desktop.services import audit, notices, schedule
from dispatch_desktop.services.agents import get_agent_row
from dispatch_desktop.services.context import ServiceContext, Unit, operator_name
from dispatch_desktop.services.views import AuditView, BookingView, TimeOffView
from dispatch_desktop.storage.models import Operator, TimeOff
from dispatch_desktop.storage.types import utcnow

ENTITY = "time_off"


def _get(session: Session, time_off_id: int) -> TimeOff:
    row = session.get(TimeOff, time_off_id)
    if row is None:
        raise NotFoundError(f"no time-off request with id {time_off_id}", "time_off")
    return row


def _check_version(unit: Unit, row: TimeOff, expect_version: int | None) -> None:
    if expect_version is not None and row.version != expect_version:
        raise StaleVersionError(
            f"time-off request #{row.id} was changed by {operator_name(unit.session, row.updated_by)} "
            f"at {unit.local(row.updated_at)}; reload"
        )


def request_time_off(
    ctx: ServiceContext,
    *,
    agent_id: int,
    start: datetime | str,
    end: datetime | str,
    reason: str | None = None,
) -> TimeOffView:
    with ctx.writing(Permission.MANAGE_TIME_OFF) as unit:
        agent = get_agent_row(unit.session, agent_id)
        starts_at, ends_at = unit.time(start, "start"), unit.time(end, "end")
        validation.interval(starts_at, ends_at, max_duration=None)
        row = TimeOff(
            agent=agent,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=validation.optional_text(reason, "reason", validation.REASON_MAX),
            status=TimeOffStatus.PENDING.value,
            created_by=unit.actor.username,
            updated_by=unit.actor.username,
        )
        unit.session.add(row)
        unit.session.flush()
        audit.record(
            unit.session, ENTITY, row.id, "requested", unit.actor.username, {"status": (None, row.status)}
        )
        notices.time_off_requested(unit.session, row, unit.settings)
        return TimeOffView.of(row)


def conflicting_bookings(ctx: ServiceContext, time_off_id: int) -> list[BookingView]:
    """The agent's active bookings inside the requested time, to reassign before approving."""
    with ctx.reading() as unit:
        row = _get(unit.session, time_off_id)
        clashes = schedule.overlapping_bookings(unit.session, row.agent_id, row.starts_at, row.ends_at)
        return [BookingView.of(b) for b in clashes]


def _decide(
    ctx: ServiceContext,
    time_off_id: int,
    new_status: TimeOffStatus,
    *,
    reason: str | None,
    force: bool,
    expect_version: int | None,
) -> TimeOffView:
    with ctx.writing(Permission.MANAGE_TIME_OFF) as unit:
        row = _get(unit.session, time_off_id)
        _check_version(unit, row, expect_version)
        if row.status != TimeOffStatus.PENDING.value:
            raise ConflictError(f"time-off request #{row.id} is already {row.status}")
        if new_status == TimeOffStatus.APPROVED:
            schedule.lock_agent(unit.session, row.agent_id)
            clashes = schedule.overlapping_bookings(unit.session, row.agent_id, row.starts_at, row.ends_at)
            if clashes and not force:
                listed = ", ".join(schedule.describe_booking(b, unit.settings) for b in clashes)
                raise ConflictError(
                    f"{row.agent.name} has {len(clashes)} active booking(s) in that time: {listed}; "
                    "reassign them or approve with force"
                )
        clean_reason = validation.optional_text(reason, "reason", validation.REASON_MAX)
        changes: dict[str, tuple[object, object]] = {"status": (row.status, new_status.value)}
        if clean_reason:
            changes["decision_reason"] = (None, clean_reason)
        row.status = new_status.value
        row.decision_reason = clean_reason
        row.decided_by = unit.actor.username
        row.decided_at = row.updated_at = utcnow()
        row.updated_by = unit.actor.username
        unit.session.flush()
        audit.record(unit.session, ENTITY, row.id, new_status.value, unit.actor.username, changes)
        if new_status != TimeOffStatus.CANCELLED:
            notices.time_off_decided(unit.session, row, unit.settings, decided_by=unit.actor.name)
        return TimeOffView.of(row)


def approve_time_off(
    ctx: ServiceContext, time_off_id: int, *, force: bool = False, expect_version: int | None = None
) -> TimeOffView:
    return _decide(
        ctx, time_off_id, TimeOffStatus.APPROVED, reason=None, force=force, expect_version=expect_version
    )


def deny_time_off(
    ctx: ServiceContext, time_off_id: int, *, reason: str | None = None, expect_version: int | None = None
) -> TimeOffView:
    return _decide(
        ctx, time_off_id, TimeOffStatus.DENIED, reason=reason, force=False, expect_version=expect_version
    )


def cancel_time_off(
    ctx: ServiceContext, time_off_id: int, *, reason: str | None = None, expect_version: int | None = None
) -> TimeOffView:
    return _decide(
        ctx, time_off_id, TimeOffStatus.CANCELLED, reason=reason, force=False, expect_version=expect_version
    )


def get_time_off(ctx: ServiceContext, time_off_id: int) -> TimeOffView:
    with ctx.reading() as unit:
        return TimeOffView.of(_get(unit.session, time_off_id))


def list_time_off(
    ctx: ServiceContext,
    *,
    status: str | None = None,
    agent_id: int | None = None,
    start_from: datetime | None = None,
    start_to: datetime | None = None,
) -> list[TimeOffView]:
    """Pending requests first, then by start."""
    with ctx.reading() as unit:
        query = select(TimeOff)
        if status:
            query = query.where(TimeOff.status == status)
        if agent_id is not None:
            query = query.where(TimeOff.agent_id == agent_id)
        if start_to is not None:
            query = query.where(TimeOff.starts_at < start_to)
        if start_from is not None:
            query = query.where(TimeOff.ends_at > start_from)
        pending_first = case((TimeOff.status == TimeOffStatus.PENDING.value, 0), else_=1)
        rows = list(unit.session.scalars(query.order_by(pending_first, TimeOff.starts_at)))
        deciders = {row.decided_by for row in rows if row.decided_by}
        names = dict(
            unit.session.execute(
                select(Operator.username, Operator.name).where(Operator.username.in_(deciders))
            ).all()
        )
        affected = schedule.affected_bookings(unit.session, [row.id for row in rows]) if rows else {}
        return [replace(TimeOffView.of(row, names), affected=affected.get(row.id, 0)) for row in rows]


def time_off_history(ctx: ServiceContext, time_off_id: int) -> list[AuditView]:
    get_time_off(ctx, time_off_id)
    return audit.history(ctx, ENTITY, time_off_id)
