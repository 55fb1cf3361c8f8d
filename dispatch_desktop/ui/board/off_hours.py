"""The grey behind each agent's row outside their working hours (domain/availability.off_hours)."""

from collections.abc import Sequence
from datetime import tzinfo

from PySide6.QtCore import QRectF

from dispatch_desktop.domain.availability import off_hours
from dispatch_desktop.services.views import AgentView
from dispatch_desktop.ui.board.scene import ROW_HEIGHT, BoardGeometry


def off_hour_rects(geometry: BoardGeometry, agents: Sequence[AgentView], zone: tzinfo) -> list[QRectF]:
    """Scene rectangles, row by row, of the day's hours each agent does not work."""
    rects = []
    for row, agent in enumerate(agents):
        top = geometry.y_of_row(row)
        for start, end in off_hours(agent.spans(), geometry.start, geometry.end, zone):
            left = geometry.x_of(start)
            rects.append(QRectF(left, top, geometry.x_of(end) - left, ROW_HEIGHT))
    return rects
