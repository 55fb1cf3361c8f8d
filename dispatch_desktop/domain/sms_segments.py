"""How many SMS segments a carrier bills for a text, and fitting a text into a segment budget.

A text that uses only the GSM-7 alphabet takes 160 septets in one segment, 153 per segment when
it is split (the rest is the concatenation header); the extension table's characters take two
septets, and the pair is never split across segments. Any other character makes the whole text
UCS-2: 70 code units in one segment, 67 per segment when split, a character outside the Basic
Multilingual Plane takes two units and its pair is never split either. Pure functions, no I/O.
"""

from collections.abc import Sequence

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
GSM_SEGMENT, GSM_SINGLE = 153, 160
UCS2_SEGMENT, UCS2_SINGLE = 67, 70
MAX_SEGMENTS = 2
ELLIPSIS = "..."


def is_gsm(text: str) -> bool:
    """True when the whole text can go in the GSM-7 alphabet (with its extension table)."""
    return all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text)


def _units(text: str) -> tuple[list[int], int, int]:
    """Each character's size in its encoding's units, and the single and split segment sizes."""
    if is_gsm(text):
        return [2 if ch in GSM_EXTENDED else 1 for ch in text], GSM_SINGLE, GSM_SEGMENT
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text], UCS2_SINGLE, UCS2_SEGMENT


def _packed(units: Sequence[int], segment: int) -> int:
    count, used = 1, 0
    for size in units:
        if used + size > segment:
            count, used = count + 1, size
        else:
            used += size
    return count


def segments(text: str) -> int:
    """How many segments the text is billed as (an empty text still takes one)."""
    units, single, segment = _units(text)
    if sum(units) <= single:
        return 1
    return _packed(units, segment)


def fit(text: str, *, prefix: str = "", suffix: str = "", max_segments: int = MAX_SEGMENTS) -> str:
    """prefix + text + suffix, the text shortened with '...' so the whole stays within the budget.

    The prefix (a company name) and suffix (an opt-out line) are kept whole; only the text in
    between is cut, so the two together must fit the budget with room for the '...'.
    """
    whole = prefix + text + suffix
    if segments(whole) <= max_segments:
        return whole
    low, high = 0, len(text)  # the longest cut that fits, by bisection (fits is monotonic)
    while low < high:
        middle = (low + high + 1) // 2
        if segments(prefix + text[:middle].rstrip() + ELLIPSIS + suffix) <= max_segments:
            low = middle
        else:
            high = middle - 1
    return prefix + text[:low].rstrip() + ELLIPSIS + suffix
