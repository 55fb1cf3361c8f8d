"""The one periodic-poll helper: one question out at a time, asked again when news came meanwhile, quiet."""

import threading

from PySide6.QtCore import QObject

from dispatch_desktop.ui.kit.operations import Operations
from dispatch_desktop.ui.kit.poller import Poller
from tests.ui.conftest import drain


class Question:
    """Work that blocks until released, counting how often it was asked."""

    def __init__(self) -> None:
        self.asked = 0
        self.release = threading.Event()

    def __call__(self) -> int:
        self.asked += 1
        self.release.wait(10)
        return self.asked


OWNERS: list[QObject] = []  # the widgets the pollers belong to, alive for the whole run


def _poller(question: Question, **options) -> tuple[Poller, list[int], Operations]:
    ops = Operations()
    answers: list[int] = []
    OWNERS.append(QObject())
    return Poller(OWNERS[-1], ops, question, answers.append, **options), answers, ops


def test_news_while_asking_asks_once_more_after_the_answer(qtbot):
    question = Question()
    poller, answers, ops = _poller(question)
    poller.poll()
    poller.poll()
    poller.poll()
    assert poller.in_flight and poller.again_pending and ops.running == 0  # quiet: no busy indicator
    question.release.set()
    qtbot.waitUntil(lambda: answers == [1, 2], timeout=5_000)
    drain()
    assert question.asked == 2 and poller.polls == 2 and not poller.in_flight


def test_a_tick_while_asking_is_dropped_unless_asked_again_on_purpose(qtbot):
    question = Question()
    poller, answers, _ops = _poller(question, coalesce=False)
    poller.poll()
    poller.poll()  # a timer tick: the next one comes anyway
    assert not poller.again_pending
    poller.poll_again()  # "send due now" from the menu
    assert poller.again_pending
    question.release.set()
    qtbot.waitUntil(lambda: answers == [1, 2], timeout=5_000)
    drain()
    assert question.asked == 2


def test_timer_ticks_ask_only_while_due(qtbot):
    question = Question()
    question.release.set()
    due = [False]
    poller, answers, _ops = _poller(question, interval_ms=20, due=lambda: due[0])
    poller.start(now=False)
    qtbot.wait(120)
    assert question.asked == 0
    due[0] = True
    qtbot.waitUntil(lambda: len(answers) >= 2, timeout=5_000)
    poller.stop()
    drain()


def test_a_failed_question_is_reported_and_the_next_one_still_goes_out(qtbot):
    ops = Operations()
    errors: list[Exception] = []
    calls: list[int] = []

    def flaky() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("database unreachable")
        return len(calls)

    owner = QObject()
    poller = Poller(owner, ops, flaky, lambda _v: None, errors.append)
    poller.poll()
    qtbot.waitUntil(lambda: errors != [], timeout=5_000)
    assert str(errors[0]) == "database unreachable" and not poller.in_flight
    poller.poll()
    qtbot.waitUntil(lambda: poller.polls == 1, timeout=5_000)
    drain()
