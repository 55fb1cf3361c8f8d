"""12. The board's week: one range query for seven days against seven day loads, and drawing it.

On the SQLite file of bench_tables (100 000 bookings, about 480 a day over 50 agents; 20 000 with
--quick): `load_board_week` side by side with `load_board_day` called for each of the week's days,
and the week board's draw (offscreen Qt) side by side with the day board's draw of its busiest day,
and the longest single step of scrolling through the week (its paint included; median of the runs).
"""

import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication

from dispatch_desktop.config import Config
from dispatch_desktop.services.board import BoardDay, load_board_day, load_board_week
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.ui.board.page import BoardPage
from dispatch_desktop.ui.board.week_page import WeekBoard
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.operations import Operations
from tests.bench.bulk import sqlite_bookings
from tests.bench.common import Table, median, progress, ratio

NAME = "board_week"


def _ms(action: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return median(times)


def run(quick: bool) -> Table:
    n = 20_000 if quick else 100_000
    reps = 5 if quick else 9
    table = Table(
        f"12. The board's week: SQLite, {n:,} bookings; median ms, the week against seven days",
        ["step", "the week", "seven days / the busiest day", "week ÷ days"],
    )
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "board.db"
        shutil.copy(sqlite_bookings(n), path)
        db = Database(f"sqlite:///{path}")
        ctx = ServiceContext(db, "bench")
        monday = ctx.team_settings().first_day_of_week(load_board_day(ctx).day)
        days = [monday + timedelta(days=i) for i in range(7)]
        progress("board_week: loads")
        week_ms = _ms(lambda: load_board_week(ctx, monday), reps)
        days_ms = _ms(lambda: [load_board_day(ctx, day) for day in days], reps)
        table.add(
            "load (one range query / 7 day loads)",
            f"{week_ms:.1f}",
            f"{days_ms:.1f}",
            ratio(week_ms, days_ms),
        )

        progress("board_week: drawing")
        console = ConsoleContext(
            ctx=ctx, ops=Operations(), home=Path(tmp), config=Config(), actor=ctx.actor()
        )
        week = load_board_week(ctx, monday)
        busiest: BoardDay = max((load_board_day(ctx, day) for day in days), key=lambda d: len(d.bookings))
        week_board = WeekBoard(console, True, print)
        week_board.resize(1440, 800)
        week_board.data = week
        day_board = BoardPage(console)
        day_board.resize(1440, 800)
        day_board.data = busiest
        week_board.show()  # the day board stays hidden: shown, it would load today over `busiest`
        app.processEvents()
        draw_week, draw_day = _ms(week_board.draw, reps), _ms(day_board.draw, reps)
        in_sight = len(week_board.blocks())
        bar = week_board.view.verticalScrollBar()

        notch = bar.singleStep() * 3
        steps: list[tuple[float, float]] = []  # each scroll step: wall ms, CPU ms

        def scroll_through() -> None:
            # A wheel notch at a time, each step timed with the paint it triggers, and the event loop
            # let run between notches, as between a user's (its own work not counted as a step).
            week_board.view.viewport().repaint()  # the first paint is the draw's, not a scroll step's
            app.processEvents()
            for value in range(notch, bar.maximum() + notch, notch):
                wall, cpu = time.perf_counter(), time.process_time()
                bar.setValue(value)
                week_board.view.viewport().repaint()
                steps.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
                app.processEvents()

        def from_the_top() -> None:
            bar.setValue(0)  # a pass begins at the first agent, not where the last one ended
            week_board.draw()

        whole = _ms(lambda: (from_the_top(), scroll_through()), reps)
        longest: list[tuple[float, float]] = []
        for _ in range(reps):
            steps.clear()
            from_the_top()
            scroll_through()
            longest.append((max(wall for wall, _cpu in steps), max(cpu for _wall, cpu in steps)))
        for label, ms in (
            ("draw (the week in sight / its busiest day)", draw_week),
            ("draw, then scroll to the last agent", whole),
            ("longest scroll step of 3 wheel lines, wall", median([wall for wall, _cpu in longest])),
            ("longest scroll step of 3 wheel lines, CPU", median([cpu for _wall, cpu in longest])),
        ):
            table.add(label, f"{ms:.1f}", f"{draw_day:.1f}", ratio(ms, draw_day))
        table.notes.append(
            f"the week holds {len(week.bookings) + len(week.unassigned):,} bookings: {in_sight:,} blocks made in "
            f"and near sight, {len(week_board.blocks()):,} once scrolled through; the busiest day "
            f"{len(busiest.bookings):,} in {len(day_board.blocks()):,} blocks"
        )
        week_board.deleteLater()
        day_board.deleteLater()
        app.processEvents()
        db.dispose()
    return table
