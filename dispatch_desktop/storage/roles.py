"""Who may do what on PostgreSQL, kept by the database itself.

`db upgrade` runs `apply` after the migrations (services/maintenance.py), as the database
owner. It creates, per database and schema, a NOLOGIN owner of every table and four group
roles (call center, dispatcher, supervisor, notifier); revokes everything from PUBLIC; grants
each group what `TABLE_GRANTS` says, the one list a new table must join (`apply` refuses a
table missing from it, and tests/core/test_db_roles.py fails); keeps call-center bookings
unassigned with row-level security; and installs the triggers a direct UPDATE cannot skip:
booking status moves follow domain/statuses.py, audit rows and outbox rows name the
operator of `session_user`, and an outbox row is accepted only for a booking or time-off
request the same transaction changed, addressed to its customer or to staff.

SQLite has nothing to apply: whoever can write the file can do anything (the README says so).
"""

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from dispatch_desktop.domain.errors import ConflictError, PermissionDeniedError
from dispatch_desktop.domain.roles import Role
from dispatch_desktop.domain.statuses import STATUS_MOVES
from dispatch_desktop.storage.outbox.grants import OUTBOX_GRANTS, outbox_insert_check, outbox_insert_trigger

INSUFFICIENT_PRIVILEGE = "42501"
DUPLICATE_OBJECT = "42710"


class Group(StrEnum):
    """The database's group roles. Each includes the one before it: grants below are increments."""

    CALL_CENTER = "call_center"
    DISPATCHER = "dispatcher"
    SUPERVISOR = "supervisor"
    NOTIFIER = "notifier"


GROUP_OF_ROLE: dict[Role, Group] = {
    Role.CALL_CENTER: Group.CALL_CENTER,
    Role.DISPATCHER: Group.DISPATCHER,
    Role.SUPERVISOR: Group.SUPERVISOR,
}
# Who is a member of whom: a dispatcher has what a call center has, a supervisor both.
MEMBER_OF: dict[Group, Group] = {Group.DISPATCHER: Group.CALL_CENTER, Group.SUPERVISOR: Group.DISPATCHER}

_CC, _DISPATCHER, _SUPERVISOR, _NOTIFIER = Group

# Every table of the schema and each group's increment on it. A new table gets a line here,
# or `apply` refuses to run. Nobody may DELETE a business row or UPDATE or DELETE the audit trail.
TABLE_GRANTS: dict[str, dict[Group, str]] = {
    "alembic_version": {_CC: "SELECT", _NOTIFIER: "SELECT"},
    "operators": {_CC: "SELECT", _SUPERVISOR: "INSERT, UPDATE", _NOTIFIER: "SELECT"},
    "agents": {_CC: "SELECT", _DISPATCHER: "INSERT, UPDATE", _NOTIFIER: "SELECT"},
    "customers": {_CC: "SELECT, INSERT, UPDATE", _NOTIFIER: "SELECT"},
    # Row-level security keeps a call center's inserts and updates to unassigned bookings.
    # The notifier applies what customers and agents text (C confirms, an agent's 1/2/3 move the
    # status, R flags it): those columns only, the transition trigger still checks each move.
    "bookings": {
        _CC: "SELECT, INSERT, UPDATE",
        _NOTIFIER: "SELECT, UPDATE (status, version, updated_at, updated_by, reschedule_requested_at)",
    },
    "time_off": {_CC: "SELECT", _DISPATCHER: "INSERT, UPDATE", _NOTIFIER: "SELECT"},
    "audit_log": {_CC: "SELECT, INSERT", _NOTIFIER: "SELECT, INSERT"},
    "settings": {_CC: "SELECT", _SUPERVISOR: "INSERT, UPDATE", _NOTIFIER: "SELECT"},
    # Every login renders messages with the overrides; only supervisors write them (a reset
    # empties the row's body, so no one deletes).
    "message_templates": {_CC: "SELECT", _SUPERVISOR: "INSERT, UPDATE", _NOTIFIER: "SELECT"},
    "revision": {_CC: "SELECT, UPDATE", _NOTIFIER: "SELECT, UPDATE"},
    # Texts people sent the team: the sync (the notifier) stores them, the inbox marks them read.
    "inbound_messages": {_CC: "SELECT, UPDATE (read)", _NOTIFIER: "SELECT, INSERT, UPDATE"},
    "notifier_heartbeats": {
        _CC: "SELECT, INSERT, UPDATE, DELETE",
        _NOTIFIER: "SELECT, INSERT, UPDATE, DELETE",
    },
    "leases": {_CC: "SELECT", _NOTIFIER: "SELECT, INSERT, UPDATE, DELETE"},
    # The outbox tables' grants are their owner's, storage/outbox/grants.py.
    **{
        table: {Group(group): grant for group, grant in by_group.items()}
        for table, by_group in OUTBOX_GRANTS.items()
    },
}


