"""What the dispatch board shows for one day or one week: agents, their bookings and time off, and the
unassigned ones."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dispatch_desktop.domain.statuses import BookingStatus, TimeOffStatus, is_active
from dispatch_desktop.services import agents, bookings, timeoff
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import AgentView, BookingView, TimeOffView

# The longest booking is under 24 h, so anything reaching into the day started at most a day before.
LOOKBACK = timedelta(hours=24)
WEEK_DAYS = 7


@dataclass(frozen=True)
class BoardDay:
    day: date
    timezone_name: str
    start: datetime  # the day's local midnight, in UTC
    end: datetime  # the next local midnight, in UTC (23 or 25 h later on a DST change)
    agents: list[AgentView]
    bookings: list[BookingView]  # assigned and active, overlapping the day
    unassigned: list[BookingView]  # pending without an agent, overlapping the day
    time_off: list[TimeOffView]  # approved, overlapping the day
    day_hours: tuple[int, int] = (7, 19)  # the team's working day, local hours (team settings)
    region: str = "US"  # the team's phone region: its numbers show in national format

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone_name)


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def business_today(ctx: ServiceContext, now: datetime | None = None) -> date:
    zone = ctx.team_settings().zone
    return (now or datetime.now(UTC)).astimezone(zone).date()


def load_board_day(ctx: ServiceContext, day: date | None = None, *, now: datetime | None = None) -> BoardDay:
    """One day of the board; `day=None` is today in the business time zone."""
    settings = ctx.team_settings()
    zone = ZoneInfo(settings.timezone_name)
    if day is None:
        day = (now or datetime.now(UTC)).astimezone(zone).date()
    start, end = day_bounds(day, zone)
    span = _load_span(ctx, start, end)
    hours = (settings.day_start_hour, settings.day_end_hour)
    return BoardDay(day, settings.timezone_name, start, end, *span, hours, settings.region)


@dataclass(frozen=True)
class BoardWeek:
    """Seven days of the board from the team's week start (Monday or Sunday), loaded in one range query."""

    days: tuple[date, ...]
    timezone_name: str
    start: datetime  # the first day's local midnight, in UTC
    end: datetime  # the local midnight after the last day, in UTC
    agents: list[AgentView]
    bookings: list[BookingView]  # assigned and active, overlapping the week
    unassigned: list[BookingView]  # pending without an agent, overlapping the week
    time_off: list[TimeOffView]  # approved, overlapping the week
    region: str = "US"  # the team's phone region: its numbers show in national format

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone_name)


def load_board_week(
    ctx: ServiceContext, day: date | None = None, *, now: datetime | None = None
) -> BoardWeek:
    """The week holding `day` (None: today in the business time zone), in one query for its bookings."""
    settings = ctx.team_settings()
    zone = ZoneInfo(settings.timezone_name)
    first = settings.first_day_of_week(day or (now or datetime.now(UTC)).astimezone(zone).date())
    days = tuple(first + timedelta(days=n) for n in range(WEEK_DAYS))
    start, end = day_bounds(first, zone)[0], day_bounds(days[-1], zone)[1]
    span = _load_span(ctx, start, end)
    return BoardWeek(days, settings.timezone_name, start, end, *span, settings.region)


def _load_span(
    ctx: ServiceContext, start: datetime, end: datetime
) -> tuple[list[AgentView], list[BookingView], list[BookingView], list[TimeOffView]]:
    """Shown agents, assigned and unassigned active bookings, and approved time off over start–end."""
    rows = bookings.list_bookings(ctx, bookings.BookingQuery(start_from=start - LOOKBACK, start_to=end))
    in_span = [b for b in rows if b.end > start and is_active(BookingStatus(b.status))]
    assigned = [b for b in in_span if b.agent_id is not None]
    unassigned = [b for b in in_span if b.agent_id is None and b.status == BookingStatus.PENDING.value]
    off = timeoff.list_time_off(ctx, status=TimeOffStatus.APPROVED.value, start_from=start, start_to=end)
    busy_agents = {b.agent_id for b in assigned}
    shown = [a for a in agents.list_agents(ctx) if a.active or a.id in busy_agents]
    return shown, assigned, unassigned, off
