"""The bookings table: holds only ids and fetches rows lazily, a page at a time, on a worker.

Shaped like Anki's browser table model: the id list is cheap even for 100 000 bookings, rows
are fetched when the view first asks for them, kept in a bounded LRU cache, and shown as "…"
until they arrive. Sorting is done by the database (BookingQuery.sort), never in Python.
"""

import struct
from collections import OrderedDict
from dataclasses import replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.services import bookings
from dispatch_desktop.services.bookings import BookingQuery
from dispatch_desktop.services.display import phone_for_display
from dispatch_desktop.services.views import BookingView
from dispatch_desktop.ui.bookings.labels import (
    RESCHEDULE_MARK,
    not_reached_marker,
    source_label,
    status_label,
)
from dispatch_desktop.ui.bookings.rows import (
    IdArray,
    RowLook,
    TableRow,
    columns,
    inserted_at,
    load_first_page,
    load_ids,
    row_look,
    tr,
)
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import plain_tip
from dispatch_desktop.ui.kit.style import overdue_fill

PLACEHOLDER = "…"
PAGE_SIZE = 200
CACHE_ROWS = 5_000
BookingIdRole = Qt.ItemDataRole.UserRole + 1
OverdueRole = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex

# data() and flags() run for every cell and role at every repaint: no enum arithmetic there.
FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
NO_FLAGS = Qt.ItemFlag.NoItemFlags
CLASH_RED = QColor("#d32f2f")  # a booking whose agent is off: the board's marker has the same red
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_BOOKING_ID = int(BookingIdRole)
_OVERDUE = int(OverdueRole)
CELL_ROLES = frozenset({_DISPLAY, _FOREGROUND, _BACKGROUND, _TOOLTIP, _FONT, _OVERDUE})
_BOLD: QFont | None = None  # made on first use: a QFont needs the application


def _bold() -> QFont:
    global _BOLD
    if _BOLD is None:
        _BOLD = QFont()
        _BOLD.setBold(True)
    return _BOLD


