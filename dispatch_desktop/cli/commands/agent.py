"""dispatch-desktop agent add | list | deactivate: field agents."""

import argparse
from collections.abc import Sequence

from dispatch_desktop.cli import args as cli_args
from dispatch_desktop.cli.app import App
from dispatch_desktop.cli.output import table
from dispatch_desktop.cli.parser import Commands
from dispatch_desktop.services import agents
from dispatch_desktop.services.views import AgentView


def _agent_text(app: App, views: Sequence[AgentView]) -> str:
    return table(
        [(a.id, a.name, app.phone(a.phone), a.email, "yes" if a.active else "no") for a in views],
        ("ID", "NAME", "PHONE", "EMAIL", "ACTIVE"),
    )


def cmd_agent_add(app: App, args: argparse.Namespace) -> int:
    view = agents.add_agent(app.ctx, name=args.name, phone=args.phone, email=args.email)
    app.emit(view.to_json(), f"added agent {view.name} (id {view.id}, {app.phone(view.phone)})")
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
    cli.command(ag, "list", cmd_agent_list, "list agents")
    c = cli.command(ag, "deactivate", cmd_agent_deactivate, "deactivate an agent")
    c.add_argument("id", type=cli_args.record_id)
