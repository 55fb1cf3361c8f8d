"""Saving what the settings dialog shows, Qt-free: one call for the console, the CLI or a script.

SettingsChange                 what was typed: environment, Twilio, SMTP (password or Office 365
                               OAuth2), log rotation, team time zone, region and company
save_settings(ctx, home, config, change)   every part, in order; returns the new Config (reads and
                               writes the keyring: call it on a worker)
save_email_sign_in(home, config, change)   SMTP with a password, or Office 365 OAuth2, switching
                               between them as SMTP_AUTH allows
sign_in_warning(config, host, auth_mode, ...)  the Office 365 retirement warning to show for what is
                               typed now, or the saved one while nothing changed
"""

from dataclasses import dataclass
from pathlib import Path

from dispatch_desktop.config import Config
from dispatch_desktop.notify.credentials import OAUTH2_AUTH, PASSWORD_AUTH
from dispatch_desktop.services import email_auth, team_settings
from dispatch_desktop.services.console_notify import (
    save_environment,
    save_log_rotation,
    save_smtp,
    save_twilio,
)
from dispatch_desktop.services.context import ServiceContext

MB = 1_000_000


@dataclass(frozen=True)
class SettingsChange:
    """What the person typed; empty secrets keep the stored ones."""

    environment: str | None  # None: leave as it is (FLASK_ENV decides)
    twilio_account_sid: str
    twilio_phone_number: str
    twilio_api_base_url: str
    twilio_auth_token: str
    smtp_host: str
    smtp_port: int
    smtp_user: str
    smtp_from: str
    smtp_starttls: bool
    smtp_password: str
    smtp_auth_mode: str  # what the dialog shows (SMTP_AUTH's value when that locks it)
    smtp_auth_locked: bool  # SMTP_AUTH decides; the config file's mode is left as it is
    o365_tenant_id: str
    o365_client_id: str
    o365_client_secret: str
    o365_authority: str
    log_max_mb: int
    log_backups: int
    timezone_name: str | None  # None: not changed (or not allowed)
    region: str | None
    # The team's clock rules as typed (None: not changed): `24h,2h`, `21:00-08:00` or `off`, seconds.
    reminders: str | None = None
    quiet_hours: str | None = None
    customer_hold_seconds: int | None = None
    company_name: str | None = None  # None: not changed; "" clears it
    company_phone: str | None = None
    language: str | None = None  # the team's: staff's messages and customers' without one
    two_way_sms: bool | None = None  # None: not changed
    twilio_messaging_service_sid: str | None = None  # None: not changed; "" clears it
    week_start: str | None = None  # "mon" or "sun"; None: not changed


def save_settings(ctx: ServiceContext, home: Path, config: Config, change: SettingsChange) -> Config:
    updated = config
    if change.environment is not None:
        updated = save_environment(home, updated, change.environment)
    updated = save_twilio(
        home,
        updated,
        account_sid=change.twilio_account_sid,
        phone_number=change.twilio_phone_number,
        api_base_url=change.twilio_api_base_url,
        auth_token=change.twilio_auth_token or None,
        messaging_service_sid=change.twilio_messaging_service_sid,
    )
    updated = save_email_sign_in(home, updated, change)
    updated = save_log_rotation(
        home, updated, max_bytes=change.log_max_mb * MB, backup_count=change.log_backups
    )
    team = (
        change.timezone_name,
        change.region,
        change.reminders,
        change.quiet_hours,
        change.customer_hold_seconds,
        change.company_name,
        change.company_phone,
        change.language,
        change.two_way_sms,
        change.week_start,
    )
    if any(value is not None for value in team):
        team_settings.update_team_settings(
            ctx,
            timezone_name=change.timezone_name,
            region=change.region,
            reminders=change.reminders,
            quiet_hours=change.quiet_hours,
            customer_hold_seconds=change.customer_hold_seconds,
            company_name=change.company_name,
            company_phone=change.company_phone,
            language=change.language,
            two_way_sms=change.two_way_sms,
            week_start=change.week_start,
        )
    return updated


def save_email_sign_in(home: Path, config: Config, change: SettingsChange) -> Config:
    """SMTP with a password, or Office 365 OAuth2 (the client secret to the keyring only).

    While SMTP_AUTH locks the mode, the fields of the mode it picks are saved and the config
    file's own mode stays as it was.
    """
    saved_mode = config.smtp.auth_mode or PASSWORD_AUTH
    if change.smtp_auth_mode == OAUTH2_AUTH:
        updated = email_auth.save_oauth2(
            home,
            config,
            host=change.smtp_host,
            port=change.smtp_port,
            mailbox=change.smtp_user,
            from_address=change.smtp_from,
            starttls=change.smtp_starttls,
            tenant_id=change.o365_tenant_id,
            client_id=change.o365_client_id,
            client_secret=change.o365_client_secret or None,
            authority=change.o365_authority or None,
        )
        if change.smtp_auth_locked and saved_mode != OAUTH2_AUTH:
            updated = email_auth.use_password_auth(home, updated)
        return updated
    updated = config
    if saved_mode == OAUTH2_AUTH and not change.smtp_auth_locked:
        updated = email_auth.use_password_auth(home, updated)
    return save_smtp(
        home,
        updated,
        host=change.smtp_host,
        port=change.smtp_port,
        user=change.smtp_user,
        from_address=change.smtp_from,
        starttls=change.smtp_starttls,
        password=change.smtp_password or None,
    )


def sign_in_warning(
    config: Config, host: str, auth_mode: str, *, mode_locked: bool, saved_warning: str | None
) -> str | None:
    """The retirement warning for `host` in `auth_mode`; the saved one (which may know more, e.g. from
    SMTP_AUTH) while the host and mode are still what is saved."""
    typed = email_auth.retirement_warning_for(host, auth_mode)
    unchanged = host == (config.smtp.host or "") and (
        auth_mode == (config.smtp.auth_mode or PASSWORD_AUTH) or mode_locked
    )
    return typed or (saved_warning if unchanged else None)
