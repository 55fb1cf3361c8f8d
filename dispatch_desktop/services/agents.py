"""Field agents: the people bookings are assigned to."""

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch_desktop.domain import availability, validation
from dispatch_desktop.domain.errors import NotFoundError
from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import AgentView
from dispatch_desktop.storage.models import Agent, AgentHours, AgentSkill

ANY_TIME = "any"  # what `--hours` takes to clear an agent's hours: they work any time


def get_agent_row(session: Session, agent_id: int) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise NotFoundError(f"no agent with id {agent_id}", "agent")
    return agent


def _set_hours(agent: Agent, hours: str) -> None:
    """`hours` as `availability.parse_hours` reads them, or ANY_TIME (or nothing) to clear them."""
    text = hours.strip()
    spans = () if text.lower() in ("", ANY_TIME) else availability.parse_hours(text)
    agent.hours = [
        AgentHours(weekday=span.weekday, starts=f"{span.starts:%H:%M}", ends=f"{span.ends:%H:%M}")
        for span in spans
    ]


def _set_skills(agent: Agent, skills: str) -> None:
    agent.skills = [AgentSkill(skill=skill) for skill in availability.parse_skills(skills)]


def add_agent(
    ctx: ServiceContext,
    *,
    name: str,
    phone: str,
    email: str,
    hours: str | None = None,
    skills: str | None = None,
) -> AgentView:
    """`hours` like 'mon-fri 08:00-17:00,sat 09:00-13:00' (None: works any time), `skills` 'a,b'."""
    with ctx.writing(Permission.MANAGE_AGENTS) as unit:
        agent = Agent(
            name=validation.text(name, "name", validation.NAME_MAX),
            phone=validation.textable_phone(phone, unit.settings.region, unit.settings.texted_countries),
            email=validation.email(email),
            active=True,
        )
        _set_hours(agent, hours or "")
        _set_skills(agent, skills or "")
        unit.session.add(agent)
        unit.session.flush()
        return AgentView.of(agent)


def update_agent(
    ctx: ServiceContext,
    agent_id: int,
    *,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    hours: str | None = None,
    skills: str | None = None,
) -> AgentView:
    """Only the fields given change; `hours` ANY_TIME clears the hours, `skills` '' the skills."""
    with ctx.writing(Permission.MANAGE_AGENTS) as unit:
        agent = get_agent_row(unit.session, agent_id)
        if name is not None:
            agent.name = validation.text(name, "name", validation.NAME_MAX)
        if phone is not None:
            agent.phone = validation.textable_phone(
                phone, unit.settings.region, unit.settings.texted_countries
            )
        if email is not None:
            agent.email = validation.email(email)
        if hours is not None:
            _set_hours(agent, hours)
        if skills is not None:
            _set_skills(agent, skills)
        return AgentView.of(agent)


def set_agent_active(ctx: ServiceContext, agent_id: int, active: bool) -> AgentView:
    with ctx.writing(Permission.MANAGE_AGENTS) as unit:
        agent = get_agent_row(unit.session, agent_id)
        agent.active = active
        return AgentView.of(agent)


def get_agent(ctx: ServiceContext, agent_id: int) -> AgentView:
    with ctx.reading() as unit:
        return AgentView.of(get_agent_row(unit.session, agent_id))


def list_agents(ctx: ServiceContext, *, include_inactive: bool = True) -> list[AgentView]:
    with ctx.reading() as unit:
        query = (
            select(Agent)
            .options(selectinload(Agent.hours), selectinload(Agent.skills))
            .order_by(Agent.active.desc(), Agent.name)
        )
        if not include_inactive:
            query = query.where(Agent.active.is_(True))
        return [AgentView.of(row) for row in unit.session.scalars(query)]
