"""Windows and dialogs fit the screen they open on, whatever size they were made or saved at."""

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QWidget


def fit_to_screen(window: QWidget) -> None:
    """Shrink and move a window into the screen it opens on: a layout saved at another scale
    factor (or on a bigger monitor) must not open with its edges or title bar off-screen."""
    screen = window.screen().availableGeometry()
    frame = window.frameGeometry()
    margins = frame.size() - window.geometry().size()  # the title bar and borders
    width = min(window.width(), screen.width() - margins.width())
    height = min(window.height(), screen.height() - margins.height())
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    fitted = QRect(window.frameGeometry())
    fitted.moveLeft(max(screen.left(), min(fitted.left(), screen.right() - fitted.width() + 1)))
    fitted.moveTop(max(screen.top(), min(fitted.top(), screen.bottom() - fitted.height() + 1)))
    if fitted.topLeft() != window.frameGeometry().topLeft():
        window.move(fitted.topLeft())
