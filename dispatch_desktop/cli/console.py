"""Starting the Qt console: `dispatch-desktop` with no command, --demo or --self-check.

The one place the command line imports ui (tests/core/test_layering.py allows this module only),
and only when the console starts, so no command loads Qt. `console_args` reads words that name no
command without loading the commands, so the console's window shows before the services and
SQLAlchemy are imported (cli/__init__.py).
"""

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from dispatch_desktop.domain.errors import DispatchError


class _NotTheConsole(Exception):
    pass


class _ConsoleParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _NotTheConsole(message)


def add_console_options(parser: argparse.ArgumentParser) -> None:
    """The options of the program itself, shared by the full parser and `console_args`."""
    parser.add_argument("--home", metavar="DIR", help="home folder (config, logs, SQLite database)")
    parser.add_argument("--database-url", metavar="URL", help="SQLAlchemy URL of the shared database")
    parser.add_argument("--as", dest="operator", metavar="USERNAME", help="act as this operator")
    parser.add_argument(
        "--demo", action="store_true", help="open the console on a demo home with sample data"
    )
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="open the window, check database, keyring and templates, exit",
    )


def console_args(words: Sequence[str]) -> argparse.Namespace | None:
    """The console's options when `words` are nothing else; None leaves them to the full parser."""
    parser = _ConsoleParser(add_help=False, allow_abbrev=False)
    add_console_options(parser)
    try:
        args, rest = parser.parse_known_args(list(words))
    except _NotTheConsole:  # a missing value, say: the full parser words the error
        return None
    if rest:
        return None
    args.command = None
    return args


def open_console(args: argparse.Namespace) -> int:
    from dispatch_desktop.ui.shell.platform_check import check_platform

    try:
        check_platform()  # Qt aborts the process when a library or the display is missing
    except DispatchError as exc:
        print(f"error: the console cannot start: {exc}", file=sys.stderr)
        return exc.exit_code
    try:
        if args.self_check:
            from dispatch_desktop.ui.shell.self_check import run_self_check as run
        else:
            from dispatch_desktop.ui.shell.app import run_console as run
    except ImportError as exc:
        print(f"error: the console cannot start: {exc}", file=sys.stderr)
        return 1
    try:
        return run(args)
    except DispatchError as exc:  # a home folder the program cannot use, before any window
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
