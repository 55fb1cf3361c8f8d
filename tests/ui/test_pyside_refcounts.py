"""Guards the PySide6 pin: 6.12.0 on Python 3.11 drops a reference to None on every void Qt
call and to True on every emit, and the interpreter aborts (none_dealloc) after enough of them,
which a console open all day reaches. Run in a child process so an abort fails this test
instead of killing the test run. Counted after a warm-up: on Python 3.12+ (Ubuntu 24.04), where
None and True are immortal, the first calls move True's count once by a few hundred."""

import os
import subprocess
import sys
import textwrap

CALLS = 200_000


def test_a_day_of_qt_calls_keeps_none_and_true_alive() -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from PySide6.QtCore import QObject, Signal
        from PySide6.QtWidgets import QApplication, QLabel

        class Probe(QObject):
            ping = Signal(bool)

        app = QApplication([])
        label, probe = QLabel(), Probe()
        probe.ping.connect(lambda value: None)
        for _ in range(1_000):
            label.setText("x")
            probe.ping.emit(True)
        none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
        for _ in range({CALLS}):
            label.setText("x")
            probe.ping.emit(True)
        print(sys.getrefcount(None) - none_before, sys.getrefcount(True) - true_before)
        """
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-500:]
    none_lost, true_lost = (-int(n) for n in result.stdout.split())
    assert none_lost < 100 and true_lost < 100, f"PySide6 leaks: None {none_lost}, True {true_lost}"
