"""The lazy bookings model: ids first, rows by page, sorting by the database, bounded cache."""

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from dispatch_desktop.services import bookings
from dispatch_desktop.services.bookings import BookingQuery
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.ui.bookings import model as bookings_model
from dispatch_desktop.ui.bookings.model import (
    PLACEHOLDER,
    BookingIdRole,
    BookingsModel,
    OverdueRole,
)
from dispatch_desktop.ui.bookings.rows import is_overdue
from dispatch_desktop.ui.bookings.sort_proxy import ServerSortProxy
from dispatch_desktop.ui.kit.style import status_colour
from tests.bench.bulk import generate_bookings


def _loaded(qtbot, model: BookingsModel, loads: int = 1) -> None:
    qtbot.waitUntil(lambda: model.loads >= loads, timeout=10_000)


def _text(model, row: int, column: int) -> str:
    return model.index(row, column).data(Qt.ItemDataRole.DisplayRole)


def _fully_fetched(qtbot, model: BookingsModel) -> None:
    for row in range(model.rowCount()):
        model.index(row, 0).data()
    qtbot.waitUntil(
        lambda: all(_text(model, r, 0) != PLACEHOLDER for r in range(model.rowCount())), timeout=10_000
    )


def test_model_and_proxy_pass_the_model_tester(qtbot, qtmodeltester, desk, demo_db):
    console = desk()
    model = BookingsModel(console)
    proxy = ServerSortProxy(model)
    model.reload()
    _loaded(qtbot, model)
    _fully_fetched(qtbot, model)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    assert model.rowCount() == bookings.count_bookings(console.ctx, BookingQuery())


def test_rows_show_placeholders_then_the_booking(qtbot, desk, demo_db):
    console = desk()
    model = BookingsModel(console)
    model.reload()
    _loaded(qtbot, model)
    assert _text(model, 0, 0) == PLACEHOLDER  # first look starts the page fetch
    qtbot.waitUntil(lambda: _text(model, 0, 0) != PLACEHOLDER)
    first = bookings.get_booking(console.ctx, model.index(0, 0).data(BookingIdRole))
    assert _text(model, 0, 0) == first.reference
    assert _text(model, 0, 2) == first.customer_name
    assert _text(model, 0, 6) == (first.agent_name or "unassigned")
    # Start is shown in the business time zone (America/Chicago in tests), not UTC.
    assert _text(model, 0, 1).endswith(first.start.astimezone(model.settings.zone).strftime("%H:%M"))
    status_index = model.index(0, 7)
    assert status_index.data(Qt.ItemDataRole.ForegroundRole) == status_colour(first.status)


def test_sorting_is_done_by_the_database(qtbot, desk, demo_db):
    console = desk()
    model = BookingsModel(console)
    proxy = ServerSortProxy(model)
    model.reload()
    _loaded(qtbot, model)
    proxy.sort(2, Qt.SortOrder.DescendingOrder)  # customer
    _loaded(qtbot, model, 2)
    assert model.query.sort == "customer" and model.query.descending
    assert model.ids == bookings.booking_ids(console.ctx, BookingQuery(sort="customer", descending=True))
    _fully_fetched(qtbot, model)
    names = [_text(proxy, row, 2) for row in range(proxy.rowCount())]
    assert names == sorted(names, reverse=True)


def test_filters_are_queries(qtbot, desk, demo_db):
    console = desk()
    model = BookingsModel(console)
    model.set_query(BookingQuery(statuses=("pending",)))
    _loaded(qtbot, model)
    _fully_fetched(qtbot, model)
    assert model.rowCount() == 5
    assert {_text(model, row, 7) for row in range(model.rowCount())} == {"pending"}
    assert {_text(model, row, 8) for row in range(model.rowCount())} == {"call center"}


