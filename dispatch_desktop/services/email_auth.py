"""Email sign-in health for the console, Qt-free: the Office 365 basic-authentication retirement
warning for the settings dialog, and the banner text when emails are failing to sign in.

    basic_auth_retirement_warning(config)          settings dialog / `credentials show`: warn before it bites
    retirement_warning_for(host, auth_mode)        the same for what is typed in the dialog, before saving
    auth_retirement_alert(ctx)                     banner: emails failed because basic SMTP AUTH is off
    email_sign_in_alert(ctx)                       banner: emails failed for any sign-in reason (wrong password,
                                                   tenant, client id or secret, missing Exchange permission,
                                                   retirement)
    retry_sign_in_failures(ctx)                    after the fix: queue those emails again (failed, or waiting
                                                   to retry after a refused password); returns how many
    load_email_auth_state(config)                  settings dialog: mode, tenant/client ids, where each comes
                                                   from, whether the client secret is stored (reads the keyring:
                                                   call it on a worker)
    save_oauth2(home, config, ...)                 settings dialog: switch to / update Office 365 OAuth2
    use_password_auth(home, config)                settings dialog: back to a password (ids are kept)

The alerts read only the outbox, so every workstation sees what any of them ran into.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from dispatch_desktop.config import Config, save_config
from dispatch_desktop.domain.outbox import Channel, Move, OutboxStatus
from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.notify import credentials, office365
from dispatch_desktop.services import audit
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.outbox import moves, queries
from dispatch_desktop.storage.types import utcnow

__all__ = [
    "ALERT_WINDOW",
    "EmailAuthState",
    "SignInAlert",
    "auth_retirement_alert",
    "basic_auth_retirement_warning",
    "email_sign_in_alert",
    "find_sign_in_alert",
    "load_email_auth_state",
    "retirement_warning_for",
    "retry_sign_in_failures",
    "save_oauth2",
    "use_password_auth",
]

# Long enough that a failure overnight is still on the banner in the morning.
ALERT_WINDOW = timedelta(hours=24)
# A refused password leaves its emails in `retry` (backing off until max_attempts), the others
# fail at once: both are on the banner from the first refusal.
_SIGN_IN_STATUSES = (OutboxStatus.FAILED, OutboxStatus.RETRY)


def basic_auth_retirement_warning(config: Config) -> str | None:
    """One paragraph when the effective SMTP host is Office 365 and the mode is password, else None.

    Uses the environment overrides (SMTP_HOST, SMTP_AUTH) like the notifier does; never reads the keyring,
    so it is safe to call on the UI thread.
    """
    mode = credentials.smtp_auth_mode(config).value or credentials.PASSWORD_AUTH
    return office365.retirement_warning(credentials.smtp_host(config).value, mode)


def retirement_warning_for(host: str | None, auth_mode: str = credentials.PASSWORD_AUTH) -> str | None:
    """The same warning for values typed in the settings dialog but not saved yet."""
    return office365.retirement_warning(host, (auth_mode or credentials.PASSWORD_AUTH).strip().lower())


@dataclass(frozen=True)
class SignInAlert:
    count: int  # emails that failed for this reason in the window
    latest_error: str  # the newest one's explanation (one line, no secret)
    latest_at: datetime
    retirement: bool  # Office 365 refused the password because basic authentication is off

    @property
    def text(self) -> str:
        noun = "email" if self.count == 1 else "emails"
        return (
            f"{self.count} {noun} could not be sent (last at {self.latest_at:%Y-%m-%d %H:%M} UTC): "
            f"{self.latest_error}"
        )


def find_sign_in_alert(
    ctx: ServiceContext,
    *,
    retirement_only: bool = False,
    within: timedelta = ALERT_WINDOW,
    now: datetime | None = None,
) -> SignInAlert | None:
    since = (now or utcnow()) - within
    marker = office365.RETIREMENT_NOTICE if retirement_only else office365.SIGN_IN_FAILED
    search = queries.ErrorSearch(Channel.EMAIL, _SIGN_IN_STATUSES, since, marker)
    with ctx.reading() as unit:
        count = queries.count_erred(unit.session, search)
        latest = queries.latest_erred(unit.session, search) if count else None
    if latest is None:
        return None
    error = latest.last_error or ""
    return SignInAlert(count, error, latest.updated_at, office365.RETIREMENT_NOTICE in error)


def auth_retirement_alert(
    ctx: ServiceContext, *, within: timedelta = ALERT_WINDOW, now: datetime | None = None
) -> str | None:
    """Banner text when emails failed in the last `within` because Office 365 refused the password
    (535 5.7.139 / 550 5.7.30, basic authentication switched off); None when there are none."""
    alert = find_sign_in_alert(ctx, retirement_only=True, within=within, now=now)
    return alert.text if alert else None


def email_sign_in_alert(
    ctx: ServiceContext, *, within: timedelta = ALERT_WINDOW, now: datetime | None = None
) -> str | None:
    """Banner text when emails failed, or wait to retry, in the last `within` because the mail server
    sign-in is broken (the retirement above, a refused password, a wrong tenant id, client id or
    secret, or a missing Exchange setting)."""
    alert = find_sign_in_alert(ctx, within=within, now=now)
    return alert.text if alert else None


def retry_sign_in_failures(
    ctx: ServiceContext, *, within: timedelta = ALERT_WINDOW, now: datetime | None = None
) -> int:
    """After the sign-in is fixed: every email that failed, or waits to retry, for that reason in the
    window is queued again at once."""
    at = now or utcnow()
    with ctx.writing(Permission.MANAGE_OUTBOX) as unit:
        search = queries.ErrorSearch(Channel.EMAIL, _SIGN_IN_STATUSES, at - within, office365.SIGN_IN_FAILED)
        rows = queries.erred_for_update(unit.session, search)
        for row in rows:
            old = row.status
            moves.requeue(row, at)
            audit.record(
                unit.session, "outbox", row.id, Move.RETRY, unit.actor.username, {"status": (old, row.status)}
            )
        unit.session.flush()
        return len(rows)


# --- settings dialog ------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailAuthState:
    """The sign-in part of the SMTP settings; never a secret, only whether one is stored and where."""

    auth_mode: str  # "password" or "oauth2" (or what SMTP_AUTH wrongly says)
    auth_mode_source: str  # "env", "config" or "default"
    tenant_id: str
    tenant_id_source: str
    client_id: str
    client_id_source: str
    client_secret_source: str  # "keyring", "env" or "missing"
    authority: str
    authority_source: str
    warning: str | None  # basic_auth_retirement_warning

    @property
    def oauth2(self) -> bool:
        return self.auth_mode == credentials.OAUTH2_AUTH

    @property
    def auth_mode_locked(self) -> bool:
        """SMTP_AUTH is set: the dialog's choice would have no effect."""
        return self.auth_mode_source == "env"

    @property
    def client_secret_stored(self) -> bool:
        return self.client_secret_source != "missing"


