"""Team-wide settings kept in the shared database."""

from dispatch_desktop.domain import language as languages
from dispatch_desktop.domain import team, timing, validation
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.notify import languages as shipped
from dispatch_desktop.services.context import ServiceContext, read_team_settings
from dispatch_desktop.storage.models import Setting

# Bounds of the numeric settings: (field name in errors, lowest, highest).
LIMITS = {
    team.SMS_PER_RECIPIENT_KEY: ("texts per recipient per day", 1, 1000),
    team.SMS_PER_OPERATOR_KEY: ("texts per operator per hour", 1, 100_000),
    team.DAYS_BACK_KEY: ("booking days back", 0, 3650),
    team.DAYS_AHEAD_KEY: ("booking days ahead", 1, 3650),
    team.CUSTOMER_HOLD_KEY: ("customer hold seconds", 0, 3600),
    team.DAY_START_KEY: ("day start hour", 0, 23),
    team.DAY_END_KEY: ("day end hour", 1, 24),
}


def get_team_settings(ctx: ServiceContext) -> TeamSettings:
    return ctx.team_settings()


def update_team_settings(
    ctx: ServiceContext,
    *,
    timezone_name: str | None = None,
    region: str | None = None,
    sms_countries: str | None = None,
    sms_per_recipient_per_day: int | str | None = None,
    sms_per_operator_per_hour: int | str | None = None,
    booking_days_back: int | str | None = None,
    booking_days_ahead: int | str | None = None,
    two_way_sms: bool | None = None,
    reminders: str | None = None,
    quiet_hours: str | None = None,
    customer_hold_seconds: int | str | None = None,
    company_name: str | None = None,
    company_phone: str | None = None,
    day_start_hour: int | str | None = None,
    day_end_hour: int | str | None = None,
    language: str | None = None,
    week_start: str | None = None,
) -> TeamSettings:
    """Change the settings given; every value is checked before any is written.

    An empty company name or phone clears it.
    """
    numbers = {
        team.SMS_PER_RECIPIENT_KEY: sms_per_recipient_per_day,
        team.SMS_PER_OPERATOR_KEY: sms_per_operator_per_hour,
        team.DAYS_BACK_KEY: booking_days_back,
        team.DAYS_AHEAD_KEY: booking_days_ahead,
        team.CUSTOMER_HOLD_KEY: customer_hold_seconds,
        team.DAY_START_KEY: day_start_hour,
        team.DAY_END_KEY: day_end_hour,
    }
    with ctx.writing(Permission.MANAGE_SETTINGS) as unit:
        values: dict[str, str] = {}
        if timezone_name is not None:
            values[team.TIMEZONE_KEY] = validation.timezone(timezone_name).key
        if region is not None:
            values[team.REGION_KEY] = validation.region(region)
        if sms_countries is not None:
            values[team.SMS_COUNTRIES_KEY] = ",".join(validation.regions(sms_countries))
        if two_way_sms is not None:
            values[team.TWO_WAY_SMS_KEY] = team.ON if two_way_sms else team.OFF
        if reminders is not None:
            values[team.REMINDERS_KEY] = timing.reminders_text(timing.parse_reminders(reminders))
        if quiet_hours is not None:
            window = timing.QuietHours.parse(quiet_hours)
            values[team.QUIET_HOURS_KEY] = str(window) if window else timing.OFF
        if language is not None:
            values[team.LANGUAGE_KEY] = languages.chosen(language, shipped.offered(), "team language")
        if week_start is not None:
            values[team.WEEK_START_KEY] = team.week_start_word(week_start)
        if company_name is not None:
            values[team.COMPANY_NAME_KEY] = (
                validation.text(company_name, "company name", validation.COMPANY_NAME_MAX)
                if company_name.strip()
                else ""
            )
        if company_phone is not None:
            values[team.COMPANY_PHONE_KEY] = (
                validation.phone(
                    company_phone, values.get(team.REGION_KEY) or unit.settings.region, "company phone"
                )
                if company_phone.strip()
                else ""
            )
        for key, value in numbers.items():
            if value is not None:
                field, low, high = LIMITS[key]
                values[key] = str(validation.whole_number(value, field, low, high))
        for key, value in values.items():
            unit.session.merge(Setting(key=key, value=value))
        unit.session.flush()
        settings = read_team_settings(unit.session)
        if settings.day_start_hour >= settings.day_end_hour:
            raise ValidationError(
                f"the working day must start before it ends "
                f"({settings.day_start_hour}:00 is not before {settings.day_end_hour}:00)"
            )
        return settings
