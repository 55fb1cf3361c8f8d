"""4. Big tables: the Bookings tab vs a naive load-everything QTableWidget, SQLite and PostgreSQL."""

import contextlib
import json
import os
import subprocess
import time

import psutil

from tests.bench.bulk import SEARCH_TEXT, pg_bookings, sqlite_bookings
from tests.bench.common import PYTHON, ROOT, Table, pg_available, progress, ratio

NAME = "tables"


def measure(url: str, kind: str, timeout: float) -> dict:
    """Run tables_runner in a fresh process; peak RSS is also sampled from outside (psutil)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DISPATCH_BENCH_STEP_TIMEOUT": str(timeout)}
    proc = subprocess.Popen(
        [PYTHON, "-m", "tests.bench.tables_runner", url, kind],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    watched = psutil.Process(proc.pid)
    peak, started = 0, time.monotonic()
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, watched.memory_info().rss)
        if time.monotonic() - started > timeout:
            proc.kill()
            proc.wait()
            return {"timeout": timeout, "rss_mb": peak / 2**20}
        time.sleep(0.05)
    out = proc.stdout.read() if proc.stdout else ""
    for line in out.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[7:])
            result["rss_mb"] = max(result["rss_mb"], peak / 2**20)
            return result
    return {"error": f"exit {proc.returncode}", "rss_mb": peak / 2**20}


def _ms(result: dict, key: str) -> str:
    if "timeout" in result:
        return f">{result['timeout']:.0f} s"
    if "error" in result:
        return result["error"]
    return f"{result[key]:,.0f}"


def run(quick: bool) -> Table:
    sizes = (20_000, 100_000) if quick else (100_000, 1_000_000)
    naive_timeout = 60.0 if quick else 240.0
    table = Table(
        "4. Big tables: Bookings tab (lazy model) vs naive QTableWidget; times in ms from the action "
        "to the first paint showing the result",
        [
            "backend",
            "bookings",
            "view",
            "first rows",
            f"filter '{SEARCH_TEXT}'",
            "scroll to end",
            "peak RSS MB",
            "naive ÷ lazy (first rows)",
        ],
    )
    backends = ["sqlite"] + (["postgresql"] if pg_available() else [])
    verdicts = []
    for backend in backends:
        for n in sizes:
            url = f"sqlite:///{sqlite_bookings(n)}" if backend == "sqlite" else pg_bookings(n)
            progress(f"tables: {backend} {n:,} lazy")
            lazy = measure(url, "lazy", 600.0)
            if quick and n != sizes[0]:
                naive = {"error": "not run in --quick", "rss_mb": float("nan")}
            else:
                progress(f"tables: {backend} {n:,} naive")
                naive = measure(url, "naive", naive_timeout)
            for label, result in (("lazy (BookingsPage)", lazy), ("naive QTableWidget", naive)):
                if label.startswith("lazy"):
                    last = "1.00×"
                elif "first" in naive and "first" in lazy:
                    last = ratio(naive["first"], lazy["first"])
                elif "timeout" in naive and "first" in lazy:
                    last = f">{ratio(naive['timeout'] * 1000, lazy['first'])}"
                else:
                    last = "–"
                table.add(
                    backend,
                    f"{n:,}",
                    label,
                    _ms(result, "first"),
                    _ms(result, "filter"),
                    _ms(result, "scroll"),
                    "–" if result["rss_mb"] != result["rss_mb"] else f"{result['rss_mb']:.0f}",
                    last,
                )
            if "first" in lazy and n == 100_000:
                verdicts.append(
                    f"{backend} 100,000: first rows {lazy['first']:.0f} ms (target <300), filter "
                    f"{lazy['filter']:.0f} ms (target <200) → "
                    f"{'met' if lazy['first'] < 300 and lazy['filter'] < 200 else 'MISSED'}"
                )
            if "filter" in lazy and n == 100_000 and backend == "postgresql":
                verdicts.append(
                    f"issue 17, postgresql 100,000: text filter {lazy['filter']:.0f} ms (target <150) → "
                    f"{'met' if lazy['filter'] < 150 else 'MISSED'}"
                )
            if n == 1_000_000:
                verdicts.append(
                    f"{backend} 1,000,000: peak RSS {lazy['rss_mb']:.0f} MB (target <300) → "
                    f"{'met' if lazy['rss_mb'] < 300 else 'MISSED'}"
                )
    table.notes.extend(verdicts)
    table.notes.append(
        "each cell is one fresh process (clean RSS); filter = Enter in the search box (the typing "
        "debounce of the page is not counted); naive runs are stopped after their time limit"
    )
    return table
