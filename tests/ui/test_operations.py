"""Background work: what a person started shows the busy indicator, periodic work does not."""

from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.operations import Operations


def test_quiet_work_never_turns_the_busy_indicator_on(qtbot):
    ops = Operations()
    busy: list[bool] = []
    ops.busy_changed.connect(busy.append)
    results: list[int] = []
    ops.run(lambda: 1, results.append, quiet=True)
    assert ops.running == 0
    qtbot.waitUntil(lambda: results == [1], timeout=5_000)
    assert busy == [] and ops.running == 0

    ops.run(lambda: 2, results.append)
    assert ops.running == 1 and busy == [True]
    qtbot.waitUntil(lambda: results == [1, 2], timeout=5_000)
    assert busy == [True, False] and ops.running == 0


def test_finished_work_tells_every_pane_what_changed_as_flags(qtbot):
    ops = Operations()
    heard: list[Change] = []
    ops.changed.connect(heard.append)
    ops.run(lambda: 1, changes=Change.BOOKINGS | Change.OUTBOX)
    qtbot.waitUntil(lambda: heard != [], timeout=5_000)
    assert heard == [Change.BOOKINGS | Change.OUTBOX]
    assert Change.OUTBOX in heard[0] and Change.AGENTS not in heard[0]
    assert all(flag in Change.ALL for flag in Change)
