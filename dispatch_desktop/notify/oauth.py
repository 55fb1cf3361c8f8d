"""OAuth2 (XOAUTH2) for Office 365 SMTP: an app-only token from Microsoft Entra ID through msal.

Used when the SMTP auth mode is "oauth2" (SMTP_AUTH=oauth2): the client-credentials flow of an
app registration with the SMTP.SendAsApp permission, signing in as SMTP_USER (the mailbox).

One msal ConfidentialClientApplication per authority, tenant and client id lives for the whole
process, so its token cache is shared by every batch and thread: a token is reused until five
minutes before it expires (msal's margin) and then fetched again, with no one noticing. Token
fetches for one app are serialised, so two lanes never both ask the endpoint at once.

A failure raises TokenError with one line that says what is wrong and never the secret:
a wrong tenant id, client id or secret is permanent; an endpoint that cannot be reached is not.
"""

import base64
import hashlib
import re
import threading
from dataclasses import dataclass
from typing import Any

from dispatch_desktop.notify.credentials import SmtpCredentials
from dispatch_desktop.notify.office365 import SIGN_IN_FAILED
from dispatch_desktop.notify.secrets import register_secret, scrub

SMTP_SCOPE = "https://outlook.office365.com/.default"
TRANSIENT_ERRORS = ("temporarily_unavailable", "server_error")


