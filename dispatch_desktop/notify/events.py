"""Turns dispatch events into outbox rows, inside the caller's transaction.

The services call these while their change is still uncommitted, so a booking that
commits always has its notifications and one that rolls back has none.
"""

from sqlalchemy.orm import Session

from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.storage.models import Agent, Booking, TimeOff


def booking_created(session: Session, booking: Booking, settings: TeamSettings) -> None:
    """Customer confirmation; the agent's assignment when one is set."""


def booking_assigned(
    session: Session, booking: Booking, previous_agent: Agent | None, settings: TeamSettings
) -> None:
    """New agent: assignment; previous agent (if any): unassignment."""


def booking_status_changed(
    session: Session, booking: Booking, old_status: str, settings: TeamSettings
) -> None:
    """Customer and (if assigned) agent: status update."""


def booking_rescheduled(session: Session, booking: Booking, settings: TeamSettings) -> None:
    """Customer and (if assigned) agent: the new time."""


def time_off_requested(session: Session, time_off: TimeOff, settings: TeamSettings) -> None:
    """Each active dispatcher with a phone or email: approval needed."""


def time_off_decided(session: Session, time_off: TimeOff, settings: TeamSettings) -> None:
    """The agent: approved or denied."""
