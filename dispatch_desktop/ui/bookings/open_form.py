"""One booking form per booking in the whole console: a second request focuses the open one."""

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from dispatch_desktop.services.views import BookingView
from dispatch_desktop.ui.bookings.form import BookingForm
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import is_alive


def open_booking_form(
    console: ConsoleContext,
    view: BookingView,
    parent: QWidget,
    on_saved: Callable[[BookingView], object],
) -> BookingForm:
    """The booking's open form, raised, or a new one (freed by Qt once closed)."""
    key = ("booking", view.id)
    existing = console.open_windows.get(key)
    if isinstance(existing, BookingForm) and is_alive(existing) and existing.isVisible():
        existing.raise_()
        existing.activateWindow()
        return existing
    form = BookingForm(console, view, parent)
    form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    form.saved.connect(on_saved)
    console.open_windows[key] = form
    form.finished.connect(lambda _result: _forget(console, key, form))
    form.open()
    return form


def _forget(console: ConsoleContext, key: tuple[str, int], form: BookingForm) -> None:
    if console.open_windows.get(key) is form:
        del console.open_windows[key]
