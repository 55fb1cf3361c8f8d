"""The commands: the full parser over commands/ and each command run with its error line and exit code."""

import argparse
import logging
import sys

from dispatch_desktop import __version__
from dispatch_desktop.cli import output
from dispatch_desktop.cli.app import App
from dispatch_desktop.cli.commands import (
    agent,
    booking,
    credentials,
    db,
    inbox,
    login,
    notifier,
    notify,
    operator,
    outbox,
    service_skill,
    settings,
    template,
    timeoff,
)
from dispatch_desktop.cli.console import add_console_options, open_console
from dispatch_desktop.cli.parser import ArgumentParser, Commands, UsageError, new_parser
from dispatch_desktop.domain.errors import DispatchError
from dispatch_desktop.services import workstation

DESCRIPTION = "The command line: a thin shell over the services, for admins, imports and automation."

# In the order `dispatch-desktop --help` lists their commands.
COMMAND_MODULES = (
    db,
    login,
    operator,
    agent,
    service_skill,
    booking,
    timeoff,
    settings,
    template,
    notifier,
    outbox,
    inbox,
    credentials,
    notify,
)


def build_parser() -> ArgumentParser:
    parser, common = new_parser(prog="dispatch-desktop", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"dispatch-desktop {__version__}")
    add_console_options(parser)
    cli = Commands(parser, common)
    for module in COMMAND_MODULES:
        module.register(cli)
    return parser


def _warn_about_the_environment_word(app: App) -> None:
    try:
        config = app.config
    except DispatchError:  # a broken config file: the command reports it, or repairs it (credentials delete)
        config = None
    warning = workstation.environment_badge(config).warning
    if warning:
        output.warn(warning)


def _run(args: argparse.Namespace, words: list[str]) -> int:
    """The command, with every failure turned into its one error line and exit code."""
    app: App | None = None
    try:
        if args.command is None:
            return open_console(args)
        app = App(args)
        _warn_about_the_environment_word(app)
        return args.func(app, args)
    except DispatchError as exc:
        return output.report(str(exc), exc.exit_code, words)
    except KeyboardInterrupt:
        return output.report("interrupted", output.INTERRUPTED_EXIT)
    except OSError as exc:  # a file or folder the command needs: read-only, full, missing, wrong owner
        where = f"{exc.filename}: " if exc.filename else ""
        return output.report(f"cannot use {where}{exc.strerror or exc}", output.FILE_EXIT, words)
    except Exception as exc:  # the last resort: a bug is one line, its traceback goes to a log file
        return output.report(output.unexpected(exc, app.home if app else None), output.UNEXPECTED_EXIT, words)
    finally:
        if app is not None:
            app.close()


def main(words: list[str]) -> int:
    try:
        args = build_parser().parse_args(words)
    except UsageError as exc:
        return output.report(str(exc), output.INVALID_EXIT, words)
    except SystemExit as stop:  # --help or --version, already printed
        return stop.code if isinstance(stop.code, int) else 0
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    return _run(args, words)
