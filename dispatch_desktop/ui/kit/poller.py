"""Ask the services something every few seconds, on a worker, one question at a time.

The live-refresh watcher, the alert banners, the log pane, the call-center confirmation and the
delivery timer all poll this way: never two questions out at once (a slow database must not pile
them up), an answer for a widget that is gone is dropped, and the work is quiet (it never turns
the busy indicator on).
"""

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.operations import Operations


class Poller(QObject):
    """Runs `work` every `interval_ms` (and on `poll()`); `on_result` or `on_error` get the answer.

    `poll()` while a question is out asks again once its answer is in when `coalesce` is on
    (something changed meanwhile), and is dropped when it is off (a timer tick). `poll_again()`
    always asks again. With `due`, a timer tick asks only while `due()` is true (a hidden pane).
    """

    def __init__(
        self,
        owner: QObject,
        ops: Operations,
        work: Callable[[], Any],
        on_result: Callable[[Any], None],
        on_error: Callable[[Exception], None] | None = None,
        *,
        interval_ms: int | None = None,
        coalesce: bool = True,
        due: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(owner)
        self.owner = owner
        self.ops = ops
        self.work = work
        self.on_result = on_result
        self.on_error = on_error
        self.coalesce = coalesce
        self.due = due
        self.polls = 0  # answers received
        self._in_flight = False
        self._again = False
        self.timer = QTimer(self)
        if interval_ms is not None:
            self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)

    @property
    def in_flight(self) -> bool:
        return self._in_flight

    @property
    def again_pending(self) -> bool:
        """Another question follows the one that is out (`on_result` may wait for that answer)."""
        return self._again

    def start(self, *, now: bool = True) -> None:
        """Poll every interval from now on, and at once unless `now` is false."""
        self.timer.start()
        if now:
            self.poll()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        if self.due is None or self.due():
            self.poll()

    def poll(self) -> None:
        if self._in_flight:
            self._again = self._again or self.coalesce
            return
        self._in_flight = True
        run_for(self.owner, self.ops, self.work, self._arrived, self._failed, quiet=True)

    def poll_again(self) -> None:
        """Ask now, or once the answer that is out is in."""
        if self._in_flight:
            self._again = True
        else:
            self.poll()

    def _arrived(self, result: Any) -> None:
        self._in_flight = False
        self.polls += 1
        self.on_result(result)
        self._next()

    def _failed(self, error: Exception) -> None:
        self._in_flight = False
        if self.on_error is not None:
            self.on_error(error)
        self._next()

    def _next(self) -> None:
        if self._again:
            self._again = False
            self.poll()


class Polled:
    """For a widget whose `poller` is its whole polling: start, stop, poll now, answers so far."""

    poller: Poller

    @property
    def polls(self) -> int:
        return self.poller.polls

    def start(self) -> None:
        self.poller.start()

    def stop(self) -> None:
        self.poller.stop()

    def poll(self) -> None:
        """Ask now; when a question is out, what the poller's `coalesce` says."""
        self.poller.poll()
