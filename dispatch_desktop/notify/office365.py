"""What Office 365 (Exchange Online) SMTP replies mean, and what an admin has to change. Qt-free.

Every permanent sign-in failure the notifier records starts with SIGN_IN_FAILED, and the
basic-authentication retirement ones also carry RETIREMENT_NOTICE, so the console can find
them in the outbox and raise a banner (see services.email_auth).
"""

from dataclasses import dataclass

SIGN_IN_FAILED = "email sign-in failed"
RETIREMENT_NOTICE = "MC786329"
OAUTH2_DOC = "docs/office365.md"
# Replies Exchange Online gives once basic authentication for SMTP AUTH is off:
# "535 5.7.139 Authentication unsuccessful, basic authentication is disabled" (switched off by
# default at the end of December 2026) and, after final removal,
# "550 5.7.30 Basic authentication is not supported for Client Submission".
RETIREMENT_CODES = ("5.7.139", "5.7.30")

# Hosts that are Exchange Online's client submission endpoints (smtp.office365.com and the
# national clouds). The MX hosts (*.mail.protection.outlook.com) take no SMTP AUTH at all.
_OFFICE365_SUFFIXES = (".office365.com", ".outlook.com", ".office365.us", ".outlook.cn")
_NOT_SMTP_AUTH = (".mail.protection.outlook.com", ".mail.protection.office365.us")


def is_office365_host(host: str | None) -> bool:
    name = (host or "").strip().lower().rstrip(".")
    if not name or name.endswith(_NOT_SMTP_AUTH):
        return False
    return name.endswith(_OFFICE365_SUFFIXES) or name in {s.lstrip(".") for s in _OFFICE365_SUFFIXES}


def retirement_warning(host: str | None, auth_mode: str) -> str | None:
    """The warning `credentials show` and the settings dialog give before basic SMTP AUTH is switched off."""
    if auth_mode != "password" or not is_office365_host(host):
        return None
    return (
        f"{host} is Office 365 and this workstation signs in with a password (basic authentication). "
        f"Microsoft switches basic SMTP AUTH off by default for Exchange Online at the end of December 2026 "
        f"({RETIREMENT_NOTICE}); from then on every email fails with '535 5.7.139 basic authentication is "
        f"disabled'. Switch to OAuth2 now: dispatch-desktop credentials set smtp --auth oauth2 "
        f"(see {OAUTH2_DOC})."
    )


def is_retirement_reply(code: int, text: str) -> bool:
    return code in (535, 550) and any(marker in text for marker in RETIREMENT_CODES)


def retirement_error(reply: str) -> str:
    return (
        f"{SIGN_IN_FAILED}: Office 365 no longer accepts the SMTP password (basic authentication is "
        f"switched off, Microsoft {RETIREMENT_NOTICE}); server said: {reply.rstrip('. ')}. Switch this workstation to "
        f"OAuth2: dispatch-desktop credentials set smtp --auth oauth2 (see {OAUTH2_DOC}), then retry these emails"
    )


@dataclass(frozen=True)
class ExchangeSetup:
    mailbox: str
    client_id: str

    @property
    def enable_smtp_auth(self) -> str:
        return f"Set-CASMailbox -Identity {self.mailbox} -SmtpClientAuthenticationDisabled $false"

    @property
    def grant(self) -> str:
        return (
            "grant the app the application permission SMTP.SendAsApp (Office 365 Exchange Online) with admin "
            f"consent, register it in Exchange with New-ServicePrincipal -AppId {self.client_id} -ObjectId "
            "<enterprise application object id> and give it the mailbox with Add-MailboxPermission "
            f"-Identity {self.mailbox} -User <service principal id> -AccessRights FullAccess"
        )


def xoauth2_refused_error(reply: str, setup: ExchangeSetup) -> str:
    """A 5xx to AUTH XOAUTH2: the token was fine for Entra ID, but Exchange will not let the app send."""
    lowered = reply.lower()
    if "disabled for the tenant" in lowered:
        change = (
            "SMTP AUTH is switched off for the whole organisation: run Set-TransportConfig "
            f"-SmtpClientAuthenticationDisabled $false, or enable it for the mailbox only: {setup.enable_smtp_auth}"
        )
    elif "5.7.139" in reply or "smtpclientauthentication" in lowered:
        change = f"SMTP AUTH is switched off for the mailbox: {setup.enable_smtp_auth}"
    else:
        change = (
            f"the app may not send as {setup.mailbox}: {setup.grant}; and make sure SMTP AUTH is on for the "
            f"mailbox: {setup.enable_smtp_auth}"
        )
    return f"{SIGN_IN_FAILED}: Exchange Online refused the app's OAuth2 token for {setup.mailbox} ({reply}); {change}"


def send_as_refused_error(reply: str, setup: ExchangeSetup, sender: str) -> str:
    """550 5.7.60 / 554 5.2.252: signed in as the mailbox, but not allowed to send with this From address."""
    return (
        f"{SIGN_IN_FAILED}: {setup.mailbox} may not send as {sender} ({reply}); use the mailbox itself as "
        f"EMAIL_FROM, or run Add-RecipientPermission -Identity {sender} -Trustee {setup.mailbox} "
        "-AccessRights SendAs"
    )


def is_send_as_refusal(code: int, text: str) -> bool:
    return code >= 500 and ("5.7.60" in text or "5.2.252" in text or "SendAsDenied" in text)
