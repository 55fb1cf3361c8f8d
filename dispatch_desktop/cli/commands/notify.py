"""dispatch-desktop notify test | simulate-inbound: a test message through the normal outbox and
delivery path, and (development only) a text as if someone had sent it to the team's number."""

import argparse

from dispatch_desktop.cli.app import App
from dispatch_desktop.cli.delivery import deliver_unless_queue_only, start_log
from dispatch_desktop.cli.parser import Commands
from dispatch_desktop.services import console_notify, inbound, outbox

WORKER = "notify-test"


def cmd_notify_test(app: App, args: argparse.Namespace) -> int:
    queued = outbox.queue_test(app.ctx, sms=args.sms, email=args.email)
    start_log(app)
    result = console_notify.deliver_test(app.ctx, app.config, queued, worker_id=WORKER)
    text = "\n".join(
        f"{v.channel} to {app.phone(v.recipient)}: {v.status}"
        + (f" ({v.last_error})" if v.last_error else "")
        for v in result.messages
    )
    app.emit({"messages": [v.to_json() for v in result.messages], "delivery": result.report.to_json()}, text)
    return 0 if result.ok else 1


def cmd_notify_simulate_inbound(app: App, args: argparse.Namespace) -> int:
    message = inbound.simulated_text(app.ctx, args.from_phone, args.message)
    start_log(app)  # once the input is checked: a refused command leaves no log file behind
    applied = inbound.apply_inbound(app.ctx, message)
    assert applied is not None  # a fresh SID
    app.emit(applied.to_json(), f"inbox message {applied.id}: {applied.action}")
    deliver_unless_queue_only(app, args)
    return 0


def register(cli: Commands) -> None:
    nt = cli.group("notify", "notification tools")
    c = cli.command(nt, "test", cmd_notify_test, "send a test message through the normal path")
    c.add_argument("--sms", metavar="NUMBER")
    c.add_argument("--email", metavar="ADDRESS")
    c = cli.command(
        nt,
        "simulate-inbound",
        cmd_notify_simulate_inbound,
        "development only: feed a text as if PHONE had sent it (same pipeline as Twilio's)",
        queues=True,
    )
    c.add_argument("--from", dest="from_phone", required=True, metavar="PHONE")
    c.add_argument("--message", required=True, metavar="TEXT")
