"""What the day and the week board draw alike: banded agent rows, their lines, the sticky names."""

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QPainter, QPalette, QPen

from dispatch_desktop.ui.board.scene import HEADER_HEIGHT, NAME_WIDTH

Row = tuple[float, float]  # a row's top and height, in scene coordinates


def paint_row_bands(painter: QPainter, palette: QPalette, rows: Sequence[Row], width: float) -> None:
    """Every other row on the alternate base colour."""
    band = palette.color(QPalette.ColorRole.AlternateBase)
    for index, (top, height) in enumerate(rows):
        if index % 2:
            painter.fillRect(QRectF(0, top, width, height), band)


def paint_row_lines(painter: QPainter, rows: Sequence[Row], right: float) -> None:
    """A line above each row and below the last, from the names' edge to `right`, in the pen set."""
    tops = [top for top, _height in rows]
    if rows:
        tops.append(rows[-1][0] + rows[-1][1])
    for y in tops:
        painter.drawLine(QPointF(NAME_WIDTH, y), QPointF(right, y))


def paint_sticky_names(
    painter: QPainter,
    palette: QPalette,
    visible: QRectF,
    rows: Sequence[tuple[str, float, float]],
    *,
    inset: float = 0.0,
    line_height: float | None = None,
) -> None:
    """The agents' names in a column that stays at the view's left, under a blank corner and beside a
    divider. `rows` are (name, top, height); a name sits `inset` below its row's top, in the row's
    height or `line_height` if smaller."""
    painter.fillRect(
        QRectF(visible.left(), visible.top(), NAME_WIDTH, visible.height()),
        palette.color(QPalette.ColorRole.Window),
    )
    painter.setPen(palette.color(QPalette.ColorRole.WindowText))
    bold = QFont(painter.font())
    bold.setBold(True)
    painter.setFont(bold)
    for name, top, height in rows:
        if top + height < visible.top() + HEADER_HEIGHT:
            continue
        text_height = height if line_height is None else min(height, line_height)
        painter.drawText(
            QRectF(visible.left() + 8, top + inset, NAME_WIDTH - 12, text_height),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            name,
        )
    painter.fillRect(
        QRectF(visible.left(), visible.top(), NAME_WIDTH, HEADER_HEIGHT),
        palette.color(QPalette.ColorRole.Button),
    )
    painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
    painter.drawLine(
        QPointF(visible.left() + NAME_WIDTH, visible.top()),
        QPointF(visible.left() + NAME_WIDTH, visible.bottom()),
    )
