"""A message's language: its dates and times through Babel, and the words the code adds around a
template (status words, the opt-out line, a reminder's reply keywords, the company line).

Which languages are offered is what ships templates (notify/languages.py); a language without a
table here falls back to English words, as its messages fall back to English templates.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.domain.message_kinds import DEFAULT_LANGUAGE

ENGLISH = DEFAULT_LANGUAGE  # what every message falls back to


@dataclass(frozen=True)
class Dates:
    """Babel patterns (CLDR syntax) of a message's `when`, `date` and `time`."""

    when: str
    date: str
    time: str


# English keeps the ISO look of the seed's messages; Spanish reads as a person writes it.
DATES = {
    ENGLISH: Dates(when="yyyy-MM-dd HH:mm", date="yyyy-MM-dd", time="HH:mm"),
    "es": Dates(when="EEEE d 'de' MMMM, HH:mm", date="EEEE d 'de' MMMM", time="HH:mm"),
}


@dataclass(frozen=True)
class Words:
    opt_out: str
    reply_hint: str  # a reminder's keywords when two-way SMS is on
    company_line: str  # {name} is the company and its phone; without a name, `service_team` is used
    service_team: str
    invite: str  # a calendar invite's description: {ref}, {starts}, {ends}, {zone}
    invite_cancelled: str
    statuses: dict[str, str]  # of bookings and time off


WORDS = {
    ENGLISH: Words(
        opt_out="Reply STOP to opt out.",
        reply_hint="Reply C to confirm, R to reschedule",
        company_line="Sent by {name} through Dispatch Desktop.",
        service_team="Sent by your service team through Dispatch Desktop.",
        invite="Booking {ref}, {starts} to {ends} {zone}.",
        invite_cancelled="Cancelled.",
        statuses={},  # the status's own words, "en_route" read as "en route"
    ),
    "es": Words(
        opt_out="Responda STOP para darse de baja.",
        reply_hint="Responda C para confirmar o R para otra fecha.",
        company_line="Enviado por {name} mediante Dispatch Desktop.",
        service_team="Enviado por su equipo de servicio mediante Dispatch Desktop.",
        invite="Cita {ref}, {starts} a {ends} ({zone}).",
        invite_cancelled="Cancelada.",
        # A booking is "la cita" and time off "la solicitud" in the Spanish templates: the words
        # agree with them.
        statuses={
            "pending": "pendiente",
            "scheduled": "programada",
            "confirmed": "confirmada",
            "en_route": "en camino",
            "in_progress": "en curso",
            "completed": "completada",
            "cancelled": "cancelada",
            "no_show": "no realizada, no había nadie",
            "approved": "aprobada",
            "denied": "rechazada",
        },
    ),
}


def words(language: str) -> Words:
    return WORDS.get(language, WORDS[ENGLISH])


def status_words(status: str, language: str = ENGLISH) -> str:
    return words(language).statuses.get(status) or status.replace("_", " ")


def _dates(language: str) -> tuple[Dates, str]:
    return (DATES[language], language) if language in DATES else (DATES[ENGLISH], ENGLISH)


def when(moment: datetime, zone: tzinfo, language: str = ENGLISH) -> str:
    """The day and time of `moment` in `zone`: "2026-12-02 10:00", "miércoles 2 de diciembre, 10:00"."""
    from babel.dates import format_datetime  # Babel loads with the first message, not at start-up

    dates, locale = _dates(language)
    return format_datetime(moment, dates.when, tzinfo=zone, locale=locale)


def day(moment: datetime, zone: tzinfo, language: str = ENGLISH) -> str:
    from babel.dates import format_date

    dates, locale = _dates(language)
    return format_date(moment.astimezone(zone), dates.date, locale=locale)


def clock(moment: datetime, zone: tzinfo, language: str = ENGLISH) -> str:
    from babel.dates import format_time

    dates, locale = _dates(language)
    return format_time(moment, dates.time, tzinfo=zone, locale=locale)


def name(language: str) -> str:
    """The language in its own words, for a pick list: "English", "Español"."""
    from babel import Locale

    own = Locale.parse(language).get_display_name(language) or language
    return own[:1].upper() + own[1:]


def chosen(value: str, offered: Iterable[str], field: str = "language") -> str:
    """`value` as a language code from `offered`, or one clear error naming them."""
    codes = tuple(offered)
    code = next((c for c in codes if c.lower() == value.strip().lower().replace("_", "-")), None)
    if code is None:
        raise ValidationError(
            f"{field} must be one of {', '.join(codes)} (the languages with messages), not {value.strip()!r}",
            field,
        )
    return code
