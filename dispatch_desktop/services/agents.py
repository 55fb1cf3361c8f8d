"""Field agents: the people bookings are assigned to."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import NotFoundError
from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import AgentView
from dispatch_desktop.storage.models import Agent


def get_agent_row(session: Session, agent_id: int) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise NotFoundError(f"no agent with id {agent_id}", "agent")
    return agent


def add_agent(ctx: ServiceContext, *, name: str, phone: str, email: str) -> AgentView:
    with ctx.writing(Permission.MANAGE_AGENTS) as unit:
        agent = Agent(
            name=validation.text(name, "name", validation.NAME_MAX),
            phone=validation.textable_phone(phone, unit.settings.region, unit.settings.texted_countries),
            email=validation.email(email),
            active=True,
        )
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
) -> AgentView:
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
        query = select(Agent).order_by(Agent.active.desc(), Agent.name)
        if not include_inactive:
            query = query.where(Agent.active.is_(True))
        return [AgentView.of(row) for row in unit.session.scalars(query)]
