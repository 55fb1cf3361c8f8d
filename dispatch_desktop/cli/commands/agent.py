"""dispatch-desktop agent add | update | show | list | deactivate: field agents."""

import argparse
from collections.abc import Sequence

from dispatch_desktop.cli import args as cli_args
from dispatch_desktop.cli.app import App
from dispatch_desktop.cli.output import printable, table
from dispatch_desktop.cli.parser import Commands
from dispatch_desktop.services import agents
from dispatch_desktop.services.views import AgentView

HOURS_HELP = "working hours in the team's zone, e.g. 'mon-fri 08:00-17:00,sat 09:00-13:00' ('any': any time)"
SKILLS_HELP = "comma-separated skills, e.g. boiler,electric ('' clears them)"


def _hours(view: AgentView) -> str:
    return view.hours or "any time"


def _skills(view: AgentView) -> str:
    return printable(", ".join(view.skills)) or "-"


def _agent_text(app: App, views: Sequence[AgentView]) -> str:
    return table(
        [
            (a.id, a.name, app.phone(a.phone), a.email, "yes" if a.active else "no", _hours(a), _skills(a))
            for a in views
        ],
        ("ID", "NAME", "PHONE", "EMAIL", "ACTIVE", "HOURS", "SKILLS"),
    )


def _agent_details(app: App, view: AgentView) -> str:
    return "\n".join(
        [
            f"{printable(view.name)} (id {view.id}{'' if view.active else ', deactivated'})",
            f"  phone:  {app.phone(view.phone)}",
            f"  email:  {printable(view.email)}",
            f"  hours:  {_hours(view)}",
            f"  skills: {_skills(view)}",
        ]
    )


def cmd_agent_add(app: App, args: argparse.Namespace) -> int:
    view = agents.add_agent(
        app.ctx, name=args.name, phone=args.phone, email=args.email, hours=args.hours, skills=args.skills
    )
    app.emit(view.to_json(), f"added agent {view.name} (id {view.id}, {app.phone(view.phone)})")
    return 0


def cmd_agent_update(app: App, args: argparse.Namespace) -> int:
    view = agents.update_agent(
        app.ctx,
        args.id,
        name=args.name,
        phone=args.phone,
        email=args.email,
        hours=args.hours,
        skills=args.skills,
    )
    app.emit(view.to_json(), f"updated agent {_agent_details(app, view)}")
    return 0


@cli_args.reads_only
def cmd_agent_show(app: App, args: argparse.Namespace) -> int:
    view = agents.get_agent(app.ctx, args.id)
    app.emit(view.to_json(), _agent_details(app, view))
    return 0


@cli_args.reads_only
def cmd_agent_list(app: App, _args: argparse.Namespace) -> int:
    views = agents.list_agents(app.ctx)
    app.emit([v.to_json() for v in views], _agent_text(app, views))
    return 0


def cmd_agent_deactivate(app: App, args: argparse.Namespace) -> int:
    view = agents.set_agent_active(app.ctx, args.id, False)
    app.emit(view.to_json(), f"agent {view.name} deactivated")
    return 0


def register(cli: Commands) -> None:
    ag = cli.group("agent", "field agents")
    c = cli.command(ag, "add", cmd_agent_add, "add an agent")
    c.add_argument("--name", required=True)
    c.add_argument("--phone", required=True)
    c.add_argument("--email", required=True)
    c.add_argument("--hours", help=HOURS_HELP + "; default any time")
    c.add_argument("--skills", help=SKILLS_HELP)
    c = cli.command(ag, "update", cmd_agent_update, "change an agent's details, hours or skills")
    c.add_argument("id", type=cli_args.record_id)
    c.add_argument("--name")
    c.add_argument("--phone")
    c.add_argument("--email")
    c.add_argument("--hours", help=HOURS_HELP)
    c.add_argument("--skills", help=SKILLS_HELP)
    c = cli.command(ag, "show", cmd_agent_show, "show an agent with hours and skills")
    c.add_argument("id", type=cli_args.record_id)
    cli.command(ag, "list", cmd_agent_list, "list agents")
    c = cli.command(ag, "deactivate", cmd_agent_deactivate, "deactivate an agent")
    c.add_argument("id", type=cli_args.record_id)
