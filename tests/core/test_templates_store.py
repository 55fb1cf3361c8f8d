"""Message templates in the shared database (issue 18): used everywhere from their commit, checked at save."""

import functools
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dispatch_desktop.domain.errors import PermissionDeniedError, ValidationError
from dispatch_desktop.domain.inbound import InboundSms
from dispatch_desktop.domain.message_kinds import KINDS
from dispatch_desktop.domain.sms_segments import segments
from dispatch_desktop.notify import templates as rendering
from dispatch_desktop.services import inbound, operators, template_samples, templates
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.team_settings import update_team_settings
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import AuditEntry, MessageTemplate, OutboxMessage
from tests.core.helpers import add_agent, add_booking

SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "templates"
KIND = "customer_confirmation"
OVERRIDE = "Booked: {{ ref }}, {{ service }} on {{ when }}. See you then!"
CONFIRMATION_VARIABLES = ", ".join(KINDS[KIND].variables)


@pytest.fixture
def sam(ctx: ServiceContext, db: Database) -> ServiceContext:
    """Sam Rivera, a supervisor, and Dana Lee, a dispatcher, on a team that has operators."""
    operators.add_operator(ctx, name="Sam Rivera", username="sam", role="supervisor")
    sam = ServiceContext(db, "sam")
    operators.add_operator(sam, name="Dana Lee", username="dana", role="dispatcher")
    return sam


def customer_sms(db: Database) -> list[str]:
    with db.read() as session:
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == "sms", OutboxMessage.recipient_kind == "customer")
            .order_by(OutboxMessage.id)
        )
        return [row.body for row in rows]


def template_rows(db: Database) -> tuple[int, int]:
    with db.read() as session:
        stored = session.scalar(
            select(func.count()).select_from(MessageTemplate).where(MessageTemplate.body.is_not(None))
        )
        audited = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "template")
        )
        return stored or 0, audited or 0


def test_an_override_is_used_by_the_next_booking_on_another_workstation(
    sam: ServiceContext, database_url: str
) -> None:
    other = Database(database_url)  # a second workstation: its own engine and sessions
    try:
        dana = ServiceContext(other, "dana")
        agent = add_agent(dana)
        templates.set_part(sam, KIND, "sms", "en", OVERRIDE)
        booking = add_booking(dana, agent_id=agent.id)
        assert customer_sms(other) == [
            f"Booked: {booking.reference}, Boiler service on 2026-12-01 09:00. See you then! Reply STOP to opt out."
        ]
    finally:
        other.dispose()


def test_rows_already_in_the_outbox_keep_their_text(sam: ServiceContext, db: Database) -> None:
    agent = add_agent(sam)
    first = add_booking(sam, agent_id=agent.id)
    templates.set_part(sam, KIND, "sms", "en", OVERRIDE)
    second = add_booking(sam, "11:00", "12:00", agent_id=agent.id, phone="312-555-0177", name="Dora Customer")
    assert customer_sms(db) == [
        f"Your booking is confirmed: {first.reference}, Boiler service on 2026-12-01 09:00 at 12 Elm Street, "
        "Chicago. Reply STOP to opt out.",
        f"Booked: {second.reference}, Boiler service on 2026-12-01 11:00. See you then! Reply STOP to opt out.",
    ]


def test_reset_returns_to_the_shipped_text(sam: ServiceContext, db: Database) -> None:
    agent = add_agent(sam)
    templates.set_part(sam, KIND, "sms", "en", OVERRIDE)
    detail = templates.reset(sam, KIND, None, "en")
    assert not detail.part("sms").is_override
    assert detail.part("sms").text == detail.part("sms").shipped_text
    booking = add_booking(sam, agent_id=agent.id)
    assert customer_sms(db) == [
        f"Your booking is confirmed: {booking.reference}, Boiler service on 2026-12-01 09:00 at 12 Elm Street, "
        "Chicago. Reply STOP to opt out."
    ]


