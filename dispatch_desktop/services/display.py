"""How stored values read on screen (the console may not parse phone numbers itself)."""

from functools import lru_cache

import phonenumbers


@lru_cache(maxsize=20_000)
def phone_for_display(e164: str, region: str) -> str:
    """National format for numbers of the team's region, international for the rest."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(parsed) == region:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
