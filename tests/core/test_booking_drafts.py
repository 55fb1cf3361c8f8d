"""What the booking form's Save does, without the form: create, or edit and then (re)assign."""

from dataclasses import replace

import pytest

from dispatch_desktop.domain.errors import StaleVersionError
from dispatch_desktop.services import bookings
from dispatch_desktop.services.booking_drafts import BookingDraft, save_draft
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import BookingView
from tests.core.helpers import add_agent, add_booking


def _draft(view: BookingView, **changes: object) -> BookingDraft:
    draft = BookingDraft(
        customer_name=view.customer_name,
        customer_phone=view.customer_phone,
        customer_email=view.customer_email,
        address=view.address,
        service=view.service,
        start=view.start,
        end=view.end,
        notes=view.notes,
        agent_id=view.agent_id,
    )
    return replace(draft, **changes)


def test_an_edit_with_another_agent_reassigns_and_without_assigning_keeps_the_agent(
    ctx: ServiceContext,
) -> None:
    ann, ben = add_agent(ctx), add_agent(ctx, "Ben Okafor", "312-555-0102")
    booking = add_booking(ctx, agent_id=ann.id)
    saved = save_draft(ctx, _draft(booking, service="Radiator leak", agent_id=ben.id), booking, assign=True)
    assert (saved.service, saved.agent_id) == ("Radiator leak", ben.id)
    assert bookings.get_booking(ctx, booking.id).agent_id == ben.id

    kept = save_draft(ctx, _draft(saved, service="Boiler", agent_id=ann.id), saved, assign=False)
    assert (kept.service, kept.agent_id) == ("Boiler", ben.id)


def test_a_new_draft_is_created_unassigned_unless_assigning(ctx: ServiceContext) -> None:
    ann = add_agent(ctx)
    template = add_booking(ctx, "07:00", "08:00")
    first = save_draft(
        ctx,
        _draft(
            template, start=template.end, end=template.end + (template.end - template.start), agent_id=ann.id
        ),
        None,
        assign=False,
    )
    assert first.id != template.id and first.agent_id is None
    second = save_draft(ctx, _draft(first, agent_id=ann.id), None, assign=True)
    assert second.agent_id == ann.id


def test_an_edit_of_an_outdated_copy_is_refused(ctx: ServiceContext) -> None:
    booking = add_booking(ctx)
    save_draft(ctx, _draft(booking, service="First edit"), booking, assign=False)
    with pytest.raises(StaleVersionError):
        save_draft(ctx, _draft(booking, service="Second edit"), booking, assign=False)
    assert bookings.get_booking(ctx, booking.id).service == "First edit"


def test_a_call_center_draft_is_created_as_the_call_centers(ctx: ServiceContext) -> None:
    template = add_booking(ctx, "07:00", "08:00")
    later = template.end + (template.end - template.start)
    taken = save_draft(
        ctx, _draft(template, start=template.end, end=later), None, assign=False, call_center=True
    )
    assert (taken.source, taken.agent_id) == ("call-center", None)
    assert bookings.get_booking(ctx, template.id).source == "dispatcher"
