"""dispatch-desktop inbox list | show | reply | read: texts people sent to the team's number."""

import argparse

from dispatch_desktop.cli import args as cli_args
from dispatch_desktop.cli.app import App
from dispatch_desktop.cli.delivery import deliver_unless_queue_only
from dispatch_desktop.cli.output import table
from dispatch_desktop.cli.parser import Commands
from dispatch_desktop.services import inbox
from dispatch_desktop.services.inbox import InboundView

MESSAGE_MAX = inbox.REPLY_MAX


def _sender(view: InboundView) -> str:
    return f"{view.sender_name} ({view.sender_kind})" if view.sender_name else view.sender_kind


@cli_args.reads_only
def cmd_inbox_list(app: App, args: argparse.Namespace) -> int:
    views = inbox.list_inbox(app.ctx, unread_only=args.unread, limit=args.limit)
    rows = [
        (
            v.id,
            app.local(v.received_at),
            "unread" if not v.read else "read",
            v.from_phone,
            _sender(v),
            v.booking_reference or "-",
            v.body[:40],
            v.action[:50],
        )
        for v in views
    ]
    text = table(rows, ("ID", "RECEIVED", "STATE", "FROM", "WHO", "BOOKING", "MESSAGE", "DONE"))
    app.emit([v.to_json() for v in views], text)
    return 0


@cli_args.reads_only
def cmd_inbox_show(app: App, args: argparse.Namespace) -> int:
    view = inbox.get_message(app.ctx, args.id)
    talk = inbox.conversation_of(app.ctx, args.id)
    lines = [
        f"inbox message {view.id}: {'read' if view.read else 'unread'}",
        f"  from:      {app.phone(view.from_phone)} ({_sender(view)})",
        f"  received:  {app.local(view.received_at)}",
        f"  booking:   {view.booking_reference or '-'}"
        + (" (customer asks to reschedule)" if view.reschedule_requested else ""),
        f"  done:      {view.action}",
        f"  message:   {view.body}",
        "",
        "conversation:",
    ]
    lines += [
        f"  {app.local(e.at)}  {'<-' if e.direction == 'in' else '->'} {e.body}  [{e.state}]"
        for e in talk.entries
    ]
    app.emit({**view.to_json(), "conversation": [e.to_json() for e in talk.entries]}, "\n".join(lines))
    return 0


def cmd_inbox_reply(app: App, args: argparse.Namespace) -> int:
    view = inbox.reply(app.ctx, args.id, args.message)
    app.emit(view.to_json(), f"reply to {app.phone(view.recipient)} queued (outbox message {view.id})")
    deliver_unless_queue_only(app, args)
    return 0


def cmd_inbox_read(app: App, args: argparse.Namespace) -> int:
    view = inbox.mark_read(app.ctx, args.id)
    app.emit(view.to_json(), f"inbox message {view.id} marked read")
    return 0


def register(cli: Commands) -> None:
    ib = cli.group("inbox", "texts customers and agents sent to the team's number")
    c = cli.command(ib, "list", cmd_inbox_list, "list received texts, newest first")
    c.add_argument("--unread", action="store_true", help="only the unread ones")
    c.add_argument("--limit", type=cli_args.limit, metavar="N", help="only the newest N")
    c = cli.command(ib, "show", cmd_inbox_show, "one text with its conversation")
    c.add_argument("id", type=cli_args.record_id)
    c = cli.command(ib, "reply", cmd_inbox_reply, "text the sender back through the outbox", queues=True)
    c.add_argument("id", type=cli_args.record_id)
    c.add_argument("--message", required=True, type=cli_args.bounded_text(MESSAGE_MAX), metavar="TEXT")
    c = cli.command(ib, "read", cmd_inbox_read, "mark a text read")
    c.add_argument("id", type=cli_args.record_id)
