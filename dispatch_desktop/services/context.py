"""Who is acting, on which database, and the transaction every write runs in."""

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfoNotFoundError

import tzlocal
from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dispatch_desktop.config import Config
from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import (
    ConflictError,
    PermissionDeniedError,
    StaleVersionError,
    ValidationError,
)
from dispatch_desktop.domain.roles import Permission, Role, can
from dispatch_desktop.domain.team import HAD_OPERATORS_KEY, TeamSettings
from dispatch_desktop.notify.credentials import email_sender
from dispatch_desktop.notify.notifier import environment_decision
from dispatch_desktop.services import sms_limits
from dispatch_desktop.storage import roles
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import Operator, Revision, Setting
from dispatch_desktop.storage.outbox import ENVIRONMENT_INFO, QUEUED_BY, SENDER_INFO
from dispatch_desktop.storage.types import utcnow

EXCLUSION_VIOLATION = "23P01"


def default_operator_name() -> str:
    return os.environ.get("DISPATCH_OPERATOR") or getpass.getuser()


def system_timezone_name() -> str:
    """This computer's IANA zone: TZ, /etc/timezone, /etc/localtime, or Windows' setting (tzlocal)."""
    try:
        name = tzlocal.get_localzone_name()
        validation.timezone(name or "")
    except (ZoneInfoNotFoundError, ValidationError):  # conflicting settings, or a TZ naming no zone
        return "UTC"
    return name or "UTC"


@dataclass(frozen=True)
class Actor:
    username: str
    name: str
    role: Role
    bootstrap: bool = False


def operator_name(session: Session, username: str) -> str:
    """The operator's full name for `username`, or the username when nobody by that name is known."""
    return session.scalar(select(Operator.name).where(Operator.username == username)) or username


def read_team_settings(session: Session) -> TeamSettings:
    stored = {key: value for key, value in session.execute(select(Setting.key, Setting.value))}
    return TeamSettings.from_stored(stored, system_timezone_name())


def resolve_actor(session: Session, username: str, *, declared: bool = False) -> Actor:
    """Who acts: on PostgreSQL the operator of the connection's login, on SQLite the named one.

    `declared` says `username` came from --as or DISPATCH_OPERATOR: on PostgreSQL it must then
    name the login's own operator. The database owner, who can do anything anyway, may act as
    any operator, and is the only one the fresh-install bootstrap applies to.
    """
    # The columns the first schema has, so `db upgrade` can ask who acts before it upgrades.
    columns = (Operator.username, Operator.name, Operator.role, Operator.active)
    login = roles.connected_login(session)
    if login is not None and not login.owner:
        operator = session.execute(select(*columns).where(_is_login(login.name))).first()
        if operator is None:
            raise PermissionDeniedError(
                f"database login {login.name!r} is not an operator; ask a supervisor to add you"
            )
        if declared and username.lower() != operator.username:
            raise PermissionDeniedError(
                f"you are connected as {operator.username}; you cannot act as {username}"
            )
        username = operator.username
    else:
        operator = session.execute(select(*columns).where(Operator.username == username)).first()
        if operator is None and username != username.lower():
            # Usernames are lowercase; an OS login such as "JSmith" is operator "jsmith". Rows added
            # before that rule still match exactly, above.
            operator = session.execute(select(*columns).where(Operator.username == username.lower())).first()
    if operator is None:
        if _fresh_install(session):
            return Actor(username=username, name=username, role=Role.SUPERVISOR, bootstrap=True)
        raise PermissionDeniedError(f"unknown operator {username!r}; ask a supervisor to add you")
    if not operator.active:
        raise PermissionDeniedError(f"operator {username!r} is deactivated")
    return Actor(username=operator.username, name=operator.name, role=Role(operator.role))


def _is_login(login: str) -> ColumnElement[bool]:
    return or_(Operator.login == login, and_(Operator.login.is_(None), Operator.username == login))


