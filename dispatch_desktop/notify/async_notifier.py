"""Background delivery: `send_notifications_async`, the one entry every delivery goes through.

The console's timer, the command line after a change, `notifier run`, `notify test` and the
settings dialog's test send all call it (through services), each with its DeliveryPolicy.
"""

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from dispatch_desktop.config import Config
from dispatch_desktop.notify.delivery import DeliveryReport, deliver_due
from dispatch_desktop.storage.engine import Database


@dataclass(frozen=True)
class DeliveryPolicy:
    """Where callers differ: the worker name recorded on claimed rows, and how many rows a run takes."""

    worker_id: str
    limit: int | None = None  # None: everything due; a console takes its share and leaves the rest


_R = TypeVar("_R")
_executor_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def _default_executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            # One worker: deliveries from one process run one after another, never racing each other.
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dispatch-notify")
        return _executor


def send_notifications_async(
    db: Database, config: Config, policy: DeliveryPolicy, *, executor: Executor | None = None
) -> "Future[DeliveryReport]":
    """Deliver the due outbox rows on a background thread; the future's result is the run's report
    (or the DispatchError that ended it)."""
    pool = executor or _default_executor()
    return pool.submit(deliver_due, db, config, worker_id=policy.worker_id, limit=policy.limit)


def run_on_notifier_thread(job: Callable[[], _R], *, executor: Executor | None = None) -> "Future[_R]":
    """Another job of the notifier (the provider sync) on the same `dispatch-notify` thread, after
    the deliveries this process has out, so the two never race each other."""
    return (executor or _default_executor()).submit(job)
