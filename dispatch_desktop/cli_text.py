"""What the command line prints, made safe for a terminal.

Rows written before input was checked can hold line breaks, terminal controls (C1 such as
U+009B starts an escape sequence) and bidi overrides; printed raw they forge lines or hide text.
"""

import json
from typing import Any


def printable(value: object, *, keep_newlines: bool = False) -> str:
    """Text with every non-printable character escaped as Python would write it (\\n, \\x9b, \\u202e)."""
    return "".join(
        ch if ch.isprintable() or (keep_newlines and ch == "\n") else repr(ch)[1:-1] for ch in str(value)
    )


def json_text(payload: Any) -> str:
    """One JSON document, non-ASCII kept readable but DEL, C1, U+2028/9 and bidi controls escaped.

    json.dumps leaves those raw; inside strings (the only place they occur) a \\u escape is the
    same JSON.
    """
    document = json.dumps(payload, indent=2, ensure_ascii=False)
    return "".join(ch if ch.isprintable() or ch == "\n" else json.dumps(ch)[1:-1] for ch in document)