def _fresh_install(session: Session) -> bool:
    """No operator now and none ever (a team whose operators were all deleted stays closed)."""
    if session.scalar(select(func.count()).select_from(Operator)):
        return False
    return session.scalar(select(Setting.value).where(Setting.key == HAD_OPERATORS_KEY)) is None


def bump_revision(session: Session) -> None:
    session.execute(update(Revision).where(Revision.id == 1).values(value=Revision.value + 1))


class ServiceContext:
    """The acting operator on one database. Each call opens its own short-lived Session.

    `config` is this workstation's: its environment is stamped on the notifications a change
    queues (the console replaces it when Settings are saved).
    """

    def __init__(self, db: Database, username: str | None = None, config: Config | None = None) -> None:
        self.db = db
        # Named by the caller or DISPATCH_OPERATOR, rather than taken from the OS login.
        self.declared = bool(username or os.environ.get("DISPATCH_OPERATOR"))
        self.username = username or default_operator_name()
        self.config = config

    @property
    def environment(self) -> str:
        """Where this context's changes are made: "production" or "development"."""
        return environment_decision(self.config).name

    def stamp(self, session: Session) -> None:
        """What the notices a change queues carry of this workstation: its environment, and its
        email sender as the organizer of their calendar invites."""
        session.info[ENVIRONMENT_INFO] = self.environment
        session.info[SENDER_INFO] = email_sender(self.config)

    def actor(self) -> Actor:
        with self.db.read() as session:
            return self.resolve(session)

    def resolve(self, session: Session) -> Actor:
        return resolve_actor(session, self.username, declared=self.declared)

    def team_settings(self) -> TeamSettings:
        with self.db.read() as session:
            return read_team_settings(session)

    @contextmanager
    def reading(self, permission: Permission = Permission.READ) -> Iterator["Unit"]:
        with self.db.read() as session:
            yield self._unit(session, permission)

    @contextmanager
    def writing(self, permission: Permission) -> Iterator["Unit"]:
        """One transaction: checks, writes, audit and outbox rows commit together or not at all."""
        try:
            with self.db.write() as session:
                self.stamp(session)
                unit = self._unit(session, permission)
                yield unit
                session.flush()
                sms_limits.enforce(
                    session, lambda: unit.settings, unit.actor.username, unit.started_at, name=unit.actor.name
                )
                bump_revision(session)
        except StaleDataError:
            raise StaleVersionError(
                "this record was changed on another workstation meanwhile; reload"
            ) from None
        except IntegrityError as exc:
            if getattr(exc.orig, "sqlstate", None) == EXCLUSION_VIOLATION:
                raise ConflictError(
                    "the agent was just booked for an overlapping time on another workstation; reload",
                    "agent",
                ) from None
            raise

    def _unit(self, session: Session, permission: Permission) -> "Unit":
        unit = Unit(session, self.resolve(session))
        unit.require(permission)
        return unit


class Unit:
    """What one operation works with: its Session, the actor and the team settings."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self.started_at = utcnow()
        self._settings: TeamSettings | None = None
        session.info[QUEUED_BY] = actor.username

    @property
    def settings(self) -> TeamSettings:
        if self._settings is None:
            self._settings = read_team_settings(self.session)
        return self._settings

    @property
    def dialect(self) -> str:
        """ "sqlite" or "postgresql": for the rare query whose best shape differs between them."""
        return self.session.get_bind().dialect.name

    def require(self, permission: Permission) -> None:
        if not can(self.actor.role, permission):
            raise PermissionDeniedError(f"{self.actor.username} ({self.actor.role}) may not {permission}")

    def time(self, value: datetime | str, field: str) -> datetime:
        zone = self.settings.zone
        if isinstance(value, str):
            return validation.parse_time(value, zone, field)
        return validation.to_utc(value, zone, field)

    def local(self, moment: datetime) -> str:
        return self.settings.local(moment)
