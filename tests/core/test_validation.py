"""Bad input gets one clear line and changes nothing, however it is made."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import DispatchError, ValidationError
from dispatch_desktop.services import bookings
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from tests.core.helpers import DAY, row_counts

GOOD = {
    "customer_name": "Carla Customer",
    "customer_phone": "312-555-0199",
    "customer_email": "carla@example.com",
    "address": "12 Elm Street",
    "service": "Boiler service",
    "start": f"{DAY} 09:00",
    "end": f"{DAY} 10:00",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("customer_phone", "12", "customer phone '12' is not a valid phone number for region US"),
        ("customer_phone", "call me", "customer phone 'call me' is not a phone number"),
        ("customer_email", "carla@", "customer email 'carla@' is not a valid email address"),
        ("customer_name", "   ", "customer name must not be empty"),
        ("address", "x" * 301, "address is too long (301 characters, at most 300)"),
        ("start", "tomorrow", "start 'tomorrow' is not a time (use YYYY-MM-DD HH:MM)"),
        ("end", f"{DAY} 08:00", "end must be after start"),
        ("end", "2026-12-02 09:00", "a booking must last less than 24 hours"),
    ],
)
def test_each_bad_field_gets_its_own_message(
    ctx: ServiceContext, db: Database, field: str, value: str, message: str
) -> None:
    before = row_counts(db)
    with pytest.raises(ValidationError) as caught:
        bookings.create_booking(ctx, **{**GOOD, field: value})
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert row_counts(db) == before


def test_phone_numbers_are_stored_in_e164() -> None:
    assert validation.phone("(312) 555-0199", "US") == "+13125550199"
    assert validation.phone("020 7946 0018", "GB") == "+442079460018"


bad_text = st.one_of(
    st.just(""),
    st.text(max_size=3),
    st.text(min_size=301, max_size=400),
    st.text(alphabet="\x00\x01\x07", min_size=1, max_size=5),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    phone=st.one_of(st.text(max_size=12), st.from_regex(r"\+?[0-9]{1,6}", fullmatch=True)),
    email=st.one_of(st.text(max_size=20), st.just("no-at-sign")),
    address=bad_text,
)
def test_random_bad_input_never_writes(
    ctx: ServiceContext, db: Database, phone: str, email: str, address: str
) -> None:
    before = row_counts(db)
    try:
        bookings.create_booking(
            ctx, **{**GOOD, "customer_phone": phone, "customer_email": email or "x", "address": address}
        )
    except DispatchError as exc:
        assert "\n" not in str(exc)
        assert row_counts(db) == before
    else:  # hypothesis may stumble on valid input; then exactly one booking appears
        assert row_counts(db)["bookings"] == before["bookings"] + 1
