"""dispatch-desktop outbox list | show | retry | dismiss | retry-sign-in | counts | suppressions | unsuppress | sync."""

import argparse
from typing import Any

from dispatch_desktop.cli import args as cli_args
from dispatch_desktop.cli.app import App
from dispatch_desktop.cli.delivery import start_log, warn_about_accounts, warn_about_delivery
from dispatch_desktop.cli.output import table
from dispatch_desktop.cli.parser import Commands
from dispatch_desktop.domain.delivery import DELIVERY_STATES
from dispatch_desktop.domain.outbox import OutboxStatus
from dispatch_desktop.services import email_auth, outbox, provider_sync
from dispatch_desktop.services.outbox import OutboxView


def _row(view: OutboxView) -> tuple[Any, ...]:
    error = (view.last_error or "")[:60]
    return (
        view.id,
        view.status,
        view.channel,
        view.recipient or "-",
        view.event,
        view.attempts,
        error or "-",
    )


@cli_args.reads_only
def cmd_outbox_list(app: App, args: argparse.Namespace) -> int:
    matching = {
        "status": args.status,
        "channel": args.channel,
        "text": args.search,
        "delivery": args.delivery,
    }
    views = outbox.list_outbox(app.ctx, limit=args.limit, **matching)
    text = table(
        [_row(v) for v in views], ("ID", "STATUS", "CHANNEL", "RECIPIENT", "EVENT", "TRIES", "ERROR")
    )
    if args.limit is not None and len(views) == args.limit:
        total = outbox.count_outbox(app.ctx, **matching)
        if total > len(views):
            text += f"\nshowing {len(views)} of {total}"
    app.emit([v.to_json() for v in views], text)
    return 0


def _detail(app: App, view: OutboxView) -> str:
    lines = [
        f"outbox message {view.id}: {view.status} ({view.channel}, {view.event})",
        f"  to:        {app.phone(view.recipient)} ({view.recipient_name or '-'}, {view.recipient_kind})",
        f"  attempts:  {view.attempts}",
        f"  queued in: {view.queued_environment} (only a {view.queued_environment} worker delivers it)",
    ]
    if view.subject:
        lines.append(f"  subject:   {view.subject}")
    if view.sent_to and view.sent_to != view.recipient:
        lines.append(f"  sent to:   {app.phone(view.sent_to)}")
    if view.provider_id:
        lines.append(f"  provider:  {view.provider_id}")
    if view.delivery:
        reason = f" ({view.delivery_reason})" if view.delivery_reason else ""
        lines.append(f"  delivery:  {view.delivery}{reason}")
    if view.last_error:
        lines.append(f"  error:     {view.last_error}")
    if view.status in (OutboxStatus.SCHEDULED, OutboxStatus.HELD):
        why = f" ({view.hold_reason})" if view.hold_reason else ""
        lines.append(f"  due:       {view.due_at.isoformat()}{why}")
    if view.superseded_by is not None:
        lines.append(f"  replaced:  by outbox message {view.superseded_by}")
    lines.append(f"  created:   {view.created_at.isoformat()}")
    lines.append(f"  updated:   {view.updated_at.isoformat()}")
    return "\n".join(lines)


@cli_args.reads_only
def cmd_outbox_show(app: App, args: argparse.Namespace) -> int:
    view = outbox.get_message(app.ctx, args.id)
    app.emit(view.to_json(), _detail(app, view) + "\n\n" + view.body.rstrip())
    return 0


def cmd_outbox_retry(app: App, args: argparse.Namespace) -> int:
    view = outbox.retry_message(app.ctx, args.id)
    app.emit(view.to_json(), f"outbox message {view.id} queued again")
    return 0


def cmd_outbox_dismiss(app: App, args: argparse.Namespace) -> int:
    view = outbox.dismiss_message(app.ctx, args.id)
    app.emit(view.to_json(), f"outbox message {view.id} dismissed")
    return 0


def cmd_outbox_retry_sign_in(app: App, _args: argparse.Namespace) -> int:
    count = email_auth.retry_sign_in_failures(app.ctx)
    app.emit({"queued": count}, f"{count} email(s) that failed to sign in queued again")
    return 0


@cli_args.reads_only
def cmd_outbox_counts(app: App, _args: argparse.Namespace) -> int:
    counts = outbox.status_counts(app.ctx)
    app.emit(counts, "  ".join(f"{status}: {count}" for status, count in counts.items()))
    warn_about_delivery(app)
    warn_about_accounts(app)
    return 0


@cli_args.reads_only
def cmd_outbox_suppressions(app: App, _args: argparse.Namespace) -> int:
    views = outbox.list_suppressions(app.ctx)
    text = table(
        [(app.phone(v.phone), v.created_at.isoformat(), v.reason) for v in views],
        ("PHONE", "SINCE", "REASON"),
    )
    app.emit([v.to_json() for v in views], text)
    return 0


def cmd_outbox_unsuppress(app: App, args: argparse.Namespace) -> int:
    outbox.clear_suppression(app.ctx, args.phone)
    app.emit({"phone": args.phone, "suppressed": False}, f"SMS to {args.phone} allowed again")
    return 0


def cmd_outbox_sync(app: App, _args: argparse.Namespace) -> int:
    app.ctx.actor()  # a known operator on a ready schema, before the log file is opened
    start_log(app)
    report = provider_sync.sync_provider(app.ctx, app.config, worker="cli")
    app.emit(report.to_json(), report.summary())
    return 0


def register(cli: Commands) -> None:
    ob = cli.group("outbox", "notifications queued, sent, failed")
    c = cli.command(ob, "list", cmd_outbox_list, "list outbox messages, newest first")
    c.add_argument("--status", choices=outbox.STATUSES)
    c.add_argument("--channel", choices=outbox.CHANNELS)
    c.add_argument("--search", type=cli_args.search_text, metavar="TEXT")
    c.add_argument("--delivery", choices=DELIVERY_STATES, help="what Twilio said became of a sent text")
    c.add_argument(
        "--limit", type=cli_args.limit, metavar="N", help="only the newest N (default: every matching row)"
    )
    c = cli.command(ob, "show", cmd_outbox_show, "show one message in full")
    c.add_argument("id", type=cli_args.record_id)
    c = cli.command(ob, "retry", cmd_outbox_retry, "send a failed, unknown or waiting message again")
    c.add_argument("id", type=cli_args.record_id)
    c = cli.command(ob, "dismiss", cmd_outbox_dismiss, "do not send this message")
    c.add_argument("id", type=cli_args.record_id)
    cli.command(
        ob,
        "retry-sign-in",
        cmd_outbox_retry_sign_in,
        "after fixing the mail server sign-in: send the emails it failed in the last 24 hours again",
    )
    cli.command(ob, "counts", cmd_outbox_counts, "messages per status")
    cli.command(ob, "suppressions", cmd_outbox_suppressions, "numbers that replied STOP")
    c = cli.command(ob, "unsuppress", cmd_outbox_unsuppress, "allow SMS to a number that replied STOP again")
    c.add_argument("phone")
    cli.command(
        ob,
        "sync",
        cmd_outbox_sync,
        "ask Twilio once what became of the texts sent (receipts) and settle unknown ones (production)",
    )
