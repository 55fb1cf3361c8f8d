"""How many SMS segments a carrier bills for a text, and fitting a text into a segment budget.

A text that uses only the GSM-7 alphabet takes 160 septets in one segment, 153 per segment when
it is split (the rest is the concatenation header); the extension table's characters take two
septets, and the pair is never split across segments. Any other character makes the whole text
UCS-2: 70 code units in one segment, 67 per segment when split, a character outside the Basic
Multilingual Plane takes two units and its pair is never split either. Pure functions, no I/O,
so the inbox's reply box can count as a person types.
"""

from collections.abc import Sequence
from dataclasses import dataclass

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
GSM_SEGMENT, GSM_SINGLE = 153, 160
UCS2_SEGMENT, UCS2_SINGLE = 67, 70
GSM7, UCS2 = "GSM-7", "UCS-2"
MAX_SEGMENTS = 2
ELLIPSIS = "..."


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # GSM7 or UCS2
    length: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int  # at least 1, even for an empty text
    first_ucs2_char: str | None  # the first character that forced UCS-2, None for GSM-7


def _first_non_gsm(text: str) -> str | None:
    return next((ch for ch in text if ch not in GSM_BASIC and ch not in GSM_EXTENDED), None)


def is_gsm(text: str) -> bool:
    """True when the whole text can go in the GSM-7 alphabet (with its extension table)."""
    return _first_non_gsm(text) is None


def _packed(units: Sequence[int], segment: int) -> int:
    count, used = 1, 0
    for size in units:
        if used + size > segment:
            count, used = count + 1, size
        else:
            used += size
    return count


def segments(text: str) -> SegmentCount:
    """The encoding, length in its units and billed segment count of `text`."""
    odd = _first_non_gsm(text)
    if odd is None:
        units = [2 if ch in GSM_EXTENDED else 1 for ch in text]
        single, segment, encoding = GSM_SINGLE, GSM_SEGMENT, GSM7
    else:
        units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        single, segment, encoding = UCS2_SINGLE, UCS2_SEGMENT, UCS2
    length = sum(units)
    count = 1 if length <= single else _packed(units, segment)
    return SegmentCount(encoding, length, count, odd)


def fit(text: str, *, prefix: str = "", suffix: str = "", max_segments: int = MAX_SEGMENTS) -> str:
    """prefix + text + suffix, the text shortened with '...' so the whole stays within the budget.

    The prefix (a company name) and suffix (an opt-out line) are kept whole; only the text in
    between is cut, so the two together must fit the budget with room for the '...'.
    """
    whole = prefix + text + suffix
    if segments(whole).segments <= max_segments:
        return whole
    low, high = 0, len(text)  # the longest cut that fits, by bisection (fits is monotonic)
    while low < high:
        middle = (low + high + 1) // 2
        if segments(prefix + text[:middle].rstrip() + ELLIPSIS + suffix).segments <= max_segments:
            low = middle
        else:
            high = middle - 1
    return prefix + text[:low].rstrip() + ELLIPSIS + suffix
