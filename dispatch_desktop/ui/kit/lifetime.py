"""Object lifetimes across threads: results for widgets that may be gone, and where GC runs."""

import gc
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDialog, QWidget

from dispatch_desktop.ui.kit.operations import Operations, Work

P = ParamSpec("P")
T = TypeVar("T")


def is_alive(owner: QObject) -> bool:
    """False once Qt deleted the object (a dialog closed with WA_DeleteOnClose)."""
    return shiboken6.isValid(owner)


def while_alive(owner: QObject, callback: Callable[P, object] | None) -> Callable[P, None] | None:
    """`callback`, skipped once `owner` is deleted (a dialog closed before its lookup finished)."""
    if callback is None:
        return None

    def call(*args: P.args, **kwargs: P.kwargs) -> None:
        if shiboken6.isValid(owner):
            callback(*args, **kwargs)

    return call


def run_for(
    owner: QObject,
    ops: Operations,
    work: Work[T],
    on_done: Callable[[T], object] | None = None,
    on_error: Callable[[Exception], object] | None = None,
    **options: Any,
) -> None:
    """`ops.run(...)` whose callbacks only run while `owner` still exists."""
    ops.run(work, while_alive(owner, on_done), while_alive(owner, on_error), **options)


def retire(dialog: QWidget | None) -> None:
    """Free a finished dialog once a new one replaces it (open dialogs stay alive while shown)."""
    if dialog is not None and not dialog.isVisible():
        dialog.deleteLater()


W = TypeVar("W", bound=QWidget)
D = TypeVar("D", bound=QDialog)


class OpenDialogs:
    """Python references to the dialogs a window opened, so none is collected while shown."""

    def __init__(self) -> None:
        self.open: list[QWidget] = []

    def keep(self, widget: W) -> W:
        self.open = [d for d in self.open if is_alive(d) and d.isVisible()]
        self.open.append(widget)
        return widget

    def show(self, dialog: D) -> D:
        """Open `dialog` window-modal (freed by Qt once closed) and keep it."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return self.keep(dialog)


def keep_startup_objects() -> None:
    """Leave every object alive now out of later collections: modules, classes, the window and its
    panes live as long as the console. A full collection walking the ~110,000 of them took the UI
    thread 70-90 ms each time one came due; after this it walks only what came later."""
    gc.freeze()


class MainThreadGarbageCollector(QObject):
    """Runs Python's cyclic garbage collection on the UI thread only.

    Automatic collection runs in whichever thread happens to allocate. When that is a worker
    and the garbage holds a widget (a closed dialog in a reference cycle), Qt deletes the widget
    off the UI thread and the process crashes. Anki does the same for the same reason.
    """

    # Every 100 ms, so a young collection walks a tenth of a second's new objects: checked once a
    # second, it walked a second's (a save's rows and views) and took the UI thread up to 20 ms.
    def __init__(self, parent: QObject | None = None, interval_ms: int = 100) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.collect)
        self.timer.start()

    def collect(self) -> None:
        """Collect the generations automatic collection would have, judged by the same thresholds."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        if counts[0] <= thresholds[0]:
            return
        generation = 0
        if counts[1] > thresholds[1]:
            generation = 2 if counts[2] > thresholds[2] else 1
        gc.collect(generation)

    def stop(self) -> None:
        self.timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
