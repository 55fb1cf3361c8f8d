"""dispatch-desktop timeoff request | approve | deny | list: agents' time off."""

import argparse

from dispatch_desktop.cli import args as cli_args
from dispatch_desktop.cli.app import App
from dispatch_desktop.cli.delivery import deliver_unless_queue_only
from dispatch_desktop.cli.output import printable, table
from dispatch_desktop.cli.parser import Commands, expect_version
from dispatch_desktop.domain.statuses import TimeOffStatus
from dispatch_desktop.services import timeoff
from dispatch_desktop.services.views import TimeOffView


def _time_off_line(app: App, t: TimeOffView) -> str:
    return (
        f"time off #{t.id} {t.status}: {printable(t.agent_name)}, {app.local(t.start)} to {app.local(t.end)}"
    )


def _time_off_changed(app: App, args: argparse.Namespace, view: TimeOffView) -> int:
    app.emit(view.to_json(), _time_off_line(app, view))
    deliver_unless_queue_only(app, args)
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


@cli_args.reads_only
def cmd_timeoff_list(app: App, args: argparse.Namespace) -> int:
    views = timeoff.list_time_off(app.ctx, status=args.status, agent_id=args.agent)
    text = table(
        [
            (t.id, t.agent_name, app.local(t.start), app.local(t.end), t.status, t.reason, t.decided_by_name)
            for t in views
        ],
        ("ID", "AGENT", "START", "END", "STATUS", "REASON", "DECIDED BY"),
    )
    app.emit([v.to_json() for v in views], text)
    return 0


def register(cli: Commands) -> None:
    to = cli.group("timeoff", "agents' time off")
    c = cli.command(to, "request", cmd_timeoff_request, "request time off for an agent", queues=True)
    c.add_argument("--agent", type=cli_args.record_id, required=True, metavar="ID")
    c.add_argument("--start", required=True)
    c.add_argument("--end", required=True)
    c.add_argument("--reason")
    c = cli.command(to, "approve", cmd_timeoff_approve, "approve a request", queues=True)
    c.add_argument("id", type=cli_args.record_id)
    c.add_argument("--force", action="store_true", help="approve although the agent has bookings then")
    expect_version(c)
    c = cli.command(to, "deny", cmd_timeoff_deny, "deny a request", queues=True)
    c.add_argument("id", type=cli_args.record_id)
    c.add_argument("--reason")
    expect_version(c)
    c = cli.command(to, "list", cmd_timeoff_list, "list requests, pending first")
    c.add_argument("--status", choices=[status.value for status in TimeOffStatus])
    c.add_argument("--agent", type=cli_args.record_id, metavar="ID")
