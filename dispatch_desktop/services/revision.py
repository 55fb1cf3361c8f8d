"""A cheap change counter that workstations poll to refresh without a click."""

from sqlalchemy import select

from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.models import Revision


def current_revision(ctx: ServiceContext) -> int:
    with ctx.db.read() as session:
        return session.scalar(select(Revision.value).where(Revision.id == 1)) or 0