def test_overdue_bookings_are_highlighted(qtbot, desk, db):
    console = desk()
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)
    late = bookings.create_booking(
        console.ctx,
        customer_name="Ann Late",
        customer_phone="+13125550160",
        customer_email=None,
        address="1 Main St",
        service="Boiler",
        start=start,
        end=start + timedelta(hours=1),
        call_center=True,
    )
    later = start + timedelta(days=2)
    bookings.create_booking(
        console.ctx,
        customer_name="Bo Future",
        customer_phone="+13125550161",
        customer_email=None,
        address="2 Main St",
        service="Boiler",
        start=later,
        end=later + timedelta(hours=1),
        call_center=True,
    )
    model = BookingsModel(console)
    model.reload()
    _loaded(qtbot, model)
    _fully_fetched(qtbot, model)
    row = model.row_of(late.id)
    assert model.index(row, 0).data(OverdueRole) is True
    assert model.index(row, 3).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "passed" in model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    other = 1 - row
    assert model.index(other, 0).data(OverdueRole) is False
    assert model.index(other, 3).data(Qt.ItemDataRole.BackgroundRole) is None
    assert is_overdue(late)


def test_cache_stays_bounded_on_big_lists(qtbot, desk, db, monkeypatch):
    console = desk()
    generate_bookings(ServiceContext(db, "boss"), 3_000, agent_count=10, customer_count=500)
    monkeypatch.setattr(bookings_model, "CACHE_ROWS", 600)
    model = BookingsModel(console)
    model.reload()
    _loaded(qtbot, model)
    assert model.rowCount() == 3_000
    for row in range(0, 3_000, bookings_model.PAGE_SIZE):
        model.index(row, 0).data()
        qtbot.waitUntil(lambda row=row: _text(model, row, 0) != PLACEHOLDER, timeout=10_000)
    assert model.cache_size <= 600
    assert model.page_fetches == 3_000 // bookings_model.PAGE_SIZE
    # Scrolled-away rows are fetched again when seen.
    assert _text(model, 0, 0) == PLACEHOLDER
    qtbot.waitUntil(lambda: _text(model, 0, 0) != PLACEHOLDER)


@pytest.mark.parametrize("column", range(9))
def test_every_column_sorts(qtbot, desk, demo_db, column):
    console = desk()
    model = BookingsModel(console)
    model.reload()
    _loaded(qtbot, model)
    model.sort(column, Qt.SortOrder.DescendingOrder)
    _loaded(qtbot, model, 2)
    key = model.columns[column].key
    assert model.ids == bookings.booking_ids(console.ctx, BookingQuery(sort=key, descending=True))


def test_a_new_query_shows_its_first_page_then_the_whole_id_list(qtbot, desk, db):
    console = desk()
    generate_bookings(ServiceContext(db, "boss"), 450, agent_count=5, customer_count=100)
    model = BookingsModel(console)
    counts: list[int] = []
    model.loaded.connect(counts.append)
    model.set_query(BookingQuery(sort="customer"))
    qtbot.waitUntil(lambda: counts == [450], timeout=10_000)
    expected = bookings.booking_ids(console.ctx, BookingQuery(sort="customer"))
    assert model.loads == 1 and model.rowCount() == 450 and model.ids == expected
    assert model.cached(expected[0]) is not None  # the first page came with the first query
    assert [model.row_of(booking_id) for booking_id in (expected[0], expected[-1])] == [0, 449]
    assert model.row_of(max(expected) + 1) is None


def test_a_saved_booking_is_one_inserted_row_not_a_reset(qtbot, desk, db):
    console = desk()
    generate_bookings(ServiceContext(db, "boss"), 300, agent_count=5, customer_count=100)
    model = BookingsModel(console)
    model.reload()
    _loaded(qtbot, model)
    resets: list[int] = []
    inserted: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=3)
    view = bookings.create_booking(
        console.ctx,
        customer_name="Cy New",
        customer_phone="+13125550170",
        customer_email=None,
        address="3 Main St",
        service="Boiler",
        start=start,
        end=start + timedelta(hours=1),
        call_center=True,
    )
    model.reload()
    _loaded(qtbot, model, 2)
    row = model.row_of(view.id)
    assert model.ids == bookings.booking_ids(console.ctx, BookingQuery())
    assert (resets, inserted) == ([], [(row, row)])
    qtbot.waitUntil(lambda: _text(model, row, 2) == "Cy New")