def test_the_audit_trail_names_the_supervisor(sam: ServiceContext, db: Database) -> None:
    templates.set_part(sam, KIND, "sms", "en", OVERRIDE)
    templates.reset(sam, KIND, "sms", "en")
    assert [change.sentence for change in templates.changes(sam, KIND)] == [
        "Sam Rivera changed the confirmation SMS (en)",
        "Sam Rivera reset the confirmation SMS (en) to the shipped text",
    ]
    with db.read() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "template").order_by(AuditEntry.id)
        )
        assert [(row.action, row.field, row.actor, row.new_value) for row in rows] == [
            ("changed", "sms", "sam", OVERRIDE),
            ("reset", "sms", "sam", None),
        ]
    [summary] = [t for t in templates.list_templates(sam) if t.kind == KIND]
    assert summary.updated_by == "Sam Rivera" and summary.languages == ()


def test_a_dispatcher_may_look_but_not_change(sam: ServiceContext, db: Database) -> None:
    dana = ServiceContext(db, "dana")
    with pytest.raises(PermissionDeniedError) as refused:
        templates.set_part(dana, KIND, "sms", "en", OVERRIDE)
    assert str(refused.value) == "dana (dispatcher) may not change settings"
    with pytest.raises(PermissionDeniedError):
        templates.reset(dana, KIND, None, "en")
    assert template_rows(db) == (0, 0)
    assert templates.show_template(dana, KIND).part("sms").is_override is False
    assert templates.preview(dana, KIND).sms_segments == 1