def role_prefix(database: str, schema: str) -> str:
    """Group roles are cluster-wide: named per database and schema, well under 63 bytes."""
    return "dd_" + hashlib.md5(f"{database}.{schema}".encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Names:
    """The owner and group role names of one database and schema."""

    prefix: str
    schema: str

    @property
    def owner(self) -> str:
        return f"{self.prefix}_owner"

    def group(self, group: Group) -> str:
        return f"{self.prefix}_{group.value}"

    def all(self) -> list[str]:
        return [self.owner, *(self.group(g) for g in Group)]


def names(connection: Connection | Session) -> Names:
    database, schema = connection.execute(text("SELECT current_database(), current_schema()")).one()
    return Names(role_prefix(database, schema), schema)


def enforced(session: Session) -> bool:
    """Whether `db upgrade` applied the roles to this PostgreSQL schema (never on SQLite)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    owner = names(session).owner
    return bool(
        session.scalar(text("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :r)"), {"r": owner})
    )


@dataclass(frozen=True)
class Login:
    """Who this PostgreSQL connection is: its session_user, and whether it owns the schema."""

    name: str
    owner: bool


def connected_login(session: Session) -> Login | None:
    """The PostgreSQL login of `session` (None on SQLite, where the OS account is the boundary)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    name, owner = session.execute(
        text(
            "SELECT session_user::text, COALESCE((SELECT pg_has_role(session_user, c.relowner, 'MEMBER')"
            " FROM pg_class c WHERE c.oid = to_regclass('alembic_version')), true)"
        )
    ).one()
    return Login(name, bool(owner))


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _moves_sql() -> str:
    return ", ".join(f"('{old.value}', '{new.value}')" for old, new in sorted(STATUS_MOVES))


FUNCTIONS = (
    "dispatch_actor",
    "dispatch_is_owner",
    "dispatch_audit_actor",
    "dispatch_booking_rules",
    "dispatch_outbox_insert",
)


def _functions(n: Names) -> list[str]:
    s = _q(n.schema)
    dispatcher, supervisor, notifier = (
        n.group(g) for g in (Group.DISPATCHER, Group.SUPERVISOR, Group.NOTIFIER)
    )
    # The notifier applies a text on its sender's word: "customer +1... by SMS" stays the actor.
    relayed = f"(pg_has_role(session_user, '{notifier}', 'MEMBER') AND NEW.actor LIKE '% by SMS')"
    relayed_booking = (
        f"(pg_has_role(session_user, '{notifier}', 'MEMBER') AND NEW.updated_by LIKE '% by SMS')"
    )
    definer = f"SECURITY DEFINER SET search_path = {s}, pg_temp"
    return [
        f"""CREATE OR REPLACE FUNCTION {s}.dispatch_actor() RETURNS text LANGUAGE sql STABLE {definer} AS $$
  SELECT username FROM operators
  WHERE active AND (login = session_user OR (login IS NULL AND username = session_user)) LIMIT 1 $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.dispatch_is_owner() RETURNS boolean LANGUAGE sql STABLE {definer} AS $$
  SELECT pg_has_role(session_user, c.relowner, 'MEMBER') FROM pg_class c
  WHERE c.oid = 'alembic_version'::regclass $$""",
        # Who acted is session_user's operator, whatever the client wrote (the owner excepted:
        # it owns the tables and could switch the trigger off anyway).
        f"""CREATE OR REPLACE FUNCTION {s}.dispatch_audit_actor() RETURNS trigger LANGUAGE plpgsql {definer} AS $$
BEGIN
  IF NOT dispatch_is_owner() AND NOT {relayed} THEN
    NEW.actor := COALESCE(dispatch_actor(), session_user::text);
  END IF;
  RETURN NEW;
END $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.dispatch_booking_rules() RETURNS trigger LANGUAGE plpgsql {definer} AS $$
DECLARE who text;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status AND NOT EXISTS (
      SELECT 1 FROM (VALUES {_moves_sql()}) AS m(old, new) WHERE m.old = OLD.status AND m.new = NEW.status) THEN
    RAISE EXCEPTION 'booking % may not move from % to %', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  IF NOT dispatch_is_owner() AND NOT {relayed_booking} THEN
    who := COALESCE(dispatch_actor(), session_user::text);
    NEW.updated_by := who;
    IF TG_OP = 'INSERT' THEN NEW.created_by := who; END IF;
  END IF;
  RETURN NEW;
END $$""",
        outbox_insert_check(s, definer, dispatcher, supervisor, notifier),
    ]


def _triggers_and_policies(n: Names) -> list[str]:
    s = _q(n.schema)
    cc, dispatcher, notifier = (_q(n.group(g)) for g in (Group.CALL_CENTER, Group.DISPATCHER, Group.NOTIFIER))
    statements = [
        f"DROP TRIGGER IF EXISTS dispatch_audit_actor ON {s}.audit_log",
        f"CREATE TRIGGER dispatch_audit_actor BEFORE INSERT ON {s}.audit_log"
        f" FOR EACH ROW EXECUTE FUNCTION {s}.dispatch_audit_actor()",
        f"DROP TRIGGER IF EXISTS dispatch_booking_rules ON {s}.bookings",
        f"CREATE TRIGGER dispatch_booking_rules BEFORE INSERT OR UPDATE ON {s}.bookings"
        f" FOR EACH ROW EXECUTE FUNCTION {s}.dispatch_booking_rules()",
        *outbox_insert_trigger(s),
        f"ALTER TABLE {s}.bookings ENABLE ROW LEVEL SECURITY",
    ]
    policies = {
        "dispatch_read": f"FOR SELECT TO {cc}, {notifier} USING (true)",
        "dispatch_call_center_insert": f"FOR INSERT TO {cc} WITH CHECK (agent_id IS NULL)",
        "dispatch_call_center_update": f"FOR UPDATE TO {cc} USING (agent_id IS NULL) WITH CHECK (agent_id IS NULL)",
        "dispatch_dispatcher": f"FOR ALL TO {dispatcher} USING (true) WITH CHECK (true)",
        "dispatch_notifier_update": f"FOR UPDATE TO {notifier} USING (true) WITH CHECK (true)",
    }
    for name, body in policies.items():
        statements += [
            f"DROP POLICY IF EXISTS {name} ON {s}.bookings",
            f"CREATE POLICY {name} ON {s}.bookings {body}",
        ]
    return statements


def schema_tables(connection: Connection) -> set[str]:
    rows = connection.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    ).scalars()
    return set(rows)


