"""Storing, showing and deleting the notifier's credentials, for the command line.

The work is the notifier's (notify/credentials.py): secrets go to the OS keyring, the rest to the
config file. This is the services' door to it, so the command line never imports the notifier.
"""

from pathlib import Path

from dispatch_desktop.config import Config, load_config_without
from dispatch_desktop.notify import credentials
from dispatch_desktop.notify.credentials import (
    AUTH_MODES,
    IMPLICIT_TLS_PORT,
    LOCKED,
    MESSAGING_SERVICE_ENV,
    O365_SECRET,
    OAUTH2_AUTH,
    PASSWORD_AUTH,
    FieldStatus,
    describe,
    set_smtp,
    set_twilio,
)
from dispatch_desktop.notify.secrets import scrub

__all__ = [
    "AUTH_MODES",
    "IMPLICIT_TLS_PORT",
    "LOCKED",
    "O365_SECRET",
    "OAUTH2_AUTH",
    "PASSWORD_AUTH",
    "SERVICES",
    "FieldStatus",
    "delete_credentials",
    "describe",
    "scrub",
    "set_smtp",
    "set_twilio",
    "twilio_sender",
]

SERVICES = ("twilio", "smtp")


def delete_credentials(home: Path, service: str) -> Config:
    """Forget one service's settings and secret; works on a config file whose section is broken."""
    config = load_config_without(home, service)
    delete = credentials.delete_twilio if service == "twilio" else credentials.delete_smtp
    return delete(home, config)


def twilio_sender(fields: list[FieldStatus]) -> str:
    """What texts go out through: the Messaging Service when one is set, else the From number."""
    shown = {row.name: row.shown for row in fields if row.configured}
    if shown.get(MESSAGING_SERVICE_ENV):
        return f"Messaging Service {shown[MESSAGING_SERVICE_ENV]}"
    return f"From number {shown.get('TWILIO_PHONE_NUMBER') or '(not set)'}"
