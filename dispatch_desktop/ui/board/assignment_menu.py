"""A board booking's menu: open it, assign it to an agent, or put it back in the unassigned tray."""

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from dispatch_desktop.ui.board.page import BoardPage


def assignment_menu(board: "BoardPage", booking_id: int) -> QMenu:
    """The keyboard- and mouse-friendly twin of dragging: open, assign to an agent, or unassign."""
    menu = QMenu(board)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    booking = board.booking(booking_id)
    menu.addAction(board.tr("Open booking"), lambda: board.open_booking(booking_id))
    if booking is None:
        return menu
    menu.addSeparator()
    assign = menu.addMenu(board.tr("Assign to"))
    assign.setEnabled(board.may_move)
    for agent in board.shown_agents():
        if agent.active and agent.id != booking.agent_id:
            assign.addAction(agent.name, _assigner(board, booking_id, agent.id))
    if booking.agent_id is not None:
        unassign = menu.addAction(
            board.tr("Unassign (back to the tray)"), lambda: board.drop_booking(booking_id, None, None)
        )
        unassign.setEnabled(board.may_move)
    return menu


def _assigner(board: "BoardPage", booking_id: int, agent_id: int) -> Callable[[], None]:
    return lambda: board.drop_booking(booking_id, agent_id, None)
