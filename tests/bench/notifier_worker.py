"""One notifier process for benchmark 5: `python -m tests.bench.notifier_worker URL WORKER_ID`.

Runs the same delivery engine as `dispatch-desktop notifier run --once` and, once every process is ready and told to go
(a line on stdin), prints one JSON line:
when delivery started and ended (time.time()) and what it did.
"""

import json
import os
import sys
import time

os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

from dispatch_desktop.config import Config
from dispatch_desktop.notify import delivery
from dispatch_desktop.storage.engine import Database


def main() -> None:
    url, worker_id = sys.argv[1], sys.argv[2]
    db = Database(url)
    with db.read():
        pass  # connect before the clock starts, as a running notifier would have
    print("ready", flush=True)
    sys.stdin.readline()  # all processes start delivering together
    started = time.time()
    report = delivery.deliver_due(db, Config(), worker_id=worker_id)
    ended = time.time()
    db.dispose()
    print(json.dumps({"start": started, "end": ended, "counts": report.counts}), flush=True)


if __name__ == "__main__":
    main()
