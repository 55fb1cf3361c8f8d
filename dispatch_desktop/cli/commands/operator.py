"""dispatch-desktop whoami, and operator add | list | role | deactivate: console users."""

import argparse
from collections.abc import Sequence

from dispatch_desktop.cli import args as cli_args
from dispatch_desktop.cli.app import App
from dispatch_desktop.cli.commands.credentials import read_secret
from dispatch_desktop.cli.output import table
from dispatch_desktop.cli.parser import Commands
from dispatch_desktop.services import operators
from dispatch_desktop.services.views import OperatorView


def _operator_text(app: App, views: Sequence[OperatorView]) -> str:
    return table(
        [
            (
                o.id,
                o.username,
                o.name,
                o.role,
                app.phone(o.phone) if o.phone else None,
                o.email,
                "yes" if o.active else "no",
            )
            for o in views
        ],
        ("ID", "USERNAME", "NAME", "ROLE", "PHONE", "EMAIL", "ACTIVE"),
    )


def cmd_operator_add(app: App, args: argparse.Namespace) -> int:
    password = None
    if not args.no_password and operators.operators_are_logins(app.ctx):
        password = read_secret(f"Database password for {args.login or args.username}: ")
    view = operators.add_operator(
        app.ctx,
        name=args.name,
        username=args.username,
        role=args.role,
        phone=args.phone,
        email=args.email,
        login=args.login,
        password=password,
    )
    app.emit(view.to_json(), f"added operator {view.username} (id {view.id}, {view.role})")
    return 0


@cli_args.reads_only
def cmd_operator_list(app: App, _args: argparse.Namespace) -> int:
    views = operators.list_operators(app.ctx)
    app.emit([v.to_json() for v in views], _operator_text(app, views))
    return 0


def cmd_operator_role(app: App, args: argparse.Namespace) -> int:
    view = operators.update_operator(app.ctx, args.id, role=args.role)
    app.emit(view.to_json(), f"operator {view.username} is now {view.role}")
    return 0


def cmd_operator_deactivate(app: App, args: argparse.Namespace) -> int:
    view = operators.set_operator_active(app.ctx, args.id, False)
    app.emit(view.to_json(), f"operator {view.username} deactivated")
    return 0


@cli_args.reads_only
def cmd_whoami(app: App, _args: argparse.Namespace) -> int:
    actor = app.ctx.actor()
    note = " (no operators yet: acting as supervisor)" if actor.bootstrap else ""
    app.emit(
        {
            "username": actor.username,
            "name": actor.name,
            "role": actor.role.value,
            "bootstrap": actor.bootstrap,
        },
        f"{actor.username} ({actor.name}), {actor.role.value}{note} on {app.db.description}",
    )
    return 0


def register(cli: Commands) -> None:
    cli.command(None, "whoami", cmd_whoami, "show the acting operator and role")

    op = cli.group("operator", "console users (supervisors only)")
    c = cli.command(op, "add", cmd_operator_add, "add an operator")
    c.add_argument("--name", required=True)
    c.add_argument("--username", required=True)
    c.add_argument("--role", required=True, help="call-center, dispatcher or supervisor")
    c.add_argument("--phone")
    c.add_argument("--email")
    c.add_argument("--login", help="PostgreSQL: the database login to create (default: the username)")
    c.add_argument(
        "--no-password",
        action="store_true",
        help="PostgreSQL: a login without a password (client certificate or GSSAPI)",
    )
    cli.command(op, "list", cmd_operator_list, "list operators")
    c = cli.command(op, "role", cmd_operator_role, "change an operator's role")
    c.add_argument("id", type=cli_args.record_id)
    c.add_argument("role")
    c = cli.command(op, "deactivate", cmd_operator_deactivate, "deactivate an operator")
    c.add_argument("id", type=cli_args.record_id)
