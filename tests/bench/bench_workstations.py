"""5. Many workstations: 1, 2 and 4 notifier processes over one PostgreSQL outbox."""

import json
import os
import subprocess
import time
from collections import Counter

from tests.bench.common import (
    PYTHON,
    ROOT,
    PgSchemas,
    ServerProcess,
    Table,
    migrated,
    outbox_counts,
    pg_available,
    pg_schema_url,
    progress,
    queue_outbox,
    ratio,
)

NAME = "workstations"
LATENCY = 0.05
PROCESSES = (1, 2, 4)


def run_once(schemas: PgSchemas, twilio: ServerProcess, smtp: ServerProcess, n: int, processes: int) -> dict:
    name = schemas.create()
    url = pg_schema_url(name)
    db = migrated(url)
    queue_outbox(db, sms=n // 2, email=n - n // 2, mixed=True, tag=f"ws{processes}")
    twilio.clear()
    smtp.clear()
    env = {**os.environ, **twilio.env, **smtp.env, "FLASK_ENV": "production", "PYTHONPATH": str(ROOT)}
    started = time.time()
    procs = [
        subprocess.Popen(
            [PYTHON, "-m", "tests.bench.notifier_worker", url, f"bench-ws-{i}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(processes)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outputs = [json.loads(p.communicate(timeout=900)[0].strip().splitlines()[-1]) for p in procs]
    wall = time.time() - started
    window = max(o["end"] for o in outputs) - min(o["start"] for o in outputs)
    keys = [f"sms:{k}" for k in twilio.received_keys()] + [f"email:{k}" for k in smtp.received_keys()]
    unique = set(keys)
    counts = outbox_counts(db)
    db.dispose()
    schemas.drop(name)
    shares = sorted(sum(o["counts"].values()) for o in outputs)
    return {
        "wall": wall,
        "window": window,
        "received": len(keys),
        "duplicates": sum(c - 1 for c in Counter(keys).values() if c > 1),
        "lost": n - len(unique),
        "sent": counts.get("sent", 0),
        "shares": shares,
    }


def run(quick: bool) -> Table:
    n = 600 if quick else 5000
    table = Table(
        f"5. Many workstations: {n} queued notifications (half SMS, half email) on PostgreSQL, "
        f"Twilio-like server at {LATENCY * 1000:.0f} ms",
        [
            "processes",
            "rows per process",
            "delivery s",
            "notif/s",
            "wall s (incl. start-up)",
            "received",
            "duplicates",
            "lost",
            "vs 1 process (rate)",
        ],
    )
    if not pg_available():
        table.notes.append("PostgreSQL not reachable: skipped")
        return table
    schemas = PgSchemas()
    base_rate = None
    try:
        with ServerProcess("twilio", "--latency", str(LATENCY)) as twilio, ServerProcess("smtp") as smtp:
            for processes in PROCESSES:
                progress(f"workstations: {processes} process(es) x {n}")
                result = run_once(schemas, twilio, smtp, n, processes)
                rate = n / result["window"]
                base_rate = base_rate or rate
                table.add(
                    processes,
                    "/".join(str(s) for s in result["shares"]),
                    result["window"],
                    rate,
                    result["wall"],
                    result["received"],
                    result["duplicates"],
                    result["lost"],
                    ratio(rate, base_rate),
                )
    finally:
        schemas.close()
    table.notes.append(
        "delivery s: first process starting delivery to the last one finishing; each process is a "
        "separate `deliver_due` (the engine behind `notifier run --once`) claiming with FOR UPDATE SKIP LOCKED"
    )
    table.notes.append(
        "received/duplicates/lost: counted at the servers by Message-ID and by the #n tag in each SMS"
    )
    return table
