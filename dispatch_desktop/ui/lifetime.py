"""Background results for widgets that may be gone by the time the result arrives."""

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject

from dispatch_desktop.ui.operations import Operations


def while_alive(owner: QObject, callback: Callable[..., Any] | None) -> Callable[..., None] | None:
    """`callback`, skipped once `owner` is deleted (a dialog closed before its lookup finished)."""
    if callback is None:
        return None

    def call(*args: Any) -> None:
        if shiboken6.isValid(owner):
            callback(*args)

    return call


def run_for(
    owner: QObject,
    ops: Operations,
    work: Callable[[], Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
    **options: Any,
) -> None:
    """`ops.run(...)` whose callbacks only run while `owner` still exists."""
    ops.run(work, while_alive(owner, on_done), while_alive(owner, on_error), **options)
