"""How command modules declare their commands: groups, commands and the options they share."""

import argparse
from collections.abc import Callable
from typing import Any, NoReturn

from dispatch_desktop.cli import args


class UsageError(Exception):
    """A command line argparse cannot read; main() reports it like any other bad input."""


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _json_parent() -> ArgumentParser:
    parent = ArgumentParser(add_help=False)
    parent.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document"
    )
    return parent


def _queue_parent() -> ArgumentParser:
    parent = ArgumentParser(add_help=False)
    parent.add_argument(
        "--queue-only", action="store_true", help="queue notifications; do not deliver them now"
    )
    return parent


class Commands:
    """The top-level COMMAND list, handed to each command module's `register`."""

    def __init__(self, parser: ArgumentParser, common: ArgumentParser) -> None:
        self.common = common
        self.queue = _queue_parent()
        self.sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)

    def group(
        self, name: str, help_text: str, *, under: Any = None, dest: str = "action", metavar: str = "ACTION"
    ) -> Any:
        """A command word whose ACTION (or another word) must follow."""
        word = (under or self.sub).add_parser(name, help=help_text)
        return word.add_subparsers(dest=dest, metavar=metavar, required=True, parser_class=ArgumentParser)

    def command(
        self,
        parent: Any,
        name: str,
        handler: Callable[..., int],
        help_text: str,
        *,
        queues: bool = False,
    ) -> ArgumentParser:
        """A command that runs `handler`; `queues`: it queues notifications (--queue-only)."""
        extra = [self.queue] if queues else []
        cmd = (parent or self.sub).add_parser(name, help=help_text, parents=[self.common, *extra])
        cmd.set_defaults(func=handler)
        return cmd


def new_parser(**kwargs: Any) -> tuple[ArgumentParser, ArgumentParser]:
    """The top-level parser and the --json parent every command shares with it."""
    common = _json_parent()
    return ArgumentParser(parents=[common], **kwargs), common


def expect_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--expect-version", type=args.version, metavar="V", help="refuse if the record changed since V"
    )
