"""Whether a booking fits its agent's working hours and skills, and the skill each service needs.

A booking outside the hours or without the service's skill is refused with the warnings
(`AvailabilityWarning`) unless the person overrides; an override is written to the audit trail.
Time off and double bookings stay hard refusals (services/schedule.py).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch_desktop.domain import availability, validation
from dispatch_desktop.domain.availability import Span
from dispatch_desktop.domain.errors import AvailabilityWarning, NotFoundError
from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.services import audit
from dispatch_desktop.services.agents import get_agent_row
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.models import Agent, AgentSkill, Booking, ServiceSkill

OVERRIDE = "override"
KNOWN_SERVICES_MAX = 200  # the most booked services a completer offers


def spans_of(agent: Agent) -> tuple[Span, ...] | None:
    """The agent's stored hours; None when they were never set (the agent works any time)."""
    if not agent.hours:
        return None
    return tuple(Span.stored(row.weekday, row.starts, row.ends) for row in agent.hours)


def required_skill(session: Session, service: str) -> str | None:
    # Read without flushing the caller's pending change: a flush here would bump the version twice.
    with session.no_autoflush:
        return session.scalar(
            select(ServiceSkill.skill).where(func.lower(ServiceSkill.service) == service.strip().lower())
        )


@dataclass(frozen=True)
class Fit:
    """How a booking fits an agent: the warnings in words, the same for a list of agents ("off Sat",
    "no boiler skill"), and what an override would have booked."""

    warnings: tuple[str, ...]
    short: tuple[str, ...]
    summary: str  # "outside Ann Field's hours", for the audit; "" when it fits


def fit(
    session: Session,
    settings: TeamSettings,
    agent: Agent,
    required: str | None,
    start: datetime,
    end: datetime,
) -> Fit:
    """`required`: the service's skill (`required_skill`), looked up once for any number of agents."""
    with session.no_autoflush:  # as in required_skill
        spans, skills = spans_of(agent), [row.skill for row in agent.skills]
    miss = availability.hours_miss(spans, start, end, settings.zone)
    lacking = availability.missing_skill(skills, required)
    warnings, short = [], []
    if miss is not None:
        warnings.append(miss.text(agent.name))
        short.append(miss.short())
    if lacking is not None:
        warnings.append(availability.skill_warning(agent.name, lacking))
        short.append(availability.skill_short(lacking))
    summary = availability.override_summary(agent.name, miss is not None, lacking)
    return Fit(tuple(warnings), tuple(short), summary)


def check_fit(
    session: Session,
    settings: TeamSettings,
    agent: Agent,
    service: str,
    start: datetime,
    end: datetime,
    *,
    override: bool,
) -> str:
    """Refuse a booking that does not fit unless `override`; returns what the override booked ("")."""
    result = fit(session, settings, agent, required_skill(session, service), start, end)
    if result.warnings and not override:
        raise AvailabilityWarning(result.warnings)
    return result.summary


def refuse_unfit(
    ctx: ServiceContext, agent_id: int, service: str, start: datetime | str, end: datetime | str
) -> None:
    """`check_fit` as a read: a save of two steps (edit, then assign) asks before its first write."""
    with ctx.reading() as unit:
        agent = get_agent_row(unit.session, agent_id)
        starts_at, ends_at = unit.time(start, "start"), unit.time(end, "end")
        check_fit(unit.session, unit.settings, agent, service, starts_at, ends_at, override=False)


def record_override(session: Session, entity: str, booking_id: int, actor: str, summary: str) -> None:
    """The audit row an override writes, before the change's own rows (its notices follow those)."""
    if summary:
        audit.record(session, entity, booking_id, OVERRIDE, actor, {"booked": (None, summary)})


# --- the skill each service needs ----------------------------------------------------------


@dataclass(frozen=True)
class ServiceSkillView:
    service: str
    skill: str


def set_service_skill(ctx: ServiceContext, service: str, skill: str) -> ServiceSkillView:
    with ctx.writing(Permission.MANAGE_AGENTS) as unit:
        name = validation.text(service, "service", validation.SERVICE_MAX)
        needed = availability.skill_name(skill)
        row = unit.session.scalar(
            select(ServiceSkill).where(func.lower(ServiceSkill.service) == name.lower())
        )
        if row is None:
            row = ServiceSkill(service=name, skill=needed)
            unit.session.add(row)
        row.skill = needed
        return ServiceSkillView(row.service, row.skill)


def remove_service_skill(ctx: ServiceContext, service: str) -> ServiceSkillView:
    with ctx.writing(Permission.MANAGE_AGENTS) as unit:
        row = unit.session.scalar(
            select(ServiceSkill).where(func.lower(ServiceSkill.service) == service.strip().lower())
        )
        if row is None:
            raise NotFoundError(f"no skill is set for service {service.strip()!r}", "service")
        unit.session.delete(row)
        return ServiceSkillView(row.service, row.skill)


def list_service_skills(ctx: ServiceContext) -> list[ServiceSkillView]:
    with ctx.reading() as unit:
        rows = unit.session.scalars(select(ServiceSkill).order_by(ServiceSkill.service))
        return [ServiceSkillView(row.service, row.skill) for row in rows]


@dataclass(frozen=True)
class ServiceSkillChoices:
    """What the console offers while setting a service's skill: the services bookings name, the
    most booked first, and the skills agents have."""

    services: tuple[str, ...]
    skills: tuple[str, ...]


def service_skill_choices(ctx: ServiceContext) -> ServiceSkillChoices:
    with ctx.reading() as unit:
        booked = unit.session.execute(
            select(Booking.service)
            .group_by(Booking.service)
            .order_by(func.count().desc(), Booking.service)
            .limit(KNOWN_SERVICES_MAX)
        ).scalars()
        services: dict[str, str] = {}
        for service in booked:  # "Boiler service" and "boiler service" are one service
            services.setdefault(service.strip().lower(), service.strip())
        skills = unit.session.scalars(select(AgentSkill.skill).distinct().order_by(AgentSkill.skill))
        return ServiceSkillChoices(tuple(services.values()), tuple(skills))
