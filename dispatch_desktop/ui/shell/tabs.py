"""The main window's tabs: each page under a key, the ones nobody sees at start-up held by a
LazyTab until first shown, and the factories of those (a pane's module is imported in its own)."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.shell.lazy_tab import LazyTab, build_in_place


class PageTabs(QTabWidget):
    page_ready = Signal(str, QWidget)  # key, page: added, or built on its first show

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDocumentMode(True)
        self.pages: dict[str, QWidget] = {}  # the pages built so far
        self._held: dict[str, QWidget] = {}  # what each tab holds: its page or its LazyTab
        self.currentChanged.connect(self._build)

    def add(self, key: str, page: QWidget, title: str) -> None:
        self._held[key] = page
        self.addTab(page, title)
        if not isinstance(page, LazyTab):
            self._ready(key, page)

    def _ready(self, key: str, page: QWidget) -> None:
        page.setObjectName(f"page_{key}")
        self.pages[key] = page
        self.page_ready.emit(key, page)

    def _build(self, index: int) -> None:
        tab = self.widget(index)
        key = next((key for key, held in self._held.items() if held is tab), None)
        page = build_in_place(self, index)
        if key is not None and page is not None:
            self._held[key] = page
            self._ready(key, page)

    def page(self, key: str) -> QWidget | None:
        """The page of a tab, built now if it was not yet; None when this operator has no such tab."""
        tab = self._held.get(key)
        if isinstance(tab, LazyTab):
            self._build(self.indexOf(tab))
        return self._held.get(key)

    def show_page(self, key: str) -> bool:
        tab = self._held.get(key)
        if tab is None:
            return False
        self.setCurrentWidget(tab)
        self._build(self.currentIndex())  # when its signal did not come (it was current already)
        return True

    def current_key(self) -> str | None:
        return next((key for key, tab in self._held.items() if tab is self.currentWidget()), None)

    def titles(self) -> list[str]:
        return [self.tabText(i).replace("&", "") for i in range(self.count())]


def call_center_panel(console: ConsoleContext) -> QWidget:
    from dispatch_desktop.ui.call_center.panel import CallCenterPanel

    return CallCenterPanel(console)


def board_page(console: ConsoleContext) -> QWidget:
    from dispatch_desktop.ui.board.page import BoardPage

    return BoardPage(console)


def time_off_page(console: ConsoleContext) -> QWidget:
    from dispatch_desktop.ui.timeoff.page import TimeOffPage

    return TimeOffPage(console)


def agents_page(console: ConsoleContext) -> QWidget:
    from dispatch_desktop.ui.people.agents import AgentsPage

    return AgentsPage(console)


def operators_page(console: ConsoleContext) -> QWidget:
    from dispatch_desktop.ui.people.operators import OperatorsPage

    return OperatorsPage(console)
