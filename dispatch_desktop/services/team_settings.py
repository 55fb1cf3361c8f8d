"""Team-wide settings kept in the shared database."""

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.services.context import ServiceContext, read_team_settings
from dispatch_desktop.storage.models import Setting


def get_team_settings(ctx: ServiceContext) -> TeamSettings:
    return ctx.team_settings()


def update_team_settings(
    ctx: ServiceContext, *, timezone_name: str | None = None, region: str | None = None
) -> TeamSettings:
    with ctx.writing(Permission.MANAGE_SETTINGS) as unit:
        if timezone_name is not None:
            validation.timezone(timezone_name)
            unit.session.merge(Setting(key="business_timezone", value=timezone_name.strip()))
        if region is not None:
            unit.session.merge(Setting(key="default_region", value=validation.region(region)))
        unit.session.flush()
        return read_team_settings(unit.session)
