"""dispatch-desktop credentials set twilio | set smtp | show | delete: secrets in the OS keyring."""

import argparse
import getpass
import sys

from dispatch_desktop.cli import args as cli_args
from dispatch_desktop.cli.app import App
from dispatch_desktop.cli.delivery import account_warnings
from dispatch_desktop.cli.parser import Commands
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.services import credentials, email_auth, workstation


def read_secret(prompt: str) -> str:
    """From stdin when it is not a terminal (scripts, pipes); else a prompt without echo."""
    if sys.stdin is None or not sys.stdin.isatty():
        secret = sys.stdin.readline().rstrip("\r\n") if sys.stdin else ""
    else:
        secret = getpass.getpass(prompt)
    if not secret.strip():
        raise ValidationError(f"no secret given ({prompt.strip().rstrip(':')})")
    return secret.strip()


def cmd_credentials_set_twilio(app: App, args: argparse.Namespace) -> int:
    token = read_secret("Twilio auth token: ")
    credentials.set_twilio(
        app.home,
        app.config,
        account_sid=args.account_sid,
        phone_number=args.phone_number,
        auth_token=token,
        messaging_service_sid=args.messaging_service_sid,
    )
    app.emit(
        {"service": "twilio", "stored": True},
        "Twilio credentials stored (auth token in the OS keyring, SID and number in the config file)",
    )
    return 0


def cmd_credentials_set_smtp(app: App, args: argparse.Namespace) -> int:
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
        allow_plaintext_auth=args.allow_plaintext_auth,
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
    app.emit({"service": "smtp", "stored": True, "auth": args.auth}, f"SMTP credentials stored ({where})")
    return 0


def _state(row: credentials.FieldStatus) -> str:
    if row.source == credentials.LOCKED:
        return "cannot tell: the OS keyring is locked"
    if not row.configured:
        return "not set"
    return "set" if row.shown is None else row.shown


def cmd_credentials_show(app: App, _args: argparse.Namespace) -> int:
    fields, problem = credentials.describe(app.config)
    badge = workstation.environment_badge(app.config)
    lines = [f"environment: {badge.description}"]
    if badge.warning:
        lines.append(f"warning: {badge.warning}")
    lines += [f"{row.channel:7} {row.name:20} {_state(row)}  ({row.source})" for row in fields]
    sender = credentials.twilio_sender(fields)
    lines.append(f"texts go out through: {sender}")
    if problem:
        lines.append(f"keyring: {problem}")
    warning = email_auth.basic_auth_retirement_warning(app.config)
    if warning:
        lines.append(f"warning: {warning}")
    twilio = account_warnings(app)
    lines += [f"warning: {text}" for text in twilio]
    if badge.plaintext_auth:
        lines.append(f"warning: {badge.plaintext_auth}")
    tls = workstation.requested_tls(app.home, app.config)
    if tls:
        lines.append(f"database {tls}")
    files = workstation.file_warnings(app.home, app.config)
    lines += [f"warning: {text}" for text in files]
    payload = {
        "environment": badge.name,
        "environment_source": badge.source,
        "fields": [row.to_json() for row in fields],
        "twilio_sender": sender,
        "keyring_problem": problem,
        "database_tls": tls,
        "warnings": [text for text in (badge.warning, warning, badge.plaintext_auth, *twilio) if text]
        + files,
    }
    app.emit(payload, "\n".join(lines))
    return 0


def cmd_credentials_delete(app: App, args: argparse.Namespace) -> int:
    credentials.delete_credentials(app.home, args.service)
    app.emit({"service": args.service, "deleted": True}, f"{args.service} credentials deleted")
    return 0


def register(cli: Commands) -> None:
    cr = cli.group("credentials", "Twilio and SMTP credentials (secrets in the OS keyring)")
    cs = cli.group("set", "store credentials", under=cr, dest="target", metavar="SERVICE")
    c = cli.command(
        cs, "twilio", cmd_credentials_set_twilio, "Twilio: SID and number in config, auth token in keyring"
    )
    c.add_argument("--account-sid", required=True, metavar="SID")
    c.add_argument("--phone-number", required=True, metavar="NUM")
    c.add_argument(
        "--messaging-service-sid",
        metavar="MG…",
        help="send through this Messaging Service instead of the From number (omitted: kept as it is)",
    )
    c = cli.command(cs, "smtp", cmd_credentials_set_smtp, "SMTP: server in config, password in keyring")
    c.add_argument("--host", required=True)
    c.add_argument("--port", required=True, type=cli_args.port)
    c.add_argument("--user", metavar="U", help="login (omit for a relay that needs none)")
    c.add_argument("--from", dest="from_address", required=True, metavar="ADDR")
    c.add_argument("--no-starttls", action="store_true", help="plain SMTP (a local relay only)")
    c.add_argument(
        "--allow-plaintext-auth",
        action="store_true",
        help="with --no-starttls and --user: send the password in the clear to a host that is not this machine",
    )
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
    cli.command(
        cr, "show", cmd_credentials_show, "what is configured and where it comes from (never secrets)"
    )
    c = cli.command(cr, "delete", cmd_credentials_delete, "remove stored credentials")
    c.add_argument("service", choices=credentials.SERVICES)
