"""Command-line commands for the notifier: notifier, outbox, credentials and notify."""

import argparse
import contextlib
import getpass
import signal
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Protocol

from dispatch_desktop import cli_args
from dispatch_desktop.cli_errors import unexpected
from dispatch_desktop.cli_text import json_text, printable
from dispatch_desktop.config import Config, load_config_without
from dispatch_desktop.domain.errors import DispatchError, ValidationError
from dispatch_desktop.domain.outbox import SENT_OR_LOGGED
from dispatch_desktop.notify import credentials
from dispatch_desktop.notify.delivery import DeliveryReport
from dispatch_desktop.notify.notifier import environment_decision, setup_notification_logging
from dispatch_desktop.services import email_auth, notifier_status, outbox
from dispatch_desktop.services.notifier_status import Heartbeat
from dispatch_desktop.services.outbox import OutboxView

DEFAULT_INTERVAL = 5.0


class CliApp(Protocol):
    ctx: Any
    db: Any
    config: Config
    home: Any
    json: bool

    def emit(self, payload: Any, text: str) -> None: ...


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document"
    )


def _leaf(parent: Any, name: str, handler: Any, help_text: str) -> argparse.ArgumentParser:
    parser = parent.add_parser(name, help=help_text)
    _json_flag(parser)
    parser.set_defaults(func=handler)
    return parser


def _group(sub: Any, name: str, help_text: str, dest: str = "action") -> Any:
    return sub.add_parser(name, help=help_text).add_subparsers(dest=dest, metavar="ACTION", required=True)


def add_commands(subparsers: Any) -> None:
    nr = _group(subparsers, "notifier", "deliver queued notifications")
    c = _leaf(nr, "run", cmd_notifier_run, "deliver due notifications and keep going (Ctrl-C stops)")
    c.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    c.add_argument(
        "--interval",
        type=cli_args.seconds,
        default=DEFAULT_INTERVAL,
        metavar="SECONDS",
        help="pause between runs",
    )
    c.add_argument(
        "--worker", type=cli_args.worker_name, default="cli", help="worker name recorded on claimed rows"
    )
    _leaf(nr, "status", cmd_notifier_status, "the notifiers and delivering consoles seen, and when")

    ob = _group(subparsers, "outbox", "notifications queued, sent, failed")
    c = _leaf(ob, "list", cmd_outbox_list, "list outbox messages, newest first")
    c.add_argument("--status", choices=outbox.STATUSES)
    c.add_argument("--channel", choices=outbox.CHANNELS)
    c.add_argument("--search", type=cli_args.search_text, metavar="TEXT")
    c.add_argument(
        "--limit", type=cli_args.limit, metavar="N", help="only the newest N (default: every matching row)"
    )
    c = _leaf(ob, "show", cmd_outbox_show, "show one message in full")
    c.add_argument("id", type=cli_args.record_id)
    c = _leaf(ob, "retry", cmd_outbox_retry, "send a failed, unknown or waiting message again")
    c.add_argument("id", type=cli_args.record_id)
    c = _leaf(ob, "dismiss", cmd_outbox_dismiss, "do not send this message")
    c.add_argument("id", type=cli_args.record_id)
    _leaf(
        ob,
        "retry-sign-in",
        cmd_outbox_retry_sign_in,
        "after fixing the mail server sign-in: send the emails it failed in the last 24 hours again",
    )
    _leaf(ob, "counts", cmd_outbox_counts, "messages per status")
    _leaf(ob, "suppressions", cmd_outbox_suppressions, "numbers that replied STOP")
    c = _leaf(ob, "unsuppress", cmd_outbox_unsuppress, "allow SMS to a number that replied STOP again")
    c.add_argument("phone")

    cr = _group(subparsers, "credentials", "Twilio and SMTP credentials (secrets in the OS keyring)")
    cs = cr.add_parser("set", help="store credentials").add_subparsers(
        dest="target", metavar="SERVICE", required=True
    )
    c = _leaf(
        cs, "twilio", cmd_credentials_set_twilio, "Twilio: SID and number in config, auth token in keyring"
    )
    c.add_argument("--account-sid", required=True, metavar="SID")
    c.add_argument("--phone-number", required=True, metavar="NUM")
    c = _leaf(cs, "smtp", cmd_credentials_set_smtp, "SMTP: server in config, password in keyring")
    c.add_argument("--host", required=True)
    c.add_argument("--port", required=True, type=cli_args.port)
    c.add_argument("--user", metavar="U", help="login (omit for a relay that needs none)")
    c.add_argument("--from", dest="from_address", required=True, metavar="ADDR")
    c.add_argument("--no-starttls", action="store_true", help="plain SMTP (a local relay only)")
    c.add_argument(
        "--auth",
        choices=credentials.AUTH_MODES,
        default=credentials.PASSWORD_AUTH,
        help="oauth2: Office 365 XOAUTH2 with an Entra app; the secret read is then the client secret "
        "(stored as O365_CLIENT_SECRET) and --user is the mailbox",
    )
    c.add_argument("--tenant-id", metavar="ID", help="Entra directory (tenant) id (with --auth oauth2)")
    c.add_argument("--client-id", metavar="ID", help="Entra application (client) id (with --auth oauth2)")
    c.add_argument(
        "--authority",
        metavar="URL",
        help="Entra authority (with --auth oauth2; default https://login.microsoftonline.com)",
    )
    _leaf(cr, "show", cmd_credentials_show, "what is configured and where it comes from (never secrets)")
    c = _leaf(cr, "delete", cmd_credentials_delete, "remove stored credentials")
    c.add_argument("service", choices=("twilio", "smtp"))

    nt = _group(subparsers, "notify", "notification tools")
    c = _leaf(nt, "test", cmd_notify_test, "send a test message through the normal path")
    c.add_argument("--sms", metavar="NUMBER")
    c.add_argument("--email", metavar="ADDRESS")