def apply(connection: Connection) -> Names:
    """Create or bring up to date the roles, grants, policies and triggers of this schema."""
    n = names(connection)
    tables = schema_tables(connection)
    undecided = sorted(tables - TABLE_GRANTS.keys())
    if undecided:
        raise ConflictError(
            f"table(s) {', '.join(undecided)} have no grant decision in storage/roles.TABLE_GRANTS"
        )
    for role in n.all():
        # Role names are the hex prefix and fixed words, so they are safe as literals.
        connection.execute(
            text(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN"
                f" CREATE ROLE {_q(role)} NOLOGIN; END IF; END $$"
            )
        )
    s = _q(n.schema)
    statements = [
        f"GRANT {_q(n.owner)} TO current_user",
        f"GRANT USAGE, CREATE ON SCHEMA {s} TO {_q(n.owner)}",
    ]
    statements += [
        f"GRANT {_q(n.group(inner))} TO {_q(n.group(outer))}" for outer, inner in MEMBER_OF.items()
    ]
    statements += [f"GRANT USAGE ON SCHEMA {s} TO {_q(n.group(g))}" for g in Group]
    groups = ", ".join(_q(n.group(g)) for g in Group)
    for table in sorted(tables):
        t = f"{s}.{_q(table)}"
        statements += [f"ALTER TABLE {t} OWNER TO {_q(n.owner)}", f"REVOKE ALL ON {t} FROM PUBLIC, {groups}"]
        for group, privileges in TABLE_GRANTS[table].items():
            statements.append(f"GRANT {privileges} ON {t} TO {_q(n.group(group))}")
    sequences = connection.execute(
        text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
    ).scalars()
    for sequence in sorted(sequences):
        q = f"{s}.{_q(sequence)}"
        statements += [f"REVOKE ALL ON SEQUENCE {q} FROM PUBLIC", f"GRANT USAGE ON SEQUENCE {q} TO {groups}"]
    for statement in statements + _functions(n):
        connection.execute(text(statement))
    for function in FUNCTIONS:
        connection.execute(text(f"ALTER FUNCTION {s}.{function}() OWNER TO {_q(n.owner)}"))
        connection.execute(text(f"REVOKE ALL ON FUNCTION {s}.{function}() FROM PUBLIC"))
    for statement in _triggers_and_policies(n):
        connection.execute(text(statement))
    return n


