"""Work around a PySide6 reference-count bug that aborts a long-running console on Python 3.11.

With PySide6 6.12 on CPython 3.11, Python calls into Qt give back `None` and `True` without
taking a reference: each void method call (setText, beginInsertRows, ...) lowers the refcount
of None by one, and each `Signal.emit()` that of True. After some tens of thousands of calls
(a console polls, logs and repaints all day) CPython aborts with "Fatal Python error:
none_dealloc" or "bool_dealloc". Python 3.12 made these singletons immortal, which hides it.

The fix does what 3.12 does: give None, True and False a refcount so large it never reaches
zero. It is applied only when the leak is measured, so it goes away once PySide6 is fixed.
"""

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

# Far more calls than a console could make in years, yet far from overflowing Py_ssize_t.
_HEADROOM = 1 << 40
_SINGLETONS = (None, True, False)
_applied = False


class _Probe(QObject):
    ping = Signal()


def _give_back(value: object, count: int) -> None:
    for _ in range(count):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(value))


def pyside_leaks_singletons() -> bool:
    """Whether a void Qt call lowers None's refcount or an emit lowers True's (the PySide6 bug)."""
    if sys.version_info >= (3, 12):
        return False  # immortal there: their refcounts no longer move
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    probe.setObjectName("probe")
    probe.ping.emit()
    lost_none = none_before - sys.getrefcount(None)
    lost_true = true_before - sys.getrefcount(True)
    _give_back(None, max(0, lost_none))
    _give_back(True, max(0, lost_true))
    probe.deleteLater()
    return lost_none > 0 or lost_true > 0


def make_singletons_immortal() -> bool:
    """Apply the workaround once per process if needed; returns whether it is in effect."""
    global _applied
    if _applied:
        return True
    if not pyside_leaks_singletons():
        return False
    for value in _SINGLETONS:
        ctypes.c_ssize_t.from_address(id(value)).value += _HEADROOM
    _applied = True
    return True
