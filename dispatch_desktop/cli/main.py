"""The command line: a thin shell over the services, for admins, imports and automation.

Exit codes: 0 ok, 2 invalid input, 3 conflict, 4 not permitted, 5 database or file unavailable,
schema out of date, or a file the program needs (message template, system library) missing,
70 unexpected error (traceback in HOME/logs/errors.log), 130 interrupted.
Errors are one line on stderr starting "error: ".

Words that name no command start the console straight away (cli/console.py): the commands, and
with them the services and SQLAlchemy, are imported only for a command (cli/program.py), so the
console's window shows first.
"""

import argparse
import logging
import sys
from collections.abc import Sequence

from dispatch_desktop.cli.console import console_args, open_console


def build_parser() -> argparse.ArgumentParser:
    from dispatch_desktop.cli import program

    return program.build_parser()


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    args = console_args(words)
    if args is None:
        from dispatch_desktop.cli import program

        return program.main(words)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    return open_console(args)