def _refused(exc: DBAPIError, what: str) -> PermissionDeniedError | None:
    if getattr(exc.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
        return PermissionDeniedError(
            f"{what} needs a login with CREATEROLE: ask the database owner to run "
            "ALTER ROLE <your login> CREATEROLE (see the README's team setup)"
        )
    return None


def _execute_role_change(session: Session, statement: str, what: str) -> None:
    try:
        session.execute(text(statement.replace(":", "\\:")))  # a SCRAM verifier holds colons
    except DBAPIError as exc:
        refused = _refused(exc, what)
        if refused is not None:
            raise refused from None
        if getattr(exc.orig, "sqlstate", None) == DUPLICATE_OBJECT:
            raise ConflictError(f"a database login named {statement.split()[2]} already exists") from None
        raise


def _encrypted(session: Session, login: str, password: str) -> str:
    """The SCRAM verifier, computed by libpq here: the password itself never reaches the server's logs."""
    raw: Any = session.connection().connection.dbapi_connection
    verifier: bytes = raw.pgconn.encrypt_password(password.encode(), login.encode(), b"scram-sha-256")
    return verifier.decode()


def create_login(session: Session, login: str, password: str | None, role: Role) -> None:
    """A login for a new operator, member of its role's group (supervisors may create logins)."""
    n = names(session)
    options = " CREATEROLE" if role is Role.SUPERVISOR else ""
    secret = f" PASSWORD '{_encrypted(session, login, password)}'" if password else ""
    _execute_role_change(
        session,
        f"CREATE ROLE {_q(login)} LOGIN{options}{secret} IN ROLE {_q(n.group(GROUP_OF_ROLE[role]))}",
        "creating a database login",
    )


def set_login_role(session: Session, login: str, role: Role) -> None:
    n = names(session)
    for group in GROUP_OF_ROLE.values():
        _execute_role_change(
            session, f"REVOKE {_q(n.group(group))} FROM {_q(login)}", "changing a login's role"
        )
    grant = f"GRANT {_q(n.group(GROUP_OF_ROLE[role]))} TO {_q(login)}"
    _execute_role_change(session, grant, "changing a login's role")
    creates = "CREATEROLE" if role is Role.SUPERVISOR else "NOCREATEROLE"
    _execute_role_change(session, f"ALTER ROLE {_q(login)} {creates}", "changing a login's role")


def set_login_active(session: Session, login: str, active: bool) -> None:
    _execute_role_change(
        session, f"ALTER ROLE {_q(login)} {'LOGIN' if active else 'NOLOGIN'}", "deactivating a login"
    )
