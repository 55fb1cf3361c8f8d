"""The command line: a thin shell over the services, for admins, imports and automation.

Exit codes: 0 ok, 2 invalid input, 3 conflict, 4 not permitted, 5 database unavailable,
schema out of date, or a file the program needs (message template, system library) missing.
Errors are one line on stderr starting "error: ".
"""

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, NoReturn

from dispatch_desktop import __version__
from dispatch_desktop.cli_notifier import add_commands, deliver_after_command
from dispatch_desktop.cli_text import json_text, printable
from dispatch_desktop.config import Config, database_url, load_config, resolve_home
from dispatch_desktop.domain.errors import DispatchError
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.notify.notifier import environment_decision
from dispatch_desktop.services import agents, bookings, maintenance, operators, team_settings, timeoff
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import AgentView, BookingView, OperatorView, TimeOffView
from dispatch_desktop.storage import schema
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.ui.shell.platform_check import check_platform

log = logging.getLogger("dispatch_desktop")
Handler = Callable[["App", argparse.Namespace], int]


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


class App:
    """What a command works with: home folder, config, database and the acting operator."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.home: Path = resolve_home(args.home)
        self.json: bool = getattr(args, "json", False)

    @cached_property
    def config(self) -> Config:
        return load_config(self.home)

    @cached_property
    def db(self) -> Database:
        return Database(database_url(self.home, self.config, self.args.database_url))

    @cached_property
    def ctx(self) -> ServiceContext:
        schema.ensure_ready(self.db)
        return ServiceContext(self.db, self.args.operator, self.config)

    @cached_property
    def team(self) -> TeamSettings:
        return self.ctx.team_settings()

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()

    def emit(self, payload: Any, text: str) -> None:
        if self.json:
            print(json_text(payload))
        else:
            print(printable(text, keep_newlines=True))

    def local(self, moment: Any) -> str:
        return self.team.local(moment) if moment else "-"


def _table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    cells = [[str(h) for h in headers]] + [["-" if v is None else printable(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]
    return "\n".join(lines) if rows else f"{lines[0]}\n(none)"


# --- db -------------------------------------------------------------------------------------


def cmd_db_upgrade(app: App, _args: argparse.Namespace) -> int:
    before, after = maintenance.upgrade_schema(app.db)
    app.emit(
        {"database": app.db.description, "from": before, "to": after},
        f"{app.db.description}: schema {before or 'empty'} -> {after}",
    )
    return 0


def cmd_db_status(app: App, _args: argparse.Namespace) -> int:
    status = maintenance.schema_status(app.db)
    state = "up to date" if status.up_to_date else "needs 'dispatch-desktop db upgrade'"
    app.emit(
        {
            "database": status.database,
            "current": status.current,
            "head": status.head,
            "up_to_date": status.up_to_date,
        },
        f"{status.database}: schema {status.current or 'empty'}, program {status.head} ({state})",
    )
    return 0


def cmd_db_backup(app: App, args: argparse.Namespace) -> int:
    target = maintenance.backup(app.db, Path(args.path))
    app.emit(
        {"database": app.db.description, "backup": str(target)}, f"backed up {app.db.description} to {target}"
    )
    return 0


# --- operators and agents ---------------------------------------------------------------------


def _operator_text(views: Sequence[OperatorView]) -> str:
    return _table(
        [(o.id, o.username, o.name, o.role, o.phone, o.email, "yes" if o.active else "no") for o in views],
        ("ID", "USERNAME", "NAME", "ROLE", "PHONE", "EMAIL", "ACTIVE"),
    )


def cmd_operator_add(app: App, args: argparse.Namespace) -> int:
    view = operators.add_operator(
        app.ctx, name=args.name, username=args.username, role=args.role, phone=args.phone, email=args.email
    )
    app.emit(view.to_json(), f"added operator {view.username} (id {view.id}, {view.role})")
    return 0


def cmd_operator_list(app: App, _args: argparse.Namespace) -> int:
    views = operators.list_operators(app.ctx)
    app.emit([v.to_json() for v in views], _operator_text(views))
    return 0


def cmd_operator_role(app: App, args: argparse.Namespace) -> int:
    view = operators.update_operator(app.ctx, args.id, role=args.role)
    app.emit(view.to_json(), f"operator {view.username} is now {view.role}")
    return 0


def cmd_operator_deactivate(app: App, args: argparse.Namespace) -> int:
    view = operators.set_operator_active(app.ctx, args.id, False)
    app.emit(view.to_json(), f"operator {view.username} deactivated")
    return 0


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


def _agent_text(views: Sequence[AgentView]) -> str:
    return _table(
        [(a.id, a.name, a.phone, a.email, "yes" if a.active else "no") for a in views],
        ("ID", "NAME", "PHONE", "EMAIL", "ACTIVE"),
    )


def cmd_agent_add(app: App, args: argparse.Namespace) -> int:
    view = agents.add_agent(app.ctx, name=args.name, phone=args.phone, email=args.email)
    app.emit(view.to_json(), f"added agent {view.name} (id {view.id}, {view.phone})")
    return 0


def cmd_agent_list(app: App, _args: argparse.Namespace) -> int:
    views = agents.list_agents(app.ctx)
    app.emit([v.to_json() for v in views], _agent_text(views))
    return 0


def cmd_agent_deactivate(app: App, args: argparse.Namespace) -> int:
    view = agents.set_agent_active(app.ctx, args.id, False)
    app.emit(view.to_json(), f"agent {view.name} deactivated")
    return 0


# --- bookings ---------------------------------------------------------------------------------


def _booking_line(app: App, b: BookingView) -> str:
    agent = printable(b.agent_name or "unassigned")
    return (
        f"{b.reference} {b.status} v{b.version}: {printable(b.customer_name)}, {app.local(b.start)}, {agent}"
    )


def _booking_text(app: App, b: BookingView) -> str:
    p = printable
    lines = [
        f"{b.reference} (id {b.id}, version {b.version})",
        f"  status:   {b.status}" + (f" ({p(b.cancel_reason)})" if b.cancel_reason else ""),
        f"  customer: {p(b.customer_name)}, {b.customer_phone}, {p(b.customer_email or 'no email')}",
        f"  address:  {p(b.address)}",
        f"  service:  {p(b.service)}",
        f"  time:     {app.local(b.start)} to {app.local(b.end)} ({app.team.timezone_name})",
        f"  agent:    {p(b.agent_name or 'unassigned')}",
        f"  source:   {b.source}",
        f"  updated:  {app.local(b.updated_at)} by {p(b.updated_by)}",
    ]
    if b.notes:  # one note line per line, indented under the label
        lines.append("  notes:    " + "\n            ".join(p(line) for line in b.notes.split("\n")))
    return "\n".join(lines)


def _deliver(app: App, args: argparse.Namespace) -> None:
    if getattr(args, "queue_only", False):
        return
    deliver_after_command(app)


def _booking_changed(app: App, args: argparse.Namespace, view: BookingView, verb: str) -> int:
    app.emit(view.to_json(), f"{verb} {_booking_line(app, view)}")
    _deliver(app, args)
    return 0


def cmd_booking_add(app: App, args: argparse.Namespace) -> int:
    view = bookings.create_booking(
        app.ctx,
        customer_name=args.customer_name,
        customer_phone=args.customer_phone,
        customer_email=args.customer_email,
        address=args.address,
        service=args.service,
        start=args.start,
        end=args.end,
        agent_id=args.agent,
        call_center=args.call_center,
        notes=args.notes,
    )
    return _booking_changed(app, args, view, "created")


def cmd_booking_assign(app: App, args: argparse.Namespace) -> int:
    view = bookings.assign_booking(app.ctx, args.id, args.agent_id, expect_version=args.expect_version)
    return _booking_changed(app, args, view, "assigned")


def cmd_booking_unassign(app: App, args: argparse.Namespace) -> int:
    view = bookings.assign_booking(app.ctx, args.id, None, expect_version=args.expect_version)
    return _booking_changed(app, args, view, "unassigned")


def cmd_booking_status(app: App, args: argparse.Namespace) -> int:
    view = bookings.change_status(
        app.ctx, args.id, args.status, reason=args.reason, expect_version=args.expect_version
    )
    return _booking_changed(app, args, view, "updated")


def cmd_booking_reschedule(app: App, args: argparse.Namespace) -> int:
    view = bookings.reschedule_booking(
        app.ctx, args.id, start=args.start, end=args.end, expect_version=args.expect_version
    )
    return _booking_changed(app, args, view, "rescheduled")


def cmd_booking_list(app: App, args: argparse.Namespace) -> int:
    query = bookings.BookingQuery(
        text=args.search or "",
        statuses=(bookings.parse_status(args.status).value,) if args.status else (),
        agent_id=args.agent,
        limit=args.limit,
    )
    views = bookings.list_bookings(app.ctx, query)
    text = _table(
        [
            (
                b.id,
                b.reference,
                app.local(b.start),
                b.status,
                b.agent_name,
                b.customer_name,
                b.customer_phone,
                b.service,
            )
            for b in views
        ],
        ("ID", "REF", "START", "STATUS", "AGENT", "CUSTOMER", "PHONE", "SERVICE"),
    )
    app.emit([v.to_json() for v in views], text)
    return 0


def cmd_booking_show(app: App, args: argparse.Namespace) -> int:
    view = bookings.get_booking(app.ctx, args.id)
    app.emit(view.to_json(), _booking_text(app, view))
    return 0


def cmd_booking_history(app: App, args: argparse.Namespace) -> int:
    entries = bookings.booking_history(app.ctx, args.id)
    text = _table(
        [(app.local(e.at), e.actor, e.action, e.field, e.old_value, e.new_value) for e in entries],
        ("AT", "BY", "ACTION", "FIELD", "OLD", "NEW"),
    )
    app.emit([e.to_json() for e in entries], text)
    return 0


# --- time off ---------------------------------------------------------------------------------


def _time_off_line(app: App, t: TimeOffView) -> str:
    return (
        f"time off #{t.id} {t.status}: {printable(t.agent_name)}, {app.local(t.start)} to {app.local(t.end)}"
    )


def _time_off_changed(app: App, args: argparse.Namespace, view: TimeOffView) -> int:
    app.emit(view.to_json(), _time_off_line(app, view))
    _deliver(app, args)
    return 0


def cmd_timeoff_request(app: App, args: argparse.Namespace) -> int:
    view = timeoff.request_time_off(
        app.ctx, agent_id=args.agent, start=args.start, end=args.end, reason=args.reason
    )
    return _time_off_changed(app, args, view)


def cmd_timeoff_approve(app: App, args: argparse.Namespace) -> int:
    view = timeoff.approve_time_off(app.ctx, args.id, force=args.force, expect_version=args.expect_version)
    return _time_off_changed(app, args, view)


def cmd_timeoff_deny(app: App, args: argparse.Namespace) -> int:
    view = timeoff.deny_time_off(app.ctx, args.id, reason=args.reason, expect_version=args.expect_version)
    return _time_off_changed(app, args, view)


def cmd_timeoff_list(app: App, args: argparse.Namespace) -> int:
    views = timeoff.list_time_off(app.ctx, status=args.status, agent_id=args.agent)
    text = _table(
        [
            (t.id, t.agent_name, app.local(t.start), app.local(t.end), t.status, t.reason, t.decided_by)
            for t in views
        ],
        ("ID", "AGENT", "START", "END", "STATUS", "REASON", "DECIDED BY"),
    )
    app.emit([v.to_json() for v in views], text)
    return 0


# --- settings ---------------------------------------------------------------------------------


def _settings_json(team: TeamSettings) -> dict[str, Any]:
    return {
        "business_timezone": team.timezone_name,
        "default_region": team.region,
        "sms_countries": list(team.texted_countries),
        "sms_per_recipient_per_day": team.sms_per_recipient_per_day,
        "sms_per_operator_per_hour": team.sms_per_operator_per_hour,
        "booking_days_back": team.booking_days_back,
        "booking_days_ahead": team.booking_days_ahead,
    }


def _settings_text(team: TeamSettings) -> str:
    return (
        f"business time zone: {team.timezone_name}\n"
        f"default phone region: {team.region}\n"
        f"SMS countries: {','.join(team.texted_countries)}\n"
        f"texts per recipient per day: {team.sms_per_recipient_per_day}\n"
        f"texts per operator per hour: {team.sms_per_operator_per_hour}\n"
        f"booking window: {team.booking_days_back} day(s) back to {team.booking_days_ahead} days ahead"
    )


def cmd_settings_show(app: App, _args: argparse.Namespace) -> int:
    team = app.ctx.team_settings()
    app.emit(
        {**_settings_json(team), "database": app.db.description},
        f"{_settings_text(team)}\ndatabase: {app.db.description}",
    )
    return 0


def cmd_settings_set(app: App, args: argparse.Namespace) -> int:
    team = team_settings.update_team_settings(
        app.ctx,
        timezone_name=args.timezone,
        region=args.region,
        sms_countries=args.sms_countries,
        sms_per_recipient_per_day=args.sms_per_recipient_day,
        sms_per_operator_per_hour=args.sms_per_operator_hour,
        booking_days_back=args.booking_days_back,
        booking_days_ahead=args.booking_days_ahead,
    )
    app.emit(_settings_json(team), _settings_text(team))
    return 0


# --- parser -----------------------------------------------------------------------------------


def _json_parent() -> ArgumentParser:
    parent = ArgumentParser(add_help=False)
    parent.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document"
    )
    return parent


def _queue_parent() -> ArgumentParser:
    parent = ArgumentParser(add_help=False)
    parent.add_argument(
        "--queue-only", action="store_true", help="queue notifications; do not deliver them now"
    )
    return parent


def _version_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--expect-version", type=int, metavar="V", help="refuse if the record changed since V"
    )


def build_parser() -> ArgumentParser:
    common, queue = _json_parent(), _queue_parent()
    parser = ArgumentParser(prog="dispatch-desktop", description=__doc__.splitlines()[0], parents=[common])
    parser.add_argument("--version", action="version", version=f"dispatch-desktop {__version__}")
    parser.add_argument("--home", metavar="DIR", help="home folder (config, logs, SQLite database)")
    parser.add_argument("--database-url", metavar="URL", help="SQLAlchemy URL of the shared database")
    parser.add_argument("--as", dest="operator", metavar="USERNAME", help="act as this operator")
    parser.add_argument(
        "--demo", action="store_true", help="open the console on a demo home with sample data"
    )
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="open the window, check database, keyring and templates, exit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)

    def group(name: str, help_text: str) -> Any:
        return sub.add_parser(name, help=help_text).add_subparsers(
            dest="action", metavar="ACTION", required=True, parser_class=ArgumentParser
        )

    def command(parent: Any, name: str, handler: Handler, help_text: str, *extra: ArgumentParser) -> Any:
        cmd = parent.add_parser(name, help=help_text, parents=[common, *extra])
        cmd.set_defaults(func=handler)
        return cmd

    db = group("db", "database schema")
    command(db, "upgrade", cmd_db_upgrade, "create or upgrade the schema (run once by an admin)")
    command(db, "status", cmd_db_status, "show the schema version")
    c = command(db, "backup", cmd_db_backup, "online backup of a SQLite database to a new file")
    c.add_argument("path")

    command(sub, "whoami", cmd_whoami, "show the acting operator and role")

    op = group("operator", "console users (supervisors only)")
    c = command(op, "add", cmd_operator_add, "add an operator")
    c.add_argument("--name", required=True)
    c.add_argument("--username", required=True)
    c.add_argument("--role", required=True, help="call-center, dispatcher or supervisor")
    c.add_argument("--phone")
    c.add_argument("--email")
    command(op, "list", cmd_operator_list, "list operators")
    c = command(op, "role", cmd_operator_role, "change an operator's role")
    c.add_argument("id", type=int)
    c.add_argument("role")
    c = command(op, "deactivate", cmd_operator_deactivate, "deactivate an operator")
    c.add_argument("id", type=int)

    ag = group("agent", "field agents")
    c = command(ag, "add", cmd_agent_add, "add an agent")
    c.add_argument("--name", required=True)
    c.add_argument("--phone", required=True)
    c.add_argument("--email", required=True)
    command(ag, "list", cmd_agent_list, "list agents")
    c = command(ag, "deactivate", cmd_agent_deactivate, "deactivate an agent")
    c.add_argument("id", type=int)

    bk = group("booking", "bookings")
    c = command(bk, "add", cmd_booking_add, "create a booking", queue)
    c.add_argument("--customer-name", required=True)
    c.add_argument("--customer-phone", required=True)
    c.add_argument("--customer-email")
    c.add_argument("--address", required=True)
    c.add_argument("--service", required=True)
    c.add_argument("--start", required=True, help="YYYY-MM-DD HH:MM in the business time zone, or ISO 8601")
    c.add_argument("--end", required=True)
    c.add_argument("--agent", type=int, metavar="ID")
    c.add_argument("--call-center", action="store_true", help="taken by the call center: no agent yet")
    c.add_argument("--notes")
    c = command(bk, "assign", cmd_booking_assign, "assign or reassign an agent", queue)
    c.add_argument("id", type=int)
    c.add_argument("agent_id", type=int)
    _version_arg(c)
    c = command(bk, "unassign", cmd_booking_unassign, "take the agent off (back to pending)", queue)
    c.add_argument("id", type=int)
    _version_arg(c)
    c = command(bk, "status", cmd_booking_status, "change the status", queue)
    c.add_argument("id", type=int)
    c.add_argument("status")
    c.add_argument("--reason", help="required for cancelled")
    _version_arg(c)
    c = command(bk, "reschedule", cmd_booking_reschedule, "move to a new time", queue)
    c.add_argument("id", type=int)
    c.add_argument("--start")
    c.add_argument("--end")
    _version_arg(c)
    c = command(bk, "list", cmd_booking_list, "list bookings")
    c.add_argument("--status")
    c.add_argument("--agent", type=int, metavar="ID")
    c.add_argument("--search", metavar="TEXT", help="reference, customer, phone or address")
    c.add_argument("--limit", type=int)
    c = command(bk, "show", cmd_booking_show, "show one booking")
    c.add_argument("id", type=int)
    c = command(bk, "history", cmd_booking_history, "show the audit trail")
    c.add_argument("id", type=int)

    to = group("timeoff", "agents' time off")
    c = command(to, "request", cmd_timeoff_request, "request time off for an agent", queue)
    c.add_argument("--agent", type=int, required=True, metavar="ID")
    c.add_argument("--start", required=True)
    c.add_argument("--end", required=True)
    c.add_argument("--reason")
    c = command(to, "approve", cmd_timeoff_approve, "approve a request", queue)
    c.add_argument("id", type=int)
    c.add_argument("--force", action="store_true", help="approve although the agent has bookings then")
    _version_arg(c)
    c = command(to, "deny", cmd_timeoff_deny, "deny a request", queue)
    c.add_argument("id", type=int)
    c.add_argument("--reason")
    _version_arg(c)
    c = command(to, "list", cmd_timeoff_list, "list requests, pending first")
    c.add_argument("--status")
    c.add_argument("--agent", type=int, metavar="ID")

    st = group("settings", "team-wide settings")
    command(st, "show", cmd_settings_show, "show team settings")
    c = command(st, "set", cmd_settings_set, "change team settings (supervisors)")
    c.add_argument("--timezone", help="business time zone, e.g. America/Chicago")
    c.add_argument("--region", help="default phone region, e.g. US")
    c.add_argument("--sms-countries", metavar="CODES", help="countries texts may go to, e.g. US,CA")
    c.add_argument("--sms-per-recipient-day", metavar="N", help="cap on texts to one number in 24 hours")
    c.add_argument("--sms-per-operator-hour", metavar="N", help="cap on texts one operator queues in an hour")
    c.add_argument("--booking-days-back", metavar="N", help="how many days in the past a booking may start")
    c.add_argument("--booking-days-ahead", metavar="N", help="how many days ahead a booking may start")

    add_commands(sub)
    return parser


def _open_console(args: argparse.Namespace) -> int:
    try:
        check_platform()  # Qt aborts the process when a library or the display is missing
    except DispatchError as exc:
        print(f"error: the console cannot start: {exc}", file=sys.stderr)
        return exc.exit_code
    try:
        from dispatch_desktop.ui.shell.app import run_console
        from dispatch_desktop.ui.shell.self_check import run_self_check
    except ImportError as exc:
        print(f"error: the console cannot start: {exc}", file=sys.stderr)
        return 1
    return run_self_check(args) if args.self_check else run_console(args)


def _warn_about_the_environment_word(app: App) -> None:
    warning = environment_decision(app.config).warning
    if warning:
        print(f"warning: {warning}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, or a usage error already printed
        return stop.code if isinstance(stop.code, int) else 0
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    if args.command is None:
        return _open_console(args)
    app = App(args)
    try:
        _warn_about_the_environment_word(app)
        return args.func(app, args)
    except DispatchError as exc:
        print(f"error: {printable(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    finally:
        app.close()