def load_email_auth_state(config: Config) -> EmailAuthState:
    smtp = credentials.load_smtp(config)
    rows, _problem = credentials.describe(config, (credentials.load_twilio(config), smtp))
    by_name = {row.name: row for row in rows}
    secret = by_name.get(credentials.O365_SECRET)
    return EmailAuthState(
        auth_mode=smtp.auth_mode,
        auth_mode_source=smtp.auth_mode_source,
        tenant_id=smtp.tenant_id.value or "",
        tenant_id_source=smtp.tenant_id.source,
        client_id=smtp.client_id.value or "",
        client_id_source=smtp.client_id.source,
        client_secret_source=secret.source if secret else smtp.client_secret.source,
        authority=smtp.authority,
        authority_source=smtp.authority_source,
        warning=basic_auth_retirement_warning(config),
    )


def save_oauth2(
    home: Path,
    config: Config,
    *,
    host: str,
    port: int,
    mailbox: str,
    from_address: str,
    starttls: bool,
    tenant_id: str,
    client_id: str,
    client_secret: str | None,
    authority: str | None = None,
) -> Config:
    """Office 365 OAuth2 with the mailbox as the SMTP user; an empty secret keeps the stored one.

    Raises ValidationError (a wrong-looking id, no TLS, no https authority) before anything is stored.
    """
    secret = client_secret if client_secret and client_secret.strip() else None
    return credentials.set_smtp(
        home,
        config,
        host=host,
        port=port,
        user=mailbox,
        from_address=from_address,
        starttls=starttls,
        auth_mode=credentials.OAUTH2_AUTH,
        tenant_id=tenant_id,
        client_id=client_id,
        client_secret=secret,
        authority=authority or None,
    )


def use_password_auth(home: Path, config: Config) -> Config:
    """Back to password sign-in (the tenant and client ids stay, for switching again)."""
    updated = replace(config, smtp=replace(config.smtp, auth_mode=credentials.PASSWORD_AUTH))
    save_config(home, updated)
    return updated
