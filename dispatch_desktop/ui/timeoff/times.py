"""Time-off moments in the business time zone: to and from the date-time editors, and as text."""

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDateTime, QTimeZone


def to_qt(moment: datetime, zone: ZoneInfo) -> QDateTime:
    local = moment.astimezone(zone)
    return QDateTime.fromSecsSinceEpoch(int(local.timestamp()), QTimeZone(zone.key.encode()))


def from_qt(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


def local_text(moment: datetime | None, zone: tzinfo | None) -> str:
    if moment is None:
        return ""
    return (moment.astimezone(zone) if zone is not None else moment).strftime("%a %Y-%m-%d %H:%M")