@pytest.mark.parametrize(
    ("part", "text", "line"),
    [
        ("sms", "Booked {{ ref }}.\n{{ when }", "line 2: unexpected '}'"),
        (
            "sms",
            "Hi {{ agnt_name }}",
            f"line 1: unknown variable 'agnt_name'; this message may use: {CONFIRMATION_VARIABLES}",
        ),
        (
            "sms",
            "x" * 300 + " {{ when }}",
            "the SMS for the sample booking is 3 segments (GSM-7, 340 characters with the company name "
            "and the opt-out line); sending cuts it to 2, which would cut off {{ when }}: put it earlier "
            "or shorten the text",
        ),
        ("sms", "{% if false %}x{% endif %}", "the SMS is empty for the sample booking"),
        (
            "subject",
            "Booked\n\n{{ ''.__class__ }}",
            "line 3: '__class__' is not allowed: a message may not reach Python internals",
        ),
        (
            "text",
            "{{ ref|attr('upper') }}",
            "line 1: the filter 'attr' is not allowed; these are: "
            "abs, capitalize, d, default, e, escape, first, int, last, length, lower, round, string, "
            "striptags, title, trim, truncate, upper, wordcount",
        ),
        (
            "html",
            "{{ ref.mro() }}",
            "line 1: calling 'mro' is not allowed in a message; use filters such as |upper",
        ),
        (
            "html",
            "{% include '../../config.toml' %}",
            "line 1: a message may include only a shipped file by its name, such as '_booking.txt'",
        ),
        ("text", "{{ status.x.y }}", "line 1: 'str object' has no attribute 'x'"),
    ],
)
def test_a_refused_template_names_the_line_and_changes_nothing(
    sam: ServiceContext, db: Database, part: str, text: str, line: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        templates.set_part(sam, KIND, part, "en", text)
    assert str(refused.value) == line
    assert template_rows(db) == (0, 0)
    preview = templates.preview(sam, KIND, drafts={part: text})
    assert preview.error == line and preview.sms is None


@pytest.mark.parametrize(
    "company",
    [
        "Johnson Brothers Plumbing & Heating Inc.",
        "Hernández Plumbing, Heating & Cooling Co",  # UCS-2: two segments are 134 units
    ],
)
def test_every_shipped_text_saved_unchanged_is_accepted_with_a_long_company_name(
    sam: ServiceContext, db: Database, company: str
) -> None:
    """A supervisor who opens a shipped text and presses Save is never refused: sending shortens a
    long text by its address, and the check takes the same cut."""
    update_team_settings(sam, company_name=company, two_way_sms=True)
    assert len(company) == 40
    saved = 0
    for language in ("en", "es"):
        for kind in KINDS:
            for part in templates.show_template(sam, kind, language).parts:
                templates.set_part(sam, kind, part.part, language, part.shipped_text)
                saved += 1
    assert template_rows(db) == (saved, saved)
    preview = templates.preview(sam, "customer_confirmation", "es")
    assert preview.sms is not None and preview.sms_segments == 2
    assert preview.sms.startswith(f"{company}: Cita confirmada para el ")
    assert preview.sms.endswith(" Responda STOP para darse de baja.")


def test_a_long_draft_that_keeps_its_day_is_sent_as_the_preview_shows(
    sam: ServiceContext, db: Database
) -> None:
    long = "Booked {{ ref }} on {{ when }} at {{ address }}. " + "Please have the area clear. " * 8
    preview = templates.preview(sam, KIND, drafts={"sms": long})
    assert preview.error is None and preview.sms is not None and preview.sms_segments == 2
    templates.set_part(sam, KIND, "sms", "en", long)
    add_booking(sam, agent_id=add_agent(sam).id)
    [sent] = customer_sms(db)
    sample_when = template_samples.context(KIND, sam.team_settings())["when"]
    for sms, when in ((preview.sms, f" on {sample_when} at "), (sent, " on 2026-12-01 09:00 at ")):
        assert when in sms and sms.endswith("... Reply STOP to opt out."), sms
        assert segments(sms).segments == 2


ESCAPES = [
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ namespace.__init__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ ref|attr('__class__') }}",
    "{{ ref.mro() }}",
    "{{ ref.__len__ }}",
    "{{ ref['__class__'] }}",
    "{{ ref[ref] }}",
    "{{ ref.upper() }}",
    "{{ config.items() }}",
    "{{ request.application }}",
    "{{ range(10) }}",
    "{{ dict(a=1) }}",
    "{{ 'a' * 1000000000 }}",
    "{{ 9 ** 99999 }}",
    "{{ '%999999999s' % ref }}",
    "{{ ref|format(1) }}",
    "{{ ref|center(999999999) }}",
    "{{ ref|safe }}",
    "{{ ref|indent(999999999) }}",
    "{% include '../../../etc/passwd' %}",
    "{% include '/etc/passwd' %}",
    "{% include ref %}",
    "{% extends '_base.html' if ref else ref %}",
    "{% import '_booking.txt' as b %}{{ b.__dict__ }}",
    "{% macro m() %}x{% endmacro %}{{ m() }}",
    "{% call ref.upper() %}x{% endcall %}",
    # What would exhaust memory or time: a text doubling itself, loops in loops, quadratic filters.
    "{% set a = ref ~ ref %}{% set b = a ~ a %}{{ b }}",
    "{% for a in address %}{% for b in address %}{{ a }}{% endfor %}{% endfor %}",
    "{% with a = ref ~ ref %}{{ a }}{% endwith %}",
    "{{ ref|replace('', ref)|replace('', ref) }}",
    "{{ ref|wordwrap(1) }}",
]


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payload=st.sampled_from(ESCAPES),
    lines_before=st.integers(min_value=0, max_value=4),
    part=st.sampled_from(["sms", "subject", "text", "html"]),
)
def test_sandbox_escapes_are_refused_at_save(
    sam: ServiceContext, db: Database, payload: str, lines_before: int, part: str
) -> None:
    text = "Booked {{ ref }}.\n" * lines_before + payload
    with pytest.raises(ValidationError) as refused:
        templates.set_part(sam, KIND, part, "en", text)
    assert str(refused.value).startswith(f"line {lines_before + 1}: ")
    assert template_rows(db) == (0, 0)


