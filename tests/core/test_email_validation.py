"""The one email rule (domain.validation.email): every address the product stores or sends from."""

import pytest

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import ValidationError


@pytest.mark.parametrize(
    "address", ["ops@corp.local", "ops@dc1.corp.local", "ops@ops.internal", "ops@srv.lan"]
)
def test_company_network_mail_domains_are_addresses(address: str) -> None:
    assert validation.email(address) == address


@pytest.mark.parametrize("address", ["ops@localhost", "ops@host.invalid", "ops@mailhub", "ops@x.onion"])
def test_names_no_mail_server_can_have_are_refused(address: str) -> None:
    with pytest.raises(ValidationError, match="is not a valid email address"):
        validation.email(address)


def test_the_ascii_form_of_an_address_punycodes_the_domain_and_needs_an_ascii_local_part() -> None:
    assert validation.ascii_email("kund@bücher.de") == "kund@xn--bcher-kva.de"
    assert validation.ascii_email("kund@example.com") == "kund@example.com"
    assert validation.ascii_email("jörg@bücher.de") is None
