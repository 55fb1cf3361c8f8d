"""Colours the console uses to say something: booking status, overdue rows, environment badge.

Every colour has a light-theme and a dark-theme shade; the palette's window colour decides.
"""

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from dispatch_desktop.domain.statuses import BookingStatus

_S = BookingStatus

# (light theme, dark theme) text colours for the status cell, chosen for contrast on each background.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    _S.PENDING: ("#8a5a00", "#ffc857"),
    _S.SCHEDULED: ("#1d4ed8", "#8ab4ff"),
    _S.CONFIRMED: ("#0f766e", "#5eead4"),
    _S.EN_ROUTE: ("#6d28d9", "#c4b5fd"),
    _S.IN_PROGRESS: ("#b45309", "#fdba74"),
    _S.COMPLETED: ("#15803d", "#86efac"),
    _S.CANCELLED: ("#6b7280", "#9ca3af"),
    _S.NO_SHOW: ("#b91c1c", "#fca5a5"),
}

# Block fills for the board and badges: a softer tint of the same hue.
STATUS_FILLS: dict[str, tuple[str, str]] = {
    _S.PENDING: ("#fff1c2", "#5c4300"),
    _S.SCHEDULED: ("#dbe6ff", "#1e3a7a"),
    _S.CONFIRMED: ("#ccfbf1", "#134e4a"),
    _S.EN_ROUTE: ("#ede9fe", "#3b2a75"),
    _S.IN_PROGRESS: ("#ffedd5", "#6b3a0a"),
    _S.COMPLETED: ("#dcfce7", "#14532d"),
    _S.CANCELLED: ("#f3f4f6", "#374151"),
    _S.NO_SHOW: ("#fee2e2", "#7f1d1d"),
}

OVERDUE_FILL = ("#fde2e2", "#5a1f1f")

DEV_BADGE = (
    "QLabel { background: #e7f0e9; color: #1f5130; border: 1px solid #9cc3a7;"
    " border-radius: 4px; padding: 1px 8px; }"
)
DEV_BADGE_DARK = (
    "QLabel { background: #1f3326; color: #b7e4c4; border: 1px solid #3f6b4d;"
    " border-radius: 4px; padding: 1px 8px; }"
)
PROD_BADGE = (
    "QLabel { background: #c8102e; color: white; font-weight: bold; border: 2px solid #7a0019;"
    " border-radius: 4px; padding: 1px 10px; }"
)
# Development because FLASK_ENV is almost "production": loud, but not the PROD red.
MISTAKEN_BADGE = (
    "QLabel { background: #fff3e0; color: #b71c1c; font-weight: bold; border: 2px solid #b71c1c;"
    " border-radius: 4px; padding: 1px 8px; }"
)
MISTAKEN_BADGE_DARK = (
    "QLabel { background: #4a1c00; color: #ffab91; font-weight: bold; border: 2px solid #ff6b6b;"
    " border-radius: 4px; padding: 1px 8px; }"
)
DEMO_BADGE = (
    "QLabel { background: #fff4c2; color: #5c4300; border: 1px solid #e0c060;"
    " border-radius: 4px; padding: 1px 8px; }"
)
FIELD_ERROR = "color: #c62828;"
FIELD_ERROR_DARK = "color: #ff8a80;"


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def _pick(pair: tuple[str, str], palette: QPalette | None) -> QColor:
    return QColor(pair[1] if is_dark(palette) else pair[0])


def status_colour(status: str, palette: QPalette | None = None) -> QColor:
    return _pick(STATUS_COLOURS.get(status, ("#000000", "#ffffff")), palette)


def status_fill(status: str, palette: QPalette | None = None) -> QColor:
    return _pick(STATUS_FILLS.get(status, ("#ffffff", "#000000")), palette)


def overdue_fill(palette: QPalette | None = None) -> QColor:
    return _pick(OVERDUE_FILL, palette)


def badge_style(production: bool, palette: QPalette | None = None) -> str:
    if production:
        return PROD_BADGE
    return DEV_BADGE_DARK if is_dark(palette) else DEV_BADGE


def alert_badge_style(palette: QPalette | None = None) -> str:
    return MISTAKEN_BADGE_DARK if is_dark(palette) else MISTAKEN_BADGE


def field_error_style(palette: QPalette | None = None) -> str:
    return FIELD_ERROR_DARK if is_dark(palette) else FIELD_ERROR


# The alerts across the top of the main window (email sign-in, delivery): solid red in both themes,
# so nobody misses them. Each banner's own object name scopes the style to it.
_ALERT_BANNER = (
    "QFrame#{name} {{ background: #b71c1c; border: 2px solid #7f0000; border-radius: 4px; }}"
    " QFrame#{name} QLabel {{ color: #ffffff; }}"
)
_ALERT_BANNER_DARK = (
    "QFrame#{name} {{ background: #8e1b1b; border: 2px solid #ff6b6b; border-radius: 4px; }}"
    " QFrame#{name} QLabel {{ color: #fff1f1; }}"
)
ALERT_BANNER = _ALERT_BANNER.format(name="emailAlertBanner")
ALERT_BANNER_DARK = _ALERT_BANNER_DARK.format(name="emailAlertBanner")


def alert_banner_style(palette: QPalette | None = None, name: str = "emailAlertBanner") -> str:
    return (_ALERT_BANNER_DARK if is_dark(palette) else _ALERT_BANNER).format(name=name)
