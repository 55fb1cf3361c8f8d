from itertools import pairwise

from dispatch_desktop.domain.roles import Permission, Role, can
from dispatch_desktop.domain.statuses import TRANSITIONS, BookingStatus, allowed_next


def test_every_status_has_a_row_in_the_transition_table() -> None:
    assert set(TRANSITIONS) == set(BookingStatus)


def test_final_statuses_allow_nothing() -> None:
    for status in (BookingStatus.COMPLETED, BookingStatus.CANCELLED, BookingStatus.NO_SHOW):
        assert allowed_next(status) == ()


def test_work_moves_forward_through_the_day() -> None:
    path = [
        BookingStatus.SCHEDULED,
        BookingStatus.CONFIRMED,
        BookingStatus.EN_ROUTE,
        BookingStatus.IN_PROGRESS,
        BookingStatus.COMPLETED,
    ]
    for here, there in pairwise(path):
        assert there in allowed_next(here)


def test_call_center_cannot_assign_but_dispatcher_can() -> None:
    assert not can(Role.CALL_CENTER, Permission.MANAGE_BOOKINGS)
    assert can(Role.CALL_CENTER, Permission.CREATE_UNASSIGNED_BOOKING)
    assert can(Role.DISPATCHER, Permission.MANAGE_BOOKINGS)
    assert not can(Role.DISPATCHER, Permission.MANAGE_OPERATORS)
    assert all(can(Role.SUPERVISOR, p) for p in Permission)