class BookingsModel(QAbstractTableModel):
    """Rows are booking ids in display order; cells come from a page cache filled on workers."""

    loaded = Signal(int)  # number of bookings after a (re)load
    load_started = Signal()
    load_failed = Signal(str)

    def __init__(self, console: ConsoleContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.columns = columns()
        self.query = BookingQuery()
        self.settings: TeamSettings | None = None
        self.ids = IdArray()
        self.loads = 0  # finished (re)loads, for tests and the busy indicator
        self.page_fetches = 0
        self._cache: OrderedDict[int, TableRow] = OrderedDict()
        self._stale: dict[int, TableRow] = {}
        self._status_column = next(i for i, c in enumerate(self.columns) if c.key == "status")
        self._agent_column = next(i for i, c in enumerate(self.columns) if c.key == "agent")
        self._overdue_fill: QColor | None = None
        self._fetching: set[int] = set()
        self._generation = 0
        self._loading = False
        self._reload_again = False

    # --- loading --------------------------------------------------------------------------

    def set_query(self, query: BookingQuery) -> None:
        """A new filter or sort: its first page first (one LIMIT query), then the ids behind it.

        Nothing on screen belongs to the new query, so it starts at once; results of an older
        load still under way are dropped when they arrive.
        """
        self.query = query
        self._start_load(first_page=True)

    def reload(self) -> None:
        """Fetch the id list again; rows already on screen stay visible until fresh ones arrive."""
        if self._loading:
            self._reload_again = True
            return
        self._start_load(first_page=False)

    def _start_load(self, first_page: bool) -> None:
        self._loading = True
        self._reload_again = False
        self.load_started.emit()
        self._generation += 1
        generation = self._generation
        ctx, query = self.console.ctx, self.query
        if first_page:
            run_for(
                self,
                self.console.ops,
                lambda: load_first_page(ctx, query, PAGE_SIZE),
                lambda result: self._first_page_arrived(generation, *result),
                lambda error: self._load_failed(generation, error),
            )
        else:
            self._load_ids(generation, counted=False)

    def _load_ids(self, generation: int, counted: bool) -> None:
        ctx, query = self.console.ctx, self.query
        run_for(
            self,
            self.console.ops,
            # A newer query makes this list useless: stop streaming it (the result is dropped).
            lambda: load_ids(ctx, query, lambda: self._generation != generation),
            lambda result: self._ids_arrived(generation, *result, counted=counted),
            lambda error: self._load_failed(generation, error),
        )

    def _forget_rows(self) -> None:
        # Cached rows may be out of date now: keep showing them, but fetch again when seen.
        self._stale.update(self._cache)
        self._cache.clear()
        self._fetching.clear()
        for old in list(self._stale)[: max(0, len(self._stale) - CACHE_ROWS)]:
            del self._stale[old]

    def _first_page_arrived(
        self, generation: int, views: list[BookingView], complete: bool, settings: TeamSettings
    ) -> None:
        if generation != self._generation:
            return
        self.settings = settings
        self._forget_rows()
        ids = IdArray(view.id for view in views)
        if ids != self.ids:
            self.beginResetModel()
            self.ids = ids
            self.endResetModel()
        self._cache_rows(views)
        if ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(ids) - 1, len(self.columns) - 1))
        self.loads += 1
        if complete:
            self._finish_load(len(ids))
        else:
            self._load_ids(generation, counted=True)  # the rest, in the background

    def _ids_arrived(self, generation: int, ids: IdArray, settings: TeamSettings, counted: bool) -> None:
        if generation != self._generation:
            return
        self.settings = settings
        if not counted:
            self._forget_rows()
        shown = len(self.ids)
        if ids == self.ids:
            if ids and not counted:
                self.dataChanged.emit(self.index(0, 0), self.index(len(ids) - 1, len(self.columns) - 1))
        elif counted and len(ids) > shown and ids[:shown] == self.ids:
            # The first page is on screen already: add the rows after it.
            self.beginInsertRows(QModelIndex(), shown, len(ids) - 1)
            self.ids = ids
            self.endInsertRows()
        elif (at := inserted_at(self.ids, ids)) is not None:
            self.beginInsertRows(QModelIndex(), at, at)
            self.ids = ids
            self.endInsertRows()
        else:
            self.beginResetModel()
            self.ids = ids
            self.endResetModel()
        if not counted:
            self.loads += 1
        self._finish_load(len(ids))

    def _finish_load(self, count: int) -> None:
        self._loading = False
        self.loaded.emit(count)
        if self._reload_again:
            self._reload_again = False
            self.reload()

    def _load_failed(self, generation: int, error: Exception) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self.load_failed.emit(one_line(error))
        if self._reload_again:
            self._reload_again = False
            self.reload()

    def _fetch_page(self, page: int) -> None:
        if page in self._fetching:
            return
        self._fetching.add(page)
        generation = self._generation
        page_ids = self.ids[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        ctx = self.console.ctx
        run_for(
            self,
            self.console.ops,
            lambda: bookings.bookings_by_ids(ctx, page_ids),
            lambda rows: self._page_arrived(generation, page, rows),
            lambda error: self._page_failed(generation, page, error),
        )

    def _page_arrived(self, generation: int, page: int, rows: dict[int, BookingView]) -> None:
        if generation != self._generation:
            return
        self.page_fetches += 1
        self._fetching.discard(page)
        self._cache_rows(rows.values())
        first = page * PAGE_SIZE
        last = min(len(self.ids), first + PAGE_SIZE) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))

    def _cache_rows(self, views: Any) -> None:
        self._overdue_fill = overdue_fill()
        for view in views:
            self._cache[view.id] = TableRow(view)
            self._cache.move_to_end(view.id)
            self._stale.pop(view.id, None)
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)

    def _page_failed(self, generation: int, page: int, error: Exception) -> None:
        if generation == self._generation:
            self._fetching.discard(page)
            self.load_failed.emit(one_line(error))

    # --- lookups --------------------------------------------------------------------------

    def booking_id(self, row: int) -> int | None:
        return self.ids[row] if 0 <= row < len(self.ids) else None

    def row_of(self, booking_id: int) -> int | None:
        """A byte search over the ids (22 ms at a million; a dict of rows would cost 67 MB)."""
        data, needle = self.ids.tobytes(), struct.pack("q", booking_id)
        found = data.find(needle)
        while found != -1 and found % 8:
            found = data.find(needle, found + 1)
        return None if found == -1 else found // 8

    def booking(self, row: int) -> BookingView | None:
        """The cached row (fresh or about to be refreshed), or None while it is being fetched."""
        shown = self._shown(row)
        return shown.view if shown is not None else None

    def _shown(self, row: int) -> TableRow | None:
        booking_id = self.booking_id(row)
        if booking_id is None:
            return None
        shown = self._cache.get(booking_id)
        if shown is not None:
            self._cache.move_to_end(booking_id)
            return shown
        self._fetch_page(row // PAGE_SIZE)
        return self._stale.get(booking_id)

    def cached(self, booking_id: int) -> BookingView | None:
        shown = self._cache.get(booking_id) or self._stale.get(booking_id)
        return shown.view if shown is not None else None

    def _look(self, shown: TableRow) -> RowLook:
        if shown.look is None:
            shown.look = row_look(shown.view, tuple(self._text(shown.view, c.key) for c in self.columns))
        return shown.look

    @property
    def cache_size(self) -> int:
        return len(self._cache)

    # --- Qt model -------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.columns):
            return self.columns[section].title
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return FLAGS if index.isValid() else NO_FLAGS

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        row = index.row()
        if not (0 <= row < len(self.ids)) or not index.isValid():
            return None
        if role == _BOOKING_ID:
            return self.ids[row]
        if role not in CELL_ROLES:
            return None
        shown = self._shown(row)
        if shown is None:
            return PLACEHOLDER if role == _DISPLAY else None
        look = self._look(shown)
        if role == _DISPLAY:
            return look.texts[index.column()]
        if role == _OVERDUE:
            return shown.overdue()
        status_cell = index.column() == self._status_column
        clash_cell = shown.view.needs_reassignment and index.column() == self._agent_column
        if role == _FOREGROUND:
            return CLASH_RED if clash_cell else look.colour if status_cell else None
        if role == _FONT:
            return _bold() if status_cell or clash_cell else None
        if role == _BACKGROUND:
            return self._overdue_fill if shown.overdue() else None
        # ToolTipRole
        if clash_cell:
            return plain_tip(
                tr("{0} has approved time off then: reassign this booking").format(shown.view.agent_name)
            )
        if shown.overdue():
            return look.overdue_tip
        return look.status_tip if status_cell else None

    def _text(self, view: BookingView, key: str) -> str:
        match key:
            case "reference":
                return view.reference
            case "start":
                return self._local(view.start)
            case "customer":
                return view.customer_name
            case "phone":
                region = self.settings.region if self.settings else "US"
                return phone_for_display(view.customer_phone, region)
            case "address":
                return view.address
            case "service":
                return view.service
            case "agent":
                if view.needs_reassignment:
                    return tr("{0} ⚠ off: reassign").format(view.agent_name)
                return view.agent_name or tr("unassigned")
            case "status":
                marked = f" {RESCHEDULE_MARK}" if view.reschedule_requested_at is not None else ""
                return status_label(view.status) + marked + not_reached_marker(view)
            case "source":
                return source_label(view.source)
        return ""

    def _local(self, moment: datetime) -> str:
        if self.settings is None:
            return moment.strftime("%Y-%m-%d %H:%M UTC")
        return moment.astimezone(self.settings.zone).strftime("%a %Y-%m-%d %H:%M")

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is a new query: the database orders the ids."""
        if not 0 <= column < len(self.columns):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        key = self.columns[column].key
        if (self.query.sort, self.query.descending) != (key, descending):
            self.set_query(replace(self.query, sort=key, descending=descending))
