"""Team-wide settings shared by every workstation."""

from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class TeamSettings:
    timezone_name: str
    region: str

    @property
    def zone(self) -> tzinfo:
        return ZoneInfo(self.timezone_name)

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")


def booking_reference(booking_id: int) -> str:
    return f"BK-{booking_id:06d}"