class TokenError(Exception):
    """No token: the message says why, without the secret.

    permanent: retrying cannot help until an admin changes something (the rows fail).
    counts_attempt: for a transient error, whether it uses up one of the message's attempts
    (an unreachable endpoint does not; an unexplained refusal does, so it ends as failed).
    """

    def __init__(self, message: str, *, permanent: bool, counts_attempt: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.counts_attempt = counts_attempt


@dataclass
class _Client:
    app: Any
    secret_digest: str
    lock: threading.Lock


_lock = threading.Lock()
_clients: dict[tuple[str, str, str], _Client] = {}


def forget_tokens() -> None:
    """Drop every app and cached token (tests; a changed secret is noticed without this)."""
    with _lock:
        _clients.clear()


def _authority_base(credentials: SmtpCredentials) -> str:
    return credentials.authority.rstrip("/")


def _client(credentials: SmtpCredentials) -> _Client:
    import msal  # only workstations that use OAuth2 pay for importing it

    tenant, client_id = credentials.tenant_id.value or "", credentials.client_id.value or ""
    secret = credentials.client_secret.value or ""
    key = (_authority_base(credentials), tenant, client_id)
    digest = hashlib.sha256(secret.encode()).hexdigest()
    with _lock:
        client = _clients.get(key)
        if client is None or client.secret_digest != digest:
            # Building the app reads the tenant's OpenID configuration from the authority (the
            # network call that finds a wrong tenant id). Instance discovery is off: it would ask
            # login.microsoftonline.com about a configured authority, which must be the only host.
            app = msal.ConfidentialClientApplication(
                client_id,
                client_credential=secret,
                authority=f"{key[0]}/{tenant}",
                instance_discovery=False,
                timeout=credentials.timeout_seconds,
            )
            client = _clients[key] = _Client(app, digest, threading.Lock())
        return client


def discard_token(credentials: SmtpCredentials) -> None:
    """Exchange refused the token: the next sign-in fetches a new one instead of reusing it for up
    to an hour, so a permission an admin has just granted (a new roles claim) takes effect at once."""
    key = (_authority_base(credentials), credentials.tenant_id.value or "", credentials.client_id.value or "")
    with _lock:
        client = _clients.get(key)
    if client is not None:
        with client.lock:
            client.app.remove_tokens_for_client()


def smtp_access_token(credentials: SmtpCredentials) -> str:
    """A valid access token for Exchange Online SMTP, from the process-wide cache when it can be."""
    try:
        client = _client(credentials)
    except ValueError as exc:  # msal: the authority answered, but not with this tenant's configuration
        raise _discovery_error(exc, credentials) from None
    except Exception as exc:  # connection refused, timeout, TLS, 5xx: the endpoint cannot be used now
        raise _unreachable(exc, credentials) from None
    try:
        with client.lock:
            result = client.app.acquire_token_for_client(scopes=[SMTP_SCOPE])
    except Exception as exc:
        raise _unreachable(exc, credentials) from None
    token = result.get("access_token") if isinstance(result, dict) else None
    if not token:
        raise _refusal(result if isinstance(result, dict) else {}, credentials)
    register_secret(token)
    return str(token)


def xoauth2(user: str, token: str) -> str:
    """The SASL XOAUTH2 initial response (smtplib base64-encodes it)."""
    text = f"user={user}\x01auth=Bearer {token}\x01\x01"
    register_secret(base64.b64encode(text.encode()).decode().rstrip("="))
    return text


# --- what went wrong -----------------------------------------------------------------------


def _first_line(text: object) -> str:
    return scrub(" ".join(str(text or "").split("\n")[0].split()))[:240]


def _reason(exc: BaseException) -> str:
    text = str(exc)
    errno = re.search(r"\[Errno -?\d+\][^'\")]*", text)
    if errno:
        return errno.group(0).strip()
    if "timed out" in text.lower():
        return "timed out"
    return _first_line(f"{type(exc).__name__}: {text}")[:160]


def _unreachable(exc: BaseException, credentials: SmtpCredentials) -> TokenError:
    return TokenError(
        f"cannot reach the Entra ID token endpoint at {_authority_base(credentials)} ({_reason(exc)}); "
        "the email waits and is sent once it answers",
        permanent=False,
    )


def _tenant_error(credentials: SmtpCredentials, detail: str) -> TokenError:
    return TokenError(
        f"{SIGN_IN_FAILED}: wrong tenant id: Entra ID at {_authority_base(credentials)} does not know tenant "
        f"'{credentials.tenant_id.value}' ({detail}); set the Directory (tenant) ID from the app registration's "
        "Overview page (--tenant-id or O365_TENANT_ID)",
        permanent=True,
    )


def _discovery_error(exc: ValueError, credentials: SmtpCredentials) -> TokenError:
    """msal raises ValueError when the tenant's OpenID configuration is refused (4xx) or unreadable."""
    cause = str(exc.__context__ or exc)
    status = re.search(r"HTTP status: (\d+)", cause)
    if status and status.group(1).startswith("4"):
        code = re.search(r"AADSTS\d+", cause)
        return _tenant_error(credentials, code.group(0) if code else f"HTTP {status.group(1)}")
    if "should consist of an https url" in cause:
        return TokenError(
            f"{SIGN_IN_FAILED}: the authority {_authority_base(credentials)!r} is not a valid https URL "
            "(default https://login.microsoftonline.com; O365_AUTHORITY or [smtp] authority)",
            permanent=True,
        )
    return TokenError(
        f"the Entra ID authority {_authority_base(credentials)} did not answer like Entra ID "
        f"({_first_line(cause)[:120]}); the email waits and is tried again",
        permanent=False,
        counts_attempt=True,
    )


def _refusal(result: dict[str, Any], credentials: SmtpCredentials) -> TokenError:
    error = str(result.get("error") or "")
    description = _first_line(result.get("error_description") or "")
    codes = set(re.findall(r"AADSTS\d+", description))
    client = credentials.client_id.value
    if "AADSTS90002" in codes or "AADSTS900023" in codes or error == "invalid_tenant":
        return _tenant_error(credentials, " ".join(sorted(codes)) or error)
    if "AADSTS700016" in codes:
        return TokenError(
            f"{SIGN_IN_FAILED}: wrong client id: tenant '{credentials.tenant_id.value}' has no app with "
            f"client id '{client}' (AADSTS700016); set the Application (client) ID from the app registration's "
            "Overview page (--client-id or O365_CLIENT_ID)",
            permanent=True,
        )
    if "AADSTS7000215" in codes:
        return TokenError(
            f"{SIGN_IN_FAILED}: wrong client secret: Entra ID refused the secret for app '{client}' "
            "(AADSTS7000215 invalid client secret); store the secret's Value, not its Secret ID "
            "(credentials set smtp --auth oauth2, or O365_CLIENT_SECRET)",
            permanent=True,
        )
    if "AADSTS7000222" in codes:
        return TokenError(
            f"{SIGN_IN_FAILED}: the client secret of app '{client}' has expired (AADSTS7000222); create a "
            "new one under Certificates & secrets and store it (credentials set smtp --auth oauth2, or "
            "O365_CLIENT_SECRET)",
            permanent=True,
        )
    if "AADSTS7000112" in codes:
        return TokenError(
            f"{SIGN_IN_FAILED}: app '{client}' is disabled in tenant '{credentials.tenant_id.value}' "
            "(AADSTS7000112); enable its enterprise application in Entra ID",
            permanent=True,
        )
    if "AADSTS500011" in codes:
        return TokenError(
            f"{SIGN_IN_FAILED}: tenant '{credentials.tenant_id.value}' has no Office 365 Exchange Online "
            "(AADSTS500011); OAuth2 SMTP needs an Exchange Online tenant",
            permanent=True,
        )
    summary = description or error or "no access token in the answer"
    if error in TRANSIENT_ERRORS:
        return TokenError(
            f"Entra ID is not issuing tokens right now ({summary}); will retry", permanent=False
        )
    return TokenError(
        f"Entra ID gave no token for app '{client}' ({summary}); will retry",
        permanent=False,
        counts_attempt=True,
    )
