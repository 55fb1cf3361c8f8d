"""OAuth2 (XOAUTH2) for Office 365 SMTP: an app-only token from Microsoft Entra through msal.

Used when the config's [smtp] auth_mode is "oauth2": the app's client secret is the
keyring's SMTP_PASSWORD, and SMTP_USER is the mailbox the app sends as.
"""

import hashlib
import threading
from typing import Any

from dispatch_desktop.notify.credentials import SmtpCredentials
from dispatch_desktop.notify.secrets import register_secret, scrub

SMTP_SCOPE = "https://outlook.office365.com/.default"
_MICROSOFT_HOSTS = ("login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn")

_lock = threading.Lock()
_apps: dict[tuple[str, str, str], Any] = {}


class TokenError(Exception):
    """No token: the message says why, without the secret."""


def _app(credentials: SmtpCredentials) -> Any:
    import msal  # only workstations that use OAuth2 pay for importing it

    authority = f"{credentials.authority.rstrip('/')}/{credentials.tenant_id.value}"
    secret = credentials.password.value or ""
    key = (authority, credentials.client_id.value or "", hashlib.sha256(secret.encode()).hexdigest())
    with _lock:
        app = _apps.get(key)
        if app is None:
            known = any(host in authority for host in _MICROSOFT_HOSTS)
            # One app per authority, client and secret, so msal's token cache is reused across batches.
            app = _apps[key] = msal.ConfidentialClientApplication(
                credentials.client_id.value,
                client_credential=secret,
                authority=authority,
                validate_authority=known,
                instance_discovery=known,
                timeout=credentials.timeout_seconds,
            )
        return app


def smtp_access_token(credentials: SmtpCredentials) -> str:
    try:
        result = _app(credentials).acquire_token_for_client(scopes=[SMTP_SCOPE])
    except Exception as exc:  # network, discovery or configuration problems all mean "no token yet"
        raise TokenError(scrub(f"cannot get an OAuth2 token: {type(exc).__name__}: {exc}")[:300]) from None
    token = result.get("access_token") if isinstance(result, dict) else None
    if not token:
        reason = result.get("error_description") or result.get("error") if isinstance(result, dict) else None
        raise TokenError(scrub(f"OAuth2 token refused: {reason or 'no access token'}").splitlines()[0][:300])
    register_secret(token)
    return str(token)


def xoauth2(user: str, token: str) -> str:
    return f"user={user}\x01auth=Bearer {token}\x01\x01"
