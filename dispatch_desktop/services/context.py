"""Who is acting, on which database, and the transaction every write runs in."""

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import ConflictError, PermissionDeniedError, StaleVersionError
from dispatch_desktop.domain.roles import Permission, Role, can
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import Operator, Revision, Setting

DEFAULT_REGION = "US"
EXCLUSION_VIOLATION = "23P01"


def default_operator_name() -> str:
    return os.environ.get("DISPATCH_OPERATOR") or getpass.getuser()


def system_timezone_name() -> str:
    local = datetime.now().astimezone().tzinfo
    key = getattr(local, "key", None)
    if key:
        return key
    try:
        return os.path.realpath("/etc/localtime").split("zoneinfo/", 1)[1]
    except IndexError:
        return "UTC"


@dataclass(frozen=True)
class Actor:
    username: str
    name: str
    role: Role
    bootstrap: bool = False


def read_team_settings(session: Session) -> TeamSettings:
    stored = {key: value for key, value in session.execute(select(Setting.key, Setting.value))}
    return TeamSettings(
        timezone_name=stored.get("business_timezone") or system_timezone_name(),
        region=stored.get("default_region") or DEFAULT_REGION,
    )


def resolve_actor(session: Session, username: str) -> Actor:
    # The columns the first schema has, so `db upgrade` can ask who acts before it upgrades.
    columns = (Operator.username, Operator.name, Operator.role, Operator.active)
    operator = session.execute(select(*columns).where(Operator.username == username)).first()
    if operator is None:
        if session.scalar(select(func.count()).select_from(Operator)) == 0:
            return Actor(username=username, name=username, role=Role.SUPERVISOR, bootstrap=True)
        raise PermissionDeniedError(f"unknown operator {username!r}; ask a supervisor to add you")
    if not operator.active:
        raise PermissionDeniedError(f"operator {username!r} is deactivated")
    return Actor(username=operator.username, name=operator.name, role=Role(operator.role))


def bump_revision(session: Session) -> None:
    session.execute(update(Revision).where(Revision.id == 1).values(value=Revision.value + 1))


class ServiceContext:
    """The acting operator on one database. Each call opens its own short-lived Session."""

    def __init__(self, db: Database, username: str | None = None) -> None:
        self.db = db
        self.username = username or default_operator_name()

    def actor(self) -> Actor:
        with self.db.read() as session:
            return resolve_actor(session, self.username)

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
                unit = self._unit(session, permission)
                yield unit
                session.flush()
                bump_revision(session)
        except StaleDataError:
            raise StaleVersionError(
                "this record was changed on another workstation meanwhile; reload"
            ) from None
        except IntegrityError as exc:
            if getattr(exc.orig, "sqlstate", None) == EXCLUSION_VIOLATION:
                raise ConflictError(
                    "the agent was just booked for an overlapping time on another workstation; reload"
                ) from None
            raise

    def _unit(self, session: Session, permission: Permission) -> "Unit":
        unit = Unit(session, resolve_actor(session, self.username))
        unit.require(permission)
        return unit


class Unit:
    """What one operation works with: its Session, the actor and the team settings."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self._settings: TeamSettings | None = None

    @property
    def settings(self) -> TeamSettings:
        if self._settings is None:
            self._settings = read_team_settings(self.session)
        return self._settings

    def require(self, permission: Permission) -> None:
        if not can(self.actor.role, permission):
            raise PermissionDeniedError(f"{self.actor.username} ({self.actor.role}) may not {permission}")

    def time(self, value: datetime | str, field: str) -> datetime:
        zone = self.settings.zone
        if isinstance(value, str):
            return validation.parse_time(value, zone, field)
        return validation.to_utc(value, zone)

    def local(self, moment: datetime) -> str:
        return self.settings.local(moment)
