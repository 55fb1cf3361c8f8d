"""Plain records of the message templates, for the command line and the console's editor."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dispatch_desktop.domain.sms_segments import SegmentCount
from dispatch_desktop.services.views import jsonable


@dataclass(frozen=True)
class TemplateSummary:
    kind: str
    description: str
    parts: tuple[str, ...]
    languages: tuple[str, ...]  # the languages with at least one override
    updated_by: str | None  # the name of who last changed or reset a part, None: never
    updated_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return jsonable(self)


@dataclass(frozen=True)
class PartDetail:
    part: str
    label: str  # "SMS", "email subject", ...
    text: str  # the template text in force for the language (an override or the shipped file)
    shipped_text: str  # the shipped default for the language (English when it has none)
    is_override: bool  # an override for exactly this language
    updated_by: str | None
    updated_at: datetime | None


@dataclass(frozen=True)
class TemplateDetail:
    kind: str
    description: str
    language: str
    variables: tuple[str, ...]
    parts: tuple[PartDetail, ...]

    def part(self, name: str) -> PartDetail:
        return next(part for part in self.parts if part.part == name)

    def to_json(self) -> dict[str, Any]:
        return {**jsonable(self), "parts": [jsonable(part) for part in self.parts]}


@dataclass(frozen=True)
class Preview:
    """A kind rendered for a booking; a refused draft leaves the texts None and says why in `error`
    (an SMS refused for its length keeps the counts of its uncut text)."""

    kind: str
    language: str
    booking: str  # the booking's reference, or "sample"
    sms: str | None = None  # as the customer reads it: with the company name and the opt-out line
    subject: str | None = None
    text: str | None = None
    html: str | None = None
    sms_length: int | None = None
    sms_encoding: str | None = None  # GSM-7 or UCS-2
    first_ucs2_char: str | None = None
    sms_segments: int | None = None
    error: str | None = None
    invite: str | None = None  # the email's calendar invite, "REQUEST <start> to <end> (<zone>)"

    def sms_count(self) -> SegmentCount | None:
        if self.sms_encoding is None or self.sms_length is None or self.sms_segments is None:
            return None
        return SegmentCount(self.sms_encoding, self.sms_length, self.sms_segments, self.first_ucs2_char)

    def to_json(self) -> dict[str, Any]:
        return jsonable(self)


@dataclass(frozen=True)
class TemplateChange:
    """One audit row of a template, told as a sentence: "Sam Rivera changed the confirmation SMS (en)"."""

    kind: str
    part: str
    language: str
    action: str  # "changed" or "reset"
    actor: str
    at: datetime
    sentence: str

    def to_json(self) -> dict[str, Any]:
        return jsonable(self)
