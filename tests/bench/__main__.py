"""python -m tests.bench [--quick] [--only save,email,sms,tables,workstations,coldstart,receipts,inbound,claims,reach,templates] [--markdown FILE]

Full size by default; --quick runs the same benchmarks smaller (about three minutes in all).
"""

import argparse
import importlib
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

import tests.bench.common as common

BENCHES = {
    "save": "tests.bench.bench_save",  # 1. save latency on the UI thread
    "email": "tests.bench.bench_email",  # 2. email throughput
    "sms": "tests.bench.bench_sms",  # 3. SMS throughput
    "tables": "tests.bench.bench_tables",  # 4. big tables
    "workstations": "tests.bench.bench_workstations",  # 5. many notifier processes
    "coldstart": "tests.bench.bench_coldstart",  # 6. cold start
    "receipts": "tests.bench.bench_receipts",  # 7. delivery receipts: requests per sync pass
    "inbound": "tests.bench.bench_inbound",  # 8. two-way SMS
    "claims": "tests.bench.bench_claims",  # 9. claims while reminders wait
    "reach": "tests.bench.bench_reach",  # 10. who was not reached, on the bookings table's reads
    "templates": "tests.bench.bench_templates",  # 11. reading the template overrides per booking
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, under three minutes in all")
    parser.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(BENCHES)}")
    parser.add_argument("--markdown", metavar="FILE", help="also write the tables to this Markdown file")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()] or list(BENCHES)
    unknown = [name for name in chosen if name not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    header = (
        f"Dispatch Desktop benchmarks ({'quick' if args.quick else 'full'}), "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{platform.machine()} {platform.system()}, {_cpus()} CPUs"
    )
    print(header + "\n", flush=True)
    sections, failed = [header + "\n"], []
    started = time.perf_counter()
    for name in chosen:
        began = time.perf_counter()
        try:
            module = importlib.import_module(BENCHES[name])
            table = module.run(args.quick)
        except Exception:
            failed.append(name)
            print(f"### {name}: FAILED\n\n```\n{traceback.format_exc()}```\n", flush=True)
            sections.append(f"### {name}: FAILED\n")
            continue
        table.notes.append(f"took {time.perf_counter() - began:.0f} s")
        table.print()
        sections.append(table.render())
    print(f"all done in {time.perf_counter() - started:.0f} s", flush=True)
    if args.markdown:
        Path(args.markdown).write_text("\n".join(sections), encoding="utf-8")
    return 1 if failed else 0


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    assert common.ROOT.is_dir()
    sys.exit(main())
