"""The languages messages can be written in: English, and each resources/templates/<lang>/ folder."""

import re

from dispatch_desktop.domain.language import ENGLISH
from dispatch_desktop.notify.templates import templates_root

# A language folder is named by its two-letter code ("es", as message_kinds.language takes it);
# a message kind's folder never looks like one.
_CODE = re.compile(r"[a-z]{2}")


def offered() -> tuple[str, ...]:
    """English first, then the shipped languages in code order."""
    root = templates_root()
    shipped = sorted(e.name for e in root.iterdir() if e.is_dir() and _CODE.fullmatch(e.name))
    return (ENGLISH, *(code for code in shipped if code != ENGLISH))
