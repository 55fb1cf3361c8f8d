"""dispatch-desktop login: keep this operator's PostgreSQL password in the OS keyring."""

import argparse

from dispatch_desktop.cli.app import App
from dispatch_desktop.cli.commands.credentials import read_secret
from dispatch_desktop.cli.parser import Commands
from dispatch_desktop.services import workstation


def cmd_login(app: App, args: argparse.Namespace) -> int:
    url = workstation.login_url(app.home, app.config, args.database_url)
    password = read_secret(f"Database password for {url.username or 'your login'}: ")
    where = workstation.store_login(app.home, app.config, password, args.database_url)
    app.emit(
        {"database": where, "stored": True},
        f"connected to {where}; the password is in the OS keyring for the next start",
    )
    return 0


def register(cli: Commands) -> None:
    cli.command(None, "login", cmd_login, "check your database password and keep it in the OS keyring")
