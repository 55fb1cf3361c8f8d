"""Starting the Qt console: `dispatch-desktop` with no command, --demo or --self-check.

The one place the command line imports ui (tests/core/test_layering.py allows this module only),
and only when the console starts, so no command loads Qt.
"""

import argparse
import sys

from dispatch_desktop.domain.errors import DispatchError


def open_console(args: argparse.Namespace) -> int:
    from dispatch_desktop.ui.shell.platform_check import check_platform

    try:
        check_platform()  # Qt aborts the process when a library or the display is missing
    except DispatchError as exc:
        print(f"error: the console cannot start: {exc}", file=sys.stderr)
        return exc.exit_code
    try:
        from dispatch_desktop.ui.shell.app import run_console
        from dispatch_desktop.ui.shell.self_check import run_self_check
    except ImportError as exc:
        print(f"error: the console cannot start: {exc}", file=sys.stderr)
        return 1
    return run_self_check(args) if args.self_check else run_console(args)
