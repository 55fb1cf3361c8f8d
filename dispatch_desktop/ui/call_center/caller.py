"""A returning caller's bookings as the call-center panel lists them."""

from collections.abc import Callable

from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.services.display import phone_for_display
from dispatch_desktop.services.views import BookingView, CallerView
from dispatch_desktop.ui.bookings.labels import status_label


def booking_line(view: BookingView, settings: TeamSettings, tr: Callable[[str], str]) -> str:
    """One of the caller's bookings as the panel lists it: when, what, status, who goes."""
    when = view.start.astimezone(settings.zone).strftime("%a %d %b %H:%M")
    agent = view.agent_name or tr("no agent yet")
    return f"{view.reference} · {when} · {view.service} · {status_label(view.status)} · {agent}"


def caller_text(caller: CallerView, settings: TeamSettings, tr: Callable[[str], str]) -> str:
    """The returning caller's bookings, upcoming first: "Where is my technician?" answered at a glance."""
    lines = [
        tr("{0} · {1}").format(
            caller.customer.name, phone_for_display(caller.customer.phone, settings.region)
        )
    ]
    if caller.upcoming:
        lines.append(tr("Upcoming:"))
        lines += [f"  {booking_line(view, settings, tr)}" for view in caller.upcoming]
    if caller.recent:
        lines.append(tr("Recent:"))
        lines += [f"  {booking_line(view, settings, tr)}" for view in caller.recent]
    if not caller.upcoming and not caller.recent:
        lines.append(tr("No bookings yet"))
    return "\n".join(lines)