def test_every_shipped_template_passes_the_check_and_declares_what_the_notices_pass(
    ctx: ServiceContext,
) -> None:
    team = ctx.team_settings()
    for kind, spec in KINDS.items():
        assert set(template_samples.context(kind, team)) == set(spec.variables), kind
        detail = templates.show_template(ctx, kind)
        for part in detail.parts:
            templates.check_part(kind, part.part, "en", part.shipped_text, team)


def test_a_spanish_override_is_used_for_spanish_and_english_stays_shipped(sam: ServiceContext) -> None:
    templates.set_part(sam, KIND, "sms", "es", "Su cita {{ ref }} está confirmada: {{ when }}.")
    detail = templates.show_template(sam, KIND, "es")
    assert detail.part("sms").is_override and not detail.part("subject").is_override
    english = templates.show_template(sam, KIND, "en")
    assert not english.part("sms").is_override
    spanish = templates.preview(sam, KIND, "es")
    assert spanish.sms is not None and spanish.sms.startswith("Su cita BK-000123 está confirmada: ")
    assert spanish.sms_encoding == "UCS-2" and spanish.first_ucs2_char == "á"  # á is not GSM-7
    assert spanish.subject == "Confirmación de su cita"  # no Spanish override: the shipped Spanish one
    assert templates.preview(sam, KIND, "en").sms_encoding == "GSM-7"
    assert [t.languages for t in templates.list_templates(sam) if t.kind == KIND] == [("es",)]


def test_the_resolution_order_override_then_shipped_language_then_english() -> None:
    context = {"ref": "BK-000001"}
    spanish = {("sms", "es"): "es override {{ ref }}"}
    english = {("sms", "en"): "en override {{ ref }}"}
    assert rendering.render_part(
        "test_message", "sms", language="es", overrides={**spanish, **english}, **context
    ) == ("es override BK-000001")
    # No Spanish file ships for this kind: the English override comes before the shipped English.
    assert rendering.render_part("test_message", "sms", language="es", overrides=english, **context) == (
        "en override BK-000001"
    )
    shipped = rendering.render_part(
        "test_message", "sms", language="es", sender_name="Sam", when="now", timezone="UTC"
    )
    assert shipped == "Dispatch Desktop test message from Sam at now."


def test_a_shipped_spanish_file_comes_before_the_english_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "templates"
    shutil.copytree(SHIPPED, folder)
    (folder / "es" / "test_message").mkdir(parents=True)
    (folder / "es" / "test_message" / "sms.txt").write_text("Mensaje de prueba de {{ sender_name }}.\n")
    (folder / "es" / "_booking.txt").write_text("Referencia: {{ ref }}\n")
    monkeypatch.setattr(rendering, "templates_root", lambda: folder)
    rendering._environment.cache_clear()
    try:
        context = {"sender_name": "Sam", "when": "now", "timezone": "UTC", "ref": "BK-000001"}
        english = {("sms", "en"): "en override {{ sender_name }}"}
        spanish = {("sms", "es"): "es override {{ sender_name }}"}
        sms = functools.partial(rendering.render_part, "test_message", "sms", **context)
        assert sms(language="es", overrides={**english, **spanish}) == "es override Sam"
        assert sms(language="es", overrides=english) == "Mensaje de prueba de Sam."
        assert sms(language="en", overrides=english) == "en override Sam"
        assert sms(language="fr", overrides=english) == "en override Sam"
        assert sms(language="fr") == "Dispatch Desktop test message from Sam at now."
        # An override's include reads the language's partial.
        include = {("sms", "es"): "{% include '_booking.txt' %}"}
        assert sms(language="es", overrides=include) == "Referencia: BK-000001"
    finally:
        rendering._environment.cache_clear()


