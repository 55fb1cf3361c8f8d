"""dispatch-desktop booking add | assign | unassign | status | reschedule | list | show | history | notices."""

import argparse

from dispatch_desktop.cli import args as cli_args
from dispatch_desktop.cli.app import App
from dispatch_desktop.cli.delivery import deliver_unless_queue_only
from dispatch_desktop.cli.output import printable, table
from dispatch_desktop.cli.parser import Commands, expect_version
from dispatch_desktop.services import booking_notices, booking_story, bookings
from dispatch_desktop.services.views import BookingView


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
        f"  customer: {p(b.customer_name)}, {app.phone(b.customer_phone)}, {p(b.customer_email or 'no email')}"
        + (f", language {b.customer_language}" if b.customer_language else ""),
        f"  address:  {p(b.address)}",
        f"  service:  {p(b.service)}",
        f"  time:     {app.local(b.start)} to {app.local(b.end)} ({app.team.timezone_name})",
        f"  agent:    {p(b.agent_name or 'unassigned')}",
        f"  source:   {b.source}",
        f"  updated:  {app.local(b.updated_at)} by {p(b.updated_by)}",
    ]
    if b.notes:  # one note line per line, indented under the label
        lines.append("  notes:    " + "\n            ".join(p(line) for line in b.notes.split("\n")))
    lines += [f"  not reached: {p(person.describe())}" for person in b.unreached]
    return "\n".join(lines)


def _booking_changed(app: App, args: argparse.Namespace, view: BookingView, verb: str) -> int:
    app.emit(view.to_json(), f"{verb} {_booking_line(app, view)}")
    deliver_unless_queue_only(app, args)
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
        sms_consent=args.sms_consent,
        override=args.override,
        customer_language=args.language,
    )
    return _booking_changed(app, args, view, "created")


def cmd_booking_assign(app: App, args: argparse.Namespace) -> int:
    view = bookings.assign_booking(
        app.ctx,
        args.id,
        args.agent_id,
        expect_version=args.expect_version,
        notify_customer=not args.no_customer_notice,
        override=args.override,
    )
    return _booking_changed(app, args, view, "assigned")


def cmd_booking_unassign(app: App, args: argparse.Namespace) -> int:
    view = bookings.assign_booking(app.ctx, args.id, None, expect_version=args.expect_version)
    return _booking_changed(app, args, view, "unassigned")


def cmd_booking_status(app: App, args: argparse.Namespace) -> int:
    view = bookings.change_status(
        app.ctx,
        args.id,
        args.status,
        reason=args.reason,
        expect_version=args.expect_version,
        notify_customer=not args.no_customer_notice,
    )
    return _booking_changed(app, args, view, "updated")


def cmd_booking_reschedule(app: App, args: argparse.Namespace) -> int:
    view = bookings.reschedule_booking(
        app.ctx,
        args.id,
        start=args.start,
        end=args.end,
        expect_version=args.expect_version,
        notify_customer=not args.no_customer_notice,
        override=args.override,
    )
    return _booking_changed(app, args, view, "rescheduled")


