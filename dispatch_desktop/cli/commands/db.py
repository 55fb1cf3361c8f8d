"""dispatch-desktop db upgrade | status | backup: the database schema."""

import argparse
from pathlib import Path

from dispatch_desktop.cli import args as cli_args
from dispatch_desktop.cli import output
from dispatch_desktop.cli.app import App
from dispatch_desktop.cli.parser import Commands
from dispatch_desktop.services import maintenance, workstation


def cmd_db_upgrade(app: App, _args: argparse.Namespace) -> int:
    before, after = maintenance.upgrade_schema(app.connection)
    app.emit(
        {"database": app.db.description, "from": before, "to": after},
        f"{app.db.description}: schema {before or 'empty'} -> {after}",
    )
    return 0


@cli_args.reads_only
def cmd_db_status(app: App, args: argparse.Namespace) -> int:
    status = maintenance.schema_status(app.db)
    state = "up to date" if status.up_to_date else "needs 'dispatch-desktop db upgrade'"
    security = maintenance.connection_security(app.db)
    warnings = workstation.file_warnings(app.home, app.config, args.database_url)
    lines = [f"{status.database}: schema {status.current or 'empty'}, program {status.head} ({state})"]
    lines += [security] if security else []
    app.emit(
        {
            "database": status.database,
            "current": status.current,
            "head": status.head,
            "up_to_date": status.up_to_date,
            "connection": security,
            "warnings": warnings,
        },
        "\n".join(lines),
    )
    for warning in warnings:
        output.warn(warning)
    return 0


def cmd_db_backup(app: App, args: argparse.Namespace) -> int:
    target = maintenance.backup(app.connection, Path(args.path))
    app.emit(
        {"database": app.db.description, "backup": str(target)}, f"backed up {app.db.description} to {target}"
    )
    return 0


def register(cli: Commands) -> None:
    db = cli.group("db", "database schema")
    cli.command(db, "upgrade", cmd_db_upgrade, "create or upgrade the schema (run once by an admin)")
    cli.command(db, "status", cmd_db_status, "show the schema version")
    c = cli.command(db, "backup", cmd_db_backup, "online backup of a SQLite database to a new file")
    c.add_argument("path")
