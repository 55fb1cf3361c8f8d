"""Colours the console uses to say something: booking status, overdue rows, environment badge.

Every colour reads in the light and the dark theme: a status has one hue, shown as a fill with
black or white text, or as text adjusted to the theme; the others have a shade for each theme.
"""

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from dispatch_desktop.domain.statuses import BookingStatus

_S = BookingStatus

# One colour per status, used by the bookings table, the board's blocks and the board's legend.
# Eight hues far apart on the wheel, en route (cyan) and in progress (deep orange) opposite each
# other. The table shows the hue as text, darkened or lightened until it reads on the theme's base.
STATUS_COLOURS: dict[str, str] = {
    _S.PENDING: "#f6bf26",  # yellow: waiting for an agent
    _S.SCHEDULED: "#1e88e5",  # blue
    _S.CONFIRMED: "#7e57c2",  # violet
    _S.EN_ROUTE: "#00acc1",  # cyan: on the way
    _S.IN_PROGRESS: "#e65100",  # deep orange: at work
    _S.COMPLETED: "#43a047",  # green
    _S.CANCELLED: "#9e9e9e",  # grey
    _S.NO_SHOW: "#8d6e63",  # brown
}
READABLE_CONTRAST = 4.5  # WCAG AA for normal text

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


def _luminance(colour: QColor) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.red()) + 0.7152 * channel(colour.green()) + 0.0722 * channel(colour.blue())


def contrast(first: QColor, second: QColor) -> float:
    """WCAG contrast ratio of two colours, 1 (none) to 21 (black on white)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def status_fill(status: str) -> QColor:
    """The status's one colour: board blocks and legend chips are filled with it."""
    return QColor(STATUS_COLOURS.get(status, "#607d8b"))


def text_on(fill: QColor) -> QColor:
    """Black or white, whichever reads better on `fill`."""
    black, white = QColor("#111111"), QColor("#ffffff")
    return black if contrast(black, fill) >= contrast(white, fill) else white


def status_colour(status: str, palette: QPalette | None = None) -> QColor:
    """The status's colour as text on the theme's base (the table's status cell), readable there."""
    palette = palette or QApplication.palette()
    background = palette.color(QPalette.ColorRole.Base)
    colour = status_fill(status)
    dark = is_dark(palette)
    for _step in range(12):
        if contrast(colour, background) >= READABLE_CONTRAST:
            break
        colour = colour.lighter(115) if dark else colour.darker(115)
    return colour


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