@cli_args.reads_only
def cmd_booking_list(app: App, args: argparse.Namespace) -> int:
    query = bookings.BookingQuery(
        text=args.search or "",
        statuses=(bookings.parse_status(args.status).value,) if args.status else (),
        agent_id=args.agent,
        needs_reassignment=args.needs_reassignment,
        limit=args.limit,
    )
    views = bookings.list_bookings(app.ctx, query)
    text = table(
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


@cli_args.reads_only
def cmd_booking_show(app: App, args: argparse.Namespace) -> int:
    view = bookings.get_booking(app.ctx, args.id)
    app.emit(view.to_json(), _booking_text(app, view))
    return 0


@cli_args.reads_only
def cmd_booking_history(app: App, args: argparse.Namespace) -> int:
    """The console's story in the team's zone; --json keeps each audit row in UTC with its login."""
    entries = bookings.booking_history(app.ctx, args.id)
    names = booking_story.actor_names(app.ctx, entries)
    story = booking_story.booking_story(app.ctx, args.id)
    text = "\n".join(f"{app.local(line.at)}  {printable(line.text)}" for line in story)
    app.emit([{**e.to_json(), "actor_name": names.get(e.actor, e.actor)} for e in entries], text)
    return 0


def no_customer_notice(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--no-customer-notice",
        action="store_true",
        help="don't notify the customer about this change (agents are still told; the audit trail says who chose)",
    )


def override(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--override",
        action="store_true",
        help="book anyway outside the agent's working hours or without the service's skill (audited)",
    )


@cli_args.reads_only
def cmd_booking_notices(app: App, args: argparse.Namespace) -> int:
    notices = booking_notices.booking_notices(app.ctx, args.id)
    rows = [
        (
            n.id,
            app.local(n.created_at),
            n.event,
            n.channel,
            f"{n.recipient_kind} {n.recipient_name or '-'} {app.phone(n.recipient)}",
            n.status,
            n.delivery or "-",
            (n.reason or "-") + (f": {n.advice}" if n.advice else ""),
        )
        for n in notices
    ]
    text = table(rows, ("ID", "QUEUED", "EVENT", "CHANNEL", "RECIPIENT", "STATUS", "DELIVERY", "REASON"))
    missed = sum(n.not_reached for n in notices)
    if missed:
        text += f"\n{missed} not reached"
    app.emit([n.to_json() for n in notices], text)
    return 0


def register(cli: Commands) -> None:
    bk = cli.group("booking", "bookings")
    c = cli.command(bk, "add", cmd_booking_add, "create a booking", queues=True)
    c.add_argument("--customer-name", required=True)
    c.add_argument("--customer-phone", required=True)
    c.add_argument("--customer-email")
    c.add_argument("--address", required=True)
    c.add_argument("--service", required=True)
    c.add_argument("--start", required=True, help="YYYY-MM-DD HH:MM in the business time zone, or ISO 8601")
    c.add_argument("--end", required=True)
    c.add_argument("--agent", type=cli_args.record_id, metavar="ID")
    c.add_argument("--call-center", action="store_true", help="taken by the call center: no agent yet")
    c.add_argument("--notes")
    c.add_argument(
        "--sms-consent",
        choices=("yes", "no"),
        help="the customer's answer to: OK to text you about this booking?",
    )
    override(c)
    c.add_argument(
        "--language",
        metavar="CODE",
        help="the customer's language for their messages, e.g. es (default: theirs, else the team's)",
    )
    c = cli.command(bk, "assign", cmd_booking_assign, "assign or reassign an agent", queues=True)
    c.add_argument("id", type=cli_args.record_id)
    c.add_argument("agent_id", type=cli_args.record_id)
    expect_version(c)
    no_customer_notice(c)
    override(c)
    c = cli.command(bk, "unassign", cmd_booking_unassign, "take the agent off (back to pending)", queues=True)
    c.add_argument("id", type=cli_args.record_id)
    expect_version(c)
    c = cli.command(bk, "status", cmd_booking_status, "change the status", queues=True)
    c.add_argument("id", type=cli_args.record_id)
    c.add_argument("status")
    c.add_argument("--reason", help="required for cancelled")
    expect_version(c)
    no_customer_notice(c)
    c = cli.command(bk, "reschedule", cmd_booking_reschedule, "move to a new time", queues=True)
    c.add_argument("id", type=cli_args.record_id)
    c.add_argument("--start")
    c.add_argument("--end")
    expect_version(c)
    no_customer_notice(c)
    override(c)
    c = cli.command(bk, "list", cmd_booking_list, "list bookings")
    c.add_argument("--status")
    c.add_argument("--agent", type=cli_args.record_id, metavar="ID")
    c.add_argument(
        "--search", type=cli_args.search_text, metavar="TEXT", help="reference, customer, phone or address"
    )
    c.add_argument(
        "--needs-reassignment",
        action="store_true",
        help="only bookings whose agent has approved time off over them",
    )
    c.add_argument("--limit", type=cli_args.limit)
    c = cli.command(bk, "show", cmd_booking_show, "show one booking")
    c.add_argument("id", type=cli_args.record_id)
    c = cli.command(bk, "history", cmd_booking_history, "show what happened to a booking, by whom")
    c.add_argument("id", type=cli_args.record_id)
    c = cli.command(
        bk, "notices", cmd_booking_notices, "every notification of the booking and what became of it"
    )
    c.add_argument("id", type=cli_args.record_id)
