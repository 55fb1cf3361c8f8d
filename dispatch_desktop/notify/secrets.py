"""Keeps secrets out of log lines and error messages.

Every secret the notifier loads is registered here; `scrub` replaces any registered
secret (and its base64 forms, which SMTP AUTH and HTTP basic auth put on the wire) with ***.
"""

import base64
import logging
import threading

_lock = threading.Lock()
_secrets: set[str] = set()
MASK = "***"


def register_secret(value: str | None) -> None:
    if not value or len(value) < 4:
        return
    forms = {value, base64.b64encode(value.encode()).decode().rstrip("=")}
    with _lock:
        _secrets.update(form for form in forms if len(form) >= 4)


def register_login(user: str | None, password: str | None) -> None:
    """The AUTH PLAIN and basic-auth encodings of a login contain the password too."""
    register_secret(password)
    if user and password:
        register_secret(base64.b64encode(f"\0{user}\0{password}".encode()).decode().rstrip("="))
        register_secret(base64.b64encode(f"{user}:{password}".encode()).decode().rstrip("="))


def scrub(text: str | None) -> str:
    if not text:
        return text or ""
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class SecretScrubFilter(logging.Filter):
    """Rewrites a record's final message with secrets masked before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