def _as_json(app: CliApp, args: argparse.Namespace) -> bool:
    return bool(app.json or getattr(args, "json", False))


def _emit(app: CliApp, args: argparse.Namespace, payload: Any, text: str) -> None:
    if _as_json(app, args) and not app.json:
        print(json_text(payload))
    else:
        app.emit(payload, text)


def _logging(app: CliApp) -> None:
    setup_notification_logging(app.home, app.config)


# --- delivery ------------------------------------------------------------------------------


def deliver_after_command(app: CliApp) -> DeliveryReport | None:
    """Deliver what is due now; what fails transiently stays queued for `notifier run`.

    The command's change is already committed with its outbox rows, so a delivery problem
    here is reported on stderr and never turns the command into a failure.
    """
    _logging(app)
    try:
        return outbox.deliver_due(app.db, app.config, app.home, worker_id="cli")
    except DispatchError as exc:
        problem = str(exc)
    except Exception as exc:  # a bug here must not make a script retry a change already saved
        problem = unexpected(exc, app.home)
    print(
        f"warning: notifications stay queued for 'dispatch-desktop notifier run': {printable(problem)}",
        file=sys.stderr,
    )
    return None


def cmd_notifier_run(app: CliApp, args: argparse.Namespace) -> int:
    app.ctx.actor()  # a known operator (or the bootstrap) only; also checks the schema
    _logging(app)
    decision = environment_decision(app.config)
    print(f"notifier: {decision.describe()}, database {app.db.description}", file=sys.stderr)
    stop = threading.Event()
    total = DeliveryReport(decision.name)
    heartbeat = Heartbeat(app.db, kind="notifier", name=args.worker)
    warned = False
    with _stop_on_sigterm(stop):
        try:
            while True:
                try:
                    report = outbox.deliver_due(app.db, app.config, app.home, worker_id=args.worker)
                    _merge(total, report)
                    heartbeat.beat(report)
                    if not warned:  # after the first run, so this notifier's own heartbeat counts
                        warned = True
                        _warn_about_delivery(app)
                except DispatchError as exc:
                    if args.once:
                        raise
                    # A database blip must not stop the notifier; the rows wait in the outbox meanwhile.
                    print(f"warning: {exc}; trying again in {args.interval:g}s", file=sys.stderr)
                if args.once or stop.wait(max(0.1, args.interval)):
                    break
        except KeyboardInterrupt:
            pass
    _emit(app, args, total.to_json(), total.summary())
    return 0


@contextlib.contextmanager
def _stop_on_sigterm(stop: threading.Event) -> Iterator[None]:
    """A service manager's SIGTERM finishes the current run instead of killing sends mid-flight."""
    try:
        previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    except (ValueError, OSError, AttributeError):  # not the main thread, or no SIGTERM here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _merge(total: DeliveryReport, report: DeliveryReport) -> None:
    for status, count in report.counts.items():
        total.counts[status] = total.counts.get(status, 0) + count
    total.held += report.held
    total.recovered += report.recovered
    total.skipped += report.skipped
    total.missing = report.missing


def cmd_notifier_status(app: CliApp, args: argparse.Namespace) -> int:
    views = notifier_status.list_notifiers(app.ctx)
    now = datetime.now(UTC)

    def ago(moment: Any) -> str:
        return f"{notifier_status.age(now - moment)} ago" if moment else "never"

    rows = [
        (
            v.kind,
            v.host,
            v.environment,
            ",".join(v.channels) or "none",
            ago(v.last_seen),
            ago(v.last_delivery),
            v.worker,
        )
        for v in views
    ]
    headers = ("KIND", "HOST", "ENVIRONMENT", "CHANNELS", "LAST SEEN", "LAST DELIVERY", "WORKER")
    _emit(app, args, [v.to_json() for v in views], _table(rows, headers))
    _warn_about_delivery(app)
    return 0


