"""Tabs whose pages are built the first time they are shown, so the console starts with only the
page a person sees first: a pane's module is imported and its widgets made on first show."""

from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QTabWidget, QWidget


class LazyTab(QWidget):
    """An empty page holding the place of the page `factory` makes, until `build_in_place`."""

    def __init__(self, factory: Callable[[], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.factory = factory


def build_in_place(tabs: QTabWidget, index: int) -> QWidget | None:
    """Put the page of the LazyTab at `index` in its place (same title, still current if it was);
    None when that tab holds a page already."""
    placeholder = tabs.widget(index)
    if not isinstance(placeholder, LazyTab):
        return None
    page = placeholder.factory()
    current = tabs.currentIndex() == index
    # The page goes in before the placeholder leaves, so no other tab is shown in between.
    with QSignalBlocker(tabs):
        tabs.insertTab(index, page, tabs.tabText(index))
        if current:
            tabs.setCurrentIndex(index)
        tabs.removeTab(index + 1)
    placeholder.deleteLater()
    return page
