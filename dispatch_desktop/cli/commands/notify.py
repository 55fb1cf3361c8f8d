"""dispatch-desktop notify test: a test message through the normal outbox and delivery path."""

import argparse

from dispatch_desktop.cli.app import App
from dispatch_desktop.cli.delivery import start_log
from dispatch_desktop.cli.parser import Commands
from dispatch_desktop.services import console_notify, outbox

WORKER = "notify-test"


def cmd_notify_test(app: App, args: argparse.Namespace) -> int:
    queued = outbox.queue_test(app.ctx, sms=args.sms, email=args.email)
    start_log(app)
    result = console_notify.deliver_test(app.ctx, app.config, queued, worker_id=WORKER)
    text = "\n".join(
        f"{v.channel} to {v.recipient}: {v.status}" + (f" ({v.last_error})" if v.last_error else "")
        for v in result.messages
    )
    app.emit({"messages": [v.to_json() for v in result.messages], "delivery": result.report.to_json()}, text)
    return 0 if result.ok else 1


def register(cli: Commands) -> None:
    nt = cli.group("notify", "notification tools")
    c = cli.command(nt, "test", cmd_notify_test, "send a test message through the normal path")
    c.add_argument("--sms", metavar="NUMBER")
    c.add_argument("--email", metavar="ADDRESS")