def _warn_about_delivery(app: CliApp) -> None:
    """What a console's red banner would say, as warning lines on stderr (stdout stays parseable)."""
    for alert in notifier_status.delivery_health(app.ctx).alerts:
        print(f"warning: {alert}", file=sys.stderr)


# --- outbox ---------------------------------------------------------------------------------


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


def _table(rows: list[tuple[Any, ...]], headers: tuple[str, ...]) -> str:
    cells = [list(map(str, headers))] + [[printable(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]
    return "\n".join(lines) if rows else f"{lines[0]}\n(none)"


@cli_args.reads_only
def cmd_outbox_list(app: CliApp, args: argparse.Namespace) -> int:
    matching = {"status": args.status, "channel": args.channel, "text": args.search}
    views = outbox.list_outbox(app.ctx, limit=args.limit, **matching)
    text = _table(
        [_row(v) for v in views], ("ID", "STATUS", "CHANNEL", "RECIPIENT", "EVENT", "TRIES", "ERROR")
    )
    if args.limit is not None and len(views) == args.limit:
        total = outbox.count_outbox(app.ctx, **matching)
        if total > len(views):
            text += f"\nshowing {len(views)} of {total}"
    _emit(app, args, [v.to_json() for v in views], text)
    return 0


def _detail(view: OutboxView) -> str:
    lines = [
        f"outbox message {view.id}: {view.status} ({view.channel}, {view.event})",
        f"  to:        {view.recipient or '-'} ({view.recipient_name or '-'}, {view.recipient_kind})",
        f"  attempts:  {view.attempts}",
        f"  queued in: {view.queued_environment} (only a {view.queued_environment} worker delivers it)",
    ]
    if view.subject:
        lines.append(f"  subject:   {view.subject}")
    if view.sent_to and view.sent_to != view.recipient:
        lines.append(f"  sent to:   {view.sent_to}")
    if view.provider_id:
        lines.append(f"  provider:  {view.provider_id}")
    if view.last_error:
        lines.append(f"  error:     {view.last_error}")
    lines.append(f"  created:   {view.created_at.isoformat()}")
    lines.append(f"  updated:   {view.updated_at.isoformat()}")
    return "\n".join(lines)


@cli_args.reads_only
def cmd_outbox_show(app: CliApp, args: argparse.Namespace) -> int:
    view = outbox.get_message(app.ctx, args.id)
    _emit(app, args, view.to_json(), _detail(view) + "\n\n" + view.body.rstrip())
    return 0


def cmd_outbox_retry(app: CliApp, args: argparse.Namespace) -> int:
    view = outbox.retry_message(app.ctx, args.id)
    _emit(app, args, view.to_json(), f"outbox message {view.id} queued again")
    return 0


def cmd_outbox_dismiss(app: CliApp, args: argparse.Namespace) -> int:
    view = outbox.dismiss_message(app.ctx, args.id)
    _emit(app, args, view.to_json(), f"outbox message {view.id} dismissed")
    return 0


def cmd_outbox_retry_sign_in(app: CliApp, args: argparse.Namespace) -> int:
    count = email_auth.retry_sign_in_failures(app.ctx)
    _emit(app, args, {"queued": count}, f"{count} email(s) that failed to sign in queued again")
    return 0


@cli_args.reads_only
def cmd_outbox_counts(app: CliApp, args: argparse.Namespace) -> int:
    counts = outbox.status_counts(app.ctx)
    _emit(app, args, counts, "  ".join(f"{status}: {count}" for status, count in counts.items()))
    _warn_about_delivery(app)
    return 0


@cli_args.reads_only
def cmd_outbox_suppressions(app: CliApp, args: argparse.Namespace) -> int:
    views = outbox.list_suppressions(app.ctx)
    text = _table(
        [(v.phone, v.created_at.isoformat(), v.reason) for v in views], ("PHONE", "SINCE", "REASON")
    )
    _emit(app, args, [v.to_json() for v in views], text)
    return 0


def cmd_outbox_unsuppress(app: CliApp, args: argparse.Namespace) -> int:
    outbox.clear_suppression(app.ctx, args.phone)
    _emit(app, args, {"phone": args.phone, "suppressed": False}, f"SMS to {args.phone} allowed again")
    return 0


# --- credentials ------------------------------------------------------------------------------


def read_secret(prompt: str) -> str:
    """From stdin when it is not a terminal (scripts, pipes); else a prompt without echo."""
    if sys.stdin is None or not sys.stdin.isatty():
        secret = sys.stdin.readline().rstrip("\r\n") if sys.stdin else ""
    else:
        secret = getpass.getpass(prompt)
    if not secret.strip():
        raise ValidationError(f"no secret given ({prompt.strip().rstrip(':')})")
    return secret.strip()


def cmd_credentials_set_twilio(app: CliApp, args: argparse.Namespace) -> int:
    token = read_secret("Twilio auth token: ")
    credentials.set_twilio(
        app.home, app.config, account_sid=args.account_sid, phone_number=args.phone_number, auth_token=token
    )
    _emit(
        app,
        args,
        {"service": "twilio", "stored": True},
        "Twilio credentials stored (auth token in the OS keyring, SID and number in the config file)",
    )
    return 0


def cmd_credentials_set_smtp(app: CliApp, args: argparse.Namespace) -> int:
    oauth2 = args.auth == credentials.OAUTH2_AUTH
    if oauth2 and not (args.user and args.tenant_id and args.client_id):
        raise ValidationError("--auth oauth2 needs --user (the mailbox), --tenant-id and --client-id")
    if not oauth2 and (args.tenant_id or args.client_id or args.authority):
        raise ValidationError("--tenant-id, --client-id and --authority go with --auth oauth2")
    if oauth2 and args.no_starttls and args.port != credentials.IMPLICIT_TLS_PORT:
        raise ValidationError("--auth oauth2 sends a bearer token: it needs STARTTLS (or port 465)")
    secret = None
    if args.user:
        secret = read_secret(
            "Office 365 client secret (O365_CLIENT_SECRET): " if oauth2 else "SMTP password: "
        )
    credentials.set_smtp(
        app.home,
        app.config,
        host=args.host,
        port=args.port,
        user=args.user,
        from_address=args.from_address,
        starttls=not args.no_starttls,
        password=None if oauth2 else secret,
        auth_mode=args.auth,
        tenant_id=args.tenant_id,
        client_id=args.client_id,
        client_secret=secret if oauth2 else None,
        authority=args.authority,
    )
    if oauth2:
        where = f"OAuth2 for {args.user}: client secret in the OS keyring as {credentials.O365_SECRET}, the rest in the config file"
    elif args.user:
        where = "password in the OS keyring, server in the config file"
    else:
        where = "no login; config file"
    _emit(
        app,
        args,
        {"service": "smtp", "stored": True, "auth": args.auth},
        f"SMTP credentials stored ({where})",
    )
    return 0


def cmd_credentials_show(app: CliApp, args: argparse.Namespace) -> int:
    fields, problem = credentials.describe(app.config)
    decision = environment_decision(app.config)
    lines = [f"environment: {decision.describe()}"]
    if decision.warning:
        lines.append(f"warning: {decision.warning}")
    for row in fields:
        if row.source == credentials.LOCKED:
            state = "cannot tell: the OS keyring is locked"
        elif not row.configured:
            state = "not set"
        elif row.shown is None:
            state = "set"
        else:
            state = row.shown
        lines.append(f"{row.channel:7} {row.name:20} {state}  ({row.source})")
    if problem:
        lines.append(f"keyring: {problem}")
    warning = email_auth.basic_auth_retirement_warning(app.config)
    if warning:
        lines.append(f"warning: {warning}")
    payload = {
        "environment": decision.name,
        "environment_source": decision.source,
        "fields": [row.to_json() for row in fields],
        "keyring_problem": problem,
        "warnings": [text for text in (decision.warning, warning) if text],
    }
    _emit(app, args, payload, "\n".join(lines))
    return 0


def cmd_credentials_delete(app: CliApp, args: argparse.Namespace) -> int:
    config = load_config_without(app.home, args.service)  # works on a file this section broke
    if args.service == "twilio":
        credentials.delete_twilio(app.home, config)
    else:
        credentials.delete_smtp(app.home, config)
    _emit(app, args, {"service": args.service, "deleted": True}, f"{args.service} credentials deleted")
    return 0


# --- notify test ------------------------------------------------------------------------------


def cmd_notify_test(app: CliApp, args: argparse.Namespace) -> int:
    views = outbox.queue_test(app.ctx, sms=args.sms, email=args.email)
    _logging(app)
    report = outbox.deliver_due(app.db, app.config, app.home, worker_id="notify-test")
    results = [outbox.get_message(app.ctx, view.id) for view in views]
    text = "\n".join(
        f"{v.channel} to {v.recipient}: {v.status}" + (f" ({v.last_error})" if v.last_error else "")
        for v in results
    )
    _emit(app, args, {"messages": [v.to_json() for v in results], "delivery": report.to_json()}, text)
    return 0 if all(v.status in SENT_OR_LOGGED for v in results) else 1
