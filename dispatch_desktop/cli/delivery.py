"""Delivery after a command, and the delivery warnings commands print on stderr."""

import argparse
import sys
from datetime import UTC, datetime

from dispatch_desktop.cli import output
from dispatch_desktop.cli.app import App
from dispatch_desktop.domain.errors import DispatchError
from dispatch_desktop.services import notifier_status, reach, workstation
from dispatch_desktop.services import outbox as outbox_service

AFTER_COMMAND_WORKER = "cli"


def start_log(app: App) -> None:
    """The [DEV]/[PROD] lines of this run: stderr and HOME/logs/notifications.log."""
    workstation.start_notification_log(app.home, app.config)


def deliver_after_command(app: App) -> None:
    """Deliver what is due now; what fails transiently stays queued for `notifier run`.

    The command's change is already committed with its outbox rows, so a delivery problem
    here is reported on stderr and never turns the command into a failure.
    """
    start_log(app)
    try:
        workstation.deliver_outbox(app.ctx, app.config, workstation.delivery_policy(AFTER_COMMAND_WORKER))
        return
    except DispatchError as exc:
        problem = str(exc)
    except Exception as exc:  # a bug here must not make a script retry a change already saved
        problem = output.unexpected(exc, app.home)
    output.warn(f"notifications stay queued for 'dispatch-desktop notifier run': {output.printable(problem)}")


def deliver_unless_queue_only(app: App, args: argparse.Namespace) -> None:
    if not getattr(args, "queue_only", False):
        deliver_after_command(app)
    note_held(app)


def note_held(app: App) -> None:
    """Customer notices the command left held (quiet hours, a burst of changes) and when they go."""
    held = outbox_service.held(app.ctx, customers_only=True)
    if held.count and held.last is not None:
        print(
            f"{held.count} customer notice{'s' if held.count != 1 else ''} held until {app.team.clock(held.last, datetime.now(UTC))}; "
            "a running console or `notifier run` sends them",
            file=sys.stderr,
        )


def warn_about_delivery(app: App) -> None:
    """What a console's red banner would say, as warning lines on stderr (stdout stays parseable)."""
    for alert in notifier_status.delivery_health(app.ctx).alerts:
        output.warn(alert)


def account_warnings(app: App) -> list[str]:
    """What the console's Twilio account banner says; nothing when the database cannot be read
    (`credentials show` works without one)."""
    try:
        return [warning.text for warning in reach.account_warnings(app.ctx)]
    except DispatchError:
        return []


def warn_about_accounts(app: App) -> None:
    for text in account_warnings(app):
        output.warn(text)
