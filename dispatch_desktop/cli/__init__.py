"""The command line, one module per command group under commands/ (see main.py).

Words that name no command start the console straight away: the commands, and with them the
services and SQLAlchemy, are imported only for a command, so the console's window shows first.
"""

import argparse
import logging
import sys
from collections.abc import Sequence

from dispatch_desktop.cli.console import console_args, open_console


def build_parser() -> argparse.ArgumentParser:
    from dispatch_desktop.cli.main import build_parser as full_parser

    return full_parser()


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    args = console_args(words)
    if args is None:
        from dispatch_desktop.cli.main import main as run_command

        return run_command(words)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    return open_console(args)


__all__ = ["build_parser", "main"]
