"""Run service calls off the UI thread and tell every pane when data changed.

Modelled on Anki's QueryOp/CollectionOp: a callable runs on a QThreadPool worker
(which opens its own database Session through the services), and its result or
error comes back to the UI thread through a signal.
"""

import logging
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from dispatch_desktop.domain.errors import DispatchError
from dispatch_desktop.ui.kit.changes import Change

log = logging.getLogger("dispatch_desktop.ui")
T = TypeVar("T")
Progress = Callable[[int, int], None]  # progress(done, total)
# What runs on the worker: called with no argument, or with a Progress when `on_progress` is given.
Work = Callable[[], T] | Callable[[Progress], T]


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)


class _Job(QRunnable, Generic[T]):
    # `work` is a Work[T]: `wants_progress` says which of its two forms.
    def __init__(self, work: Callable[..., T], wants_progress: bool) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.signals = _Signals()
        self._work = work
        self._wants_progress = wants_progress

    @Slot()
    def run(self) -> None:
        try:
            result = self._work(self.signals.progressed.emit) if self._wants_progress else self._work()
        except DispatchError as exc:
            self.signals.failed.emit(exc)
        except Exception as exc:  # an unexpected fault must reach the user, not vanish in a thread
            log.error("background operation failed:\n%s", traceback.format_exc())
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)


class Operations(QObject):
    """The console's one place to start background work and to broadcast changes."""

    changed = Signal(object)  # a Change: what changed, for every pane to decide whether to reload
    busy_changed = Signal(bool)
    failed = Signal(str)  # a one-line message for the status bar when no handler took the error

    def __init__(self, pool: QThreadPool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._running = 0
        self._live: set[_Job[Any]] = set()

    @property
    def running(self) -> int:
        return self._running

    def run(
        self,
        work: Work[T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        *,
        changes: Change | None = None,
        on_progress: Progress | None = None,
        quiet: bool = False,
    ) -> None:
        """Run `work()` on a worker; `on_done(result)` runs on the UI thread.

        With `changes`, every pane hears what changed once the work succeeded.
        With `on_progress`, `work` receives a `progress(done, total)` callable.
        With `quiet`, the work is periodic background work nobody is waiting for (delivery,
        polls): it is not counted in `running` and never turns the busy indicator on.
        """
        job: _Job[T] = _Job(work, on_progress is not None)
        self._live.add(job)
        if not quiet:
            self._running += 1
            if self._running == 1:
                self.busy_changed.emit(True)

        def finish() -> None:
            self._live.discard(job)
            if quiet:
                return
            self._running -= 1
            if self._running == 0:
                self.busy_changed.emit(False)

        def succeeded(result: T) -> None:
            finish()
            if on_done is not None:
                on_done(result)
            if changes:
                self.changed.emit(changes)

        def failed(error: Exception) -> None:
            finish()
            if on_error is not None:
                on_error(error)
            else:
                self.failed.emit(one_line(error))

        job.signals.succeeded.connect(succeeded)
        job.signals.failed.connect(failed)
        if on_progress is not None:
            job.signals.progressed.connect(on_progress)
        self.pool.start(job)


def one_line(error: BaseException) -> str:
    """What a person reads: the message of a known error, a short note for anything else."""
    if isinstance(error, DispatchError):
        return str(error)
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"unexpected error: {first} (details in the log)"
