"""Who is free, busy or off at a booking's time, as the assign dialog and the booking form show it."""

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from dispatch_desktop.services.bookings import AgentAvailability


def tr(text: str) -> str:
    return QCoreApplication.translate("dialogs", text)


AVAILABILITY_COLOURS = {
    "free": ("#15803d", "#86efac"),
    "busy": ("#b45309", "#fdba74"),
    "time off": ("#6b7280", "#9ca3af"),
}


def availability_text(item: AgentAvailability) -> str:
    state = {"free": tr("free"), "busy": tr("busy"), "time off": tr("time off")}.get(item.state, item.state)
    text = f"{item.agent_name} — {state}" + (f": {item.detail}" if item.detail else "")
    return " · ".join([text, *item.warnings])


def availability_colour(state: str, dark: bool) -> QColor:
    pair = AVAILABILITY_COLOURS.get(state, ("#000000", "#ffffff"))
    return QColor(pair[1] if dark else pair[0])
