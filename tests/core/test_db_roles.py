"""Who is acting is proven by the database: real PostgreSQL login roles, refused by PostgreSQL itself.

Group and login roles are cluster-wide: each test's group roles are named after its fresh schema
(storage/roles.role_prefix), its logins carry a random suffix, and the fixture drops them all.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import create_engine, make_url, select, text

from dispatch_desktop.cli.main import main
from dispatch_desktop.domain.errors import PermissionDeniedError
from dispatch_desktop.domain.inbound import InboundSms
from dispatch_desktop.services import (
    agents,
    bookings,
    inbound,
    maintenance,
    operators,
    templates,
    timeoff,
    workstation,
)
from dispatch_desktop.services.audit import history
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.team_settings import update_team_settings
from dispatch_desktop.storage import roles, schema
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import Base, OutboxMessage
from tests.conftest import PG_URL, TEST_BOOKING_DAYS, TEST_TIMEZONE, PostgresSchemas


def test_every_table_has_a_grant_decision() -> None:
    """A new table without a line in TABLE_GRANTS fails here (and `db upgrade` refuses it)."""
    assert set(Base.metadata.tables) | {"alembic_version"} == set(roles.TABLE_GRANTS)


@dataclass
class Team:
    url: str
    owner: Database
    logins: dict[str, str]
    home: Path
    opened: list[Database]

    def login_url(self, who: str) -> str:
        return make_url(self.url).set(username=self.logins[who]).render_as_string(hide_password=False)

    def db(self, who: str) -> Database:
        database = Database(self.login_url(who))
        self.opened.append(database)
        return database

    def psql(self, who: str) -> psycopg.Connection:
        url = make_url(self.login_url(who)).set(drivername="postgresql")
        return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


@pytest.fixture
def team(tmp_path: Path) -> Iterator[Team]:
    if not PG_URL:
        pytest.skip("PostgreSQL-only: set DISPATCH_TEST_DATABASE_URL")
    schemas = PostgresSchemas(PG_URL)
    url = schemas.new_url()
    owner = Database(url)
    schema.upgrade(owner)
    boss = ServiceContext(owner, "boss")
    update_team_settings(
        boss,
        timezone_name=TEST_TIMEZONE,
        region="US",
        booking_days_back=TEST_BOOKING_DAYS,
        booking_days_ahead=TEST_BOOKING_DAYS,
    )
    maintenance.upgrade_schema(boss)
    tag = uuid.uuid4().hex[:8]
    logins = {who: f"{who}_{tag}" for who in ("carla", "dan", "sam", "nora")}
    with owner.read() as session:
        names = roles.names(session)
    created: list[str] = []
    team = Team(url, owner, logins, tmp_path, [])
    try:
        for who, role in (("sam", "supervisor"), ("dan", "dispatcher"), ("carla", "call-center")):
            operators.add_operator(  # the owner adds the first supervisor, then acts as sam
                boss if who == "sam" else ServiceContext(owner, "sam"),
                name=who.title(),
                username=who,
                role=role,
                login=logins[who],
                password=f"pw-{who}",
            )
            created.append(logins[who])
        with schemas.admin.connect() as conn:  # the notifier's login, as the README's team setup says
            conn.execute(
                text(f'CREATE ROLE "{logins["nora"]}" LOGIN IN ROLE "{names.group(roles.Group.NOTIFIER)}"')
            )
        created.append(logins["nora"])
        yield team
    finally:
        for database in [owner, *team.opened]:
            database.dispose()
        with schemas.admin.connect() as conn:
            for name in schemas.created:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            for role in [*created, *names.all()]:
                conn.execute(text(f'DROP OWNED BY "{role}"'))
                conn.execute(text(f'DROP ROLE "{role}"'))
        schemas.admin.dispose()


def _as(team: Team, who: str, username: str | None = None) -> ServiceContext:
    return ServiceContext(team.db(who), username)


def _booking(ctx: ServiceContext, agent_id: int | None = None) -> int:
    view = bookings.create_booking(
        ctx,
        customer_name="Carla Customer",
        customer_phone="312-555-0199",
        customer_email="cust@example.com",
        address="12 Elm Street",
        service="Boiler service",
        start="2026-12-01 09:00",
        end="2026-12-01 10:00",
        agent_id=agent_id,
    )
    return view.id


def _agent(ctx: ServiceContext) -> int:
    return agents.add_agent(ctx, name="Alex Agent", phone="312-555-0142", email="alex@example.com").id


def test_a_call_center_login_is_refused_by_the_database(team: Team) -> None:
    dan = _as(team, "dan")
    agent = _agent(dan)
    assigned = _booking(dan, agent)
    unassigned = _booking(_as(team, "carla"))
    with team.psql("carla") as conn:
        updated = conn.execute("UPDATE bookings SET notes = 'mine now' WHERE id = %s", (assigned,))
        assert updated.rowcount == 0  # row-level security: an assigned booking is not the call center's
        with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("UPDATE bookings SET agent_id = %s WHERE id = %s", (agent, unassigned))
        for statement in (
            "UPDATE operators SET role = 'supervisor'",
            "DELETE FROM audit_log",
            "UPDATE audit_log SET actor = 'nobody'",
            "DELETE FROM bookings",
            "INSERT INTO agents (name, phone, email, active) VALUES ('X', '+13125550100', 'x@example.com', true)",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)
        with pytest.raises(errors.InsufficientPrivilege, match="same transaction"):
            conn.execute(
                "INSERT INTO outbox (dedupe_key, event, channel, recipient, recipient_kind, body, status,"
                " attempts, next_attempt_at, queued_environment, created_at, updated_at)"
                " VALUES ('x', 'booking_created', 'sms', '+13125550177', 'customer',"
                " 'Your parcel is held. Pay at ...', 'queued', 0, now(), 'production', now(), now())"
            )
        # Even for a booking it may change, in the same transaction, not to any number.
        with conn.transaction():
            conn.execute("UPDATE bookings SET notes = 'x' WHERE id = %s", (unassigned,))
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(
                    "INSERT INTO outbox (dedupe_key, event, channel, recipient, recipient_kind, body, status,"
                    " attempts, next_attempt_at, queued_environment, created_at, updated_at, booking_id)"
                    " VALUES ('y', 'booking_created', 'sms', '+13125550177', 'customer', 'Pay at ...',"
                    " 'queued', 0, now(), 'production', now(), now(), %s)",
                    (unassigned,),
                )


def test_acting_as_another_operator_is_refused_with_the_login_named(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--home", str(team.home), "--database-url", team.login_url("carla")]
    code = main([*base, "--as", "sam", "operator", "role", "1", "supervisor"])
    err = capsys.readouterr().err
    assert code == 4
    assert err.strip() == "error: you are connected as carla; you cannot act as sam"
    assert main([*base, "--as", "carla", "whoami"]) == 0  # scripts that pass their own name keep working
    assert capsys.readouterr().out.startswith("carla (Carla), call-center")
    with team.owner.read() as session:
        assert (
            session.execute(text("SELECT role FROM operators WHERE username = 'sam'")).scalar()
            == "supervisor"
        )
        assert (
            session.execute(text("SELECT role FROM operators WHERE username = 'carla'")).scalar()
            == "call-center"
        )


def test_the_audit_trail_names_the_real_login(team: Team) -> None:
    carla = _as(team, "carla")
    booking = _booking(carla)
    assert {entry.actor for entry in history(carla, "booking", booking)} == {"carla"}
    with team.psql("carla") as conn:
        conn.execute(
            "INSERT INTO audit_log (entity, entity_id, action, actor, at) VALUES ('booking', %s, 'note', 'sam', now())",
            (booking,),
        )
    with team.owner.read() as session:
        actors = session.execute(text("SELECT DISTINCT actor FROM audit_log")).scalars().all()
        created_by = session.execute(text("SELECT created_by FROM bookings")).scalar()
    assert actors == ["carla"]
    assert created_by == "carla"


def test_a_status_move_outside_the_table_is_refused_by_direct_sql(team: Team) -> None:
    dan = _as(team, "dan")
    booking = _booking(dan, _agent(dan))
    with team.psql("dan") as conn:
        with pytest.raises(errors.CheckViolation, match="may not move from scheduled to completed"):
            conn.execute("UPDATE bookings SET status = 'completed' WHERE id = %s", (booking,))
        conn.execute("UPDATE bookings SET status = 'confirmed' WHERE id = %s", (booking,))  # in the table
    with (
        team.owner.write() as session,
        pytest.raises(Exception, match="may not move from confirmed to completed"),
    ):
        session.execute(text("UPDATE bookings SET status = 'completed' WHERE id = :id"), {"id": booking})


def test_the_notifier_login_delivers_but_cannot_change_a_booking(team: Team) -> None:
    dan = _as(team, "dan")
    booking = _booking(dan, _agent(dan))
    config = workstation.load_config(team.home)
    assert workstation.deliver_outbox(_as(team, "carla"), config).processed == 0  # a call center's console
    with team.owner.read() as session:
        assert set(session.execute(text("SELECT status FROM outbox")).scalars()) == {"queued"}
    report = workstation.deliver_outbox(ServiceContext(team.db("nora")), config)
    assert report.counts.get("logged", 0) >= 2
    with team.owner.read() as session:
        assert set(session.execute(text("SELECT status FROM outbox")).scalars()) == {"logged"}
    with team.psql("nora") as conn:
        for statement in (
            "UPDATE bookings SET notes = 'x'",
            "UPDATE outbox SET body = 'Pay at ...'",
            "UPDATE outbox SET calendar = NULL",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)
    assert booking


def test_deleting_every_operator_does_not_hand_out_supervisor(team: Team) -> None:
    with team.owner.write() as session:
        session.execute(text("DELETE FROM operators"))
    for ctx in (ServiceContext(team.owner, "mallory"), _as(team, "carla")):
        with pytest.raises(PermissionDeniedError):
            ctx.actor()


def test_a_login_that_is_no_operator_is_refused(team: Team) -> None:
    with pytest.raises(PermissionDeniedError, match="is not an operator"):
        _as(team, "nora").actor()


def test_operator_role_and_deactivate_change_the_login(team: Team) -> None:
    sam = _as(team, "sam")
    carla = next(o for o in operators.list_operators(sam) if o.username == "carla")
    operators.update_operator(sam, carla.id, role="dispatcher")
    with team.owner.read() as session:
        names = roles.names(session)
        member = session.execute(
            text("SELECT pg_has_role(:login, :group, 'MEMBER')"),
            {"login": team.logins["carla"], "group": names.group(roles.Group.DISPATCHER)},
        ).scalar()
    assert member
    operators.set_operator_active(sam, carla.id, False)
    engine = create_engine(team.login_url("carla"))
    try:
        with pytest.raises(Exception, match="not permitted to log in"):
            engine.connect()
    finally:
        engine.dispose()


def test_the_notifier_login_applies_what_customers_text_on_their_word(team: Team) -> None:
    """The sync runs as the notifier: a customer's C confirms their booking (the audit names the
    customer), and a C with nothing to confirm is answered; the notifier still edits nothing else."""
    sam = _as(team, "sam")
    update_team_settings(sam, two_way_sms=True)
    booking = _booking(_as(team, "dan"), _agent(_as(team, "dan")))
    nora = ServiceContext(team.db("nora"))
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # 06:00 in Chicago: the 09:00 booking is ahead
    confirmed = inbound.apply_inbound(nora, InboundSms("SMc1", "+13125550199", "+15005550006", "C", now), now)
    assert confirmed is not None and confirmed.booking_id == booking
    assert bookings.get_booking(sam, booking).status == "confirmed"
    with team.owner.read() as session:
        actors = set(session.execute(text("SELECT actor FROM audit_log WHERE action = 'status'")).scalars())
        assert actors == {"customer +13125550199 by SMS"}
    again = InboundSms("SMc2", "+13125550199", "+15005550006", "C", now)  # nothing left to confirm
    nothing = inbound.apply_inbound(nora, again, now)
    assert nothing is not None and not nothing.read
    with team.owner.read() as session:
        replies = session.execute(text("SELECT body FROM outbox WHERE event = 'inbound_reply'")).scalars()
        assert [body.startswith("No booking to confirm") for body in replies] == [True]
    with team.psql("nora") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute("UPDATE bookings SET address = 'elsewhere'")


def test_every_login_reads_the_message_templates_and_only_a_supervisor_writes_them(team: Team) -> None:
    templates.set_part(_as(team, "sam"), "customer_confirmation", "sms", "en", "Booked: {{ ref }}.")
    dan = _as(team, "dan")
    booking = _booking(dan, _agent(dan))  # the dispatcher's booking renders with the override
    with team.owner.read() as session:
        body = session.scalar(
            select(OutboxMessage.body).where(
                OutboxMessage.booking_id == booking,
                OutboxMessage.recipient_kind == "customer",
                OutboxMessage.channel == "sms",
            )
        )
    assert body == "Booked: BK-000001. Reply STOP to opt out."
    assert [change.sentence for change in templates.changes(dan)] == ["Sam changed the confirmation SMS (en)"]
    for who in ("carla", "dan"):
        with team.psql(who) as conn:
            assert conn.execute("SELECT count(*) FROM message_templates").fetchone() == (1,)
            for statement in (
                "UPDATE message_templates SET body = 'Pay at ...'",
                "INSERT INTO message_templates (kind, part, language, body, updated_by, updated_at)"
                " VALUES ('reminder', 'sms', 'en', 'Pay at ...', 'dan', now())",
                "DELETE FROM message_templates",
            ):
                with pytest.raises(errors.InsufficientPrivilege):
                    conn.execute(statement)


def test_a_dispatcher_and_a_call_taker_book_a_customer_without_email(team: Team) -> None:
    """A caller with no email is the most common call; the email notice is written skipped, never refused."""
    dan, carla = _as(team, "dan"), _as(team, "carla")
    agent = _agent(dan)
    for ctx, agent_id, phone in ((dan, agent, "312-555-0177"), (carla, None, "312-555-0178")):
        view = bookings.create_booking(
            ctx,
            customer_name="Noel Noemail",
            customer_phone=phone,
            customer_email=None,
            address="3 Oak Street",
            service="Leaking tap",
            start="2026-12-01 11:00",
            end="2026-12-01 12:00",
            agent_id=agent_id,
        )
        with team.owner.read() as session:
            rows = session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.booking_id == view.id, OutboxMessage.recipient_kind == "customer"
                )
            ).all()
        assert {(row.channel, row.status, row.last_error) for row in rows} >= {
            ("email", "skipped", "no email address on file")
        }


def test_a_dispatcher_requests_and_approves_time_off_with_operators_without_email(team: Team) -> None:
    """Dana (an email, no phone on file) was refused when she asked time off for an agent: her
    skipped text about it has an empty recipient, which reaches no one."""
    with team.owner.write() as session:
        session.execute(text("UPDATE operators SET email = 'dan@example.com' WHERE username = 'dan'"))
    dan = _as(team, "dan")
    agent = _agent(dan)
    request = timeoff.request_time_off(
        dan, agent_id=agent, start="2026-12-01 13:00", end="2026-12-01 16:00", reason="Dentist"
    )
    timeoff.approve_time_off(dan, request.id)
    with team.owner.read() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.time_off_id == request.id)).all()
    assert ("", "skipped") in {(row.recipient, row.status) for row in rows}
    assert timeoff.list_time_off(dan)[0].status == "approved"
