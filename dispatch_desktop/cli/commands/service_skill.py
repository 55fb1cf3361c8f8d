"""dispatch-desktop service-skill set | list | remove: the skill a service needs."""

import argparse

from dispatch_desktop.cli import args as cli_args
from dispatch_desktop.cli.app import App
from dispatch_desktop.cli.output import printable, table
from dispatch_desktop.cli.parser import Commands
from dispatch_desktop.services import availability
from dispatch_desktop.services.views import jsonable


def cmd_service_skill_set(app: App, args: argparse.Namespace) -> int:
    view = availability.set_service_skill(app.ctx, args.service, args.skill)
    app.emit(jsonable(view), f"{printable(view.service)} needs skill '{view.skill}'")
    return 0


@cli_args.reads_only
def cmd_service_skill_list(app: App, _args: argparse.Namespace) -> int:
    views = availability.list_service_skills(app.ctx)
    app.emit([jsonable(v) for v in views], table([(v.service, v.skill) for v in views], ("SERVICE", "SKILL")))
    return 0


def cmd_service_skill_remove(app: App, args: argparse.Namespace) -> int:
    view = availability.remove_service_skill(app.ctx, args.service)
    app.emit(jsonable(view), f"{printable(view.service)} needs no skill now")
    return 0


def register(cli: Commands) -> None:
    group = cli.group("service-skill", "the skill a service needs (bookings warn for agents without it)")
    c = cli.command(group, "set", cmd_service_skill_set, "set the skill a service needs")
    c.add_argument("service", help="the service as bookings name it, e.g. 'Boiler service' (any case)")
    c.add_argument("skill")
    cli.command(group, "list", cmd_service_skill_list, "list services and their skills")
    c = cli.command(group, "remove", cmd_service_skill_remove, "the service needs no skill")
    c.add_argument("service")
