"""How many SMS segments a carrier bills for a text: GSM-7 when every character has a GSM code,
else UCS-2 (UTF-16 code units). Pure, so the reply box can count as a person types."""

from dataclasses import dataclass

GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = "^{}\\[~]|€\f"  # each takes two septets (escape + code)
GSM_SEGMENT, GSM_SINGLE = 153, 160
UCS2_SEGMENT, UCS2_SINGLE = 67, 70
GSM7, UCS2 = "GSM-7", "UCS-2"


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # GSM7 or UCS2
    length: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int  # at least 1, even for an empty text
    first_ucs2_char: str | None  # the first character that forced UCS-2, None for GSM-7


def _first_non_gsm(text: str) -> str | None:
    return next((ch for ch in text if ch not in GSM_BASIC and ch not in GSM_EXTENDED), None)


def segments(text: str) -> SegmentCount:
    """The encoding, length in its units and segment count of `text`."""
    odd = _first_non_gsm(text)
    if odd is None:
        length = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
        single, segment, encoding = GSM_SINGLE, GSM_SEGMENT, GSM7
    else:
        length = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
        single, segment, encoding = UCS2_SINGLE, UCS2_SEGMENT, UCS2
    count = 1 if length <= single else -(-length // segment)
    return SegmentCount(encoding, length, count, odd)