def test_an_html_override_escapes_what_people_typed(sam: ServiceContext, db: Database) -> None:
    templates.set_part(sam, KIND, "html", "en", "<p>{{ address }} for {{ customer_name }}</p>")
    agent = add_agent(sam)
    add_booking(sam, agent_id=agent.id, name="Carla <b>Customer</b>")
    with db.read() as session:
        html = session.scalar(
            select(OutboxMessage.html_body).where(
                OutboxMessage.channel == "email", OutboxMessage.recipient_kind == "customer"
            )
        )
    assert html == "<p>12 Elm Street, Chicago for Carla &lt;b&gt;Customer&lt;/b&gt;</p>\n"


def test_an_override_that_no_longer_renders_falls_back_to_the_shipped_text(sam: ServiceContext) -> None:
    broken = {("sms", "en"): "{{ missing_variable }}"}  # stored before a variable was dropped, say
    text = rendering.render_part(
        "test_message", "sms", overrides=broken, sender_name="Sam", when="now", timezone="UTC"
    )
    assert text == "Dispatch Desktop test message from Sam at now."


def test_a_preview_of_a_real_booking_and_a_booking_that_is_not_there(sam: ServiceContext) -> None:
    agent = add_agent(sam)
    booking = add_booking(sam, agent_id=agent.id)
    preview = templates.preview(sam, "agent_assignment", booking_id=booking.id)
    assert preview.booking == booking.reference
    assert preview.sms == (
        f"New job {booking.reference}: Boiler service on 2026-12-01 09:00 at 12 Elm Street, Chicago. "
        "Customer: Carla Customer."
    )
    with pytest.raises(ValidationError) as missing:
        templates.preview(sam, "agent_assignment", booking_id=booking.id + 1000)
    assert str(missing.value) == f"no booking with id {booking.id + 1000}"
    with pytest.raises(ValidationError) as not_a_booking:
        templates.preview(sam, "test_message", booking_id=booking.id)
    assert str(not_a_booking.value) == "test_message is not about a booking; preview it without one"


def test_an_inbound_reply_uses_its_override(sam: ServiceContext, db: Database) -> None:
    update_team_settings(sam, two_way_sms=True)
    add_booking(sam)  # pending: nothing scheduled to confirm
    templates.set_part(
        sam, "reply_nothing_to_confirm", "sms", "en", "Nothing to confirm, {{ recipient_name }}."
    )
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    inbound.apply_inbound(
        sam, InboundSms("SM" + uuid.uuid4().hex, "+13125550199", "+15005550006", "C", now), now
    )
    with db.read() as session:
        replies = session.scalars(select(OutboxMessage.body).where(OutboxMessage.event == "inbound_reply"))
        assert list(replies) == ["Nothing to confirm, Carla Customer."]


def test_bad_kind_part_and_language_are_one_line(sam: ServiceContext, db: Database) -> None:
    with pytest.raises(
        ValidationError, match=r"^unknown message kind 'nope'; the kinds are: customer_confirmation, "
    ):
        templates.set_part(sam, "nope", "sms", "en", OVERRIDE)
    with pytest.raises(ValidationError) as part:
        templates.set_part(sam, "reply_nothing_to_confirm", "html", "en", OVERRIDE)
    assert str(part.value) == "reply_nothing_to_confirm has no part 'html'; its parts are: sms"
    with pytest.raises(ValidationError) as language:
        templates.set_part(sam, KIND, "sms", "english", OVERRIDE)
    assert str(language.value) == "language must be a two-letter code such as en or es, not 'english'"
    assert template_rows(db) == (0, 0)


def test_a_draft_refused_for_its_length_keeps_its_counts(sam: ServiceContext) -> None:
    preview = templates.preview(sam, KIND, drafts={"sms": "Gracias, reparación. " * 12 + "{{ when }}"})
    assert preview.error is not None and preview.error.startswith(
        "the SMS for the sample booking is 5 segments"
    )
    assert (preview.sms_segments, preview.sms_encoding, preview.first_ucs2_char) == (5, "UCS-2", "ó")
    assert preview.sms is None
