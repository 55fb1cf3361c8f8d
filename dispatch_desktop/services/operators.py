"""Console users and their roles. Only supervisors manage them."""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import ConflictError, NotFoundError, ValidationError
from dispatch_desktop.domain.roles import Permission, Role
from dispatch_desktop.domain.team import HAD_OPERATORS_KEY, TeamSettings
from dispatch_desktop.services.context import Actor, ServiceContext, operator_name
from dispatch_desktop.services.views import OperatorView
from dispatch_desktop.storage import roles
from dispatch_desktop.storage.models import Operator, Setting


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        choices = ", ".join(role.value for role in Role)
        raise ValidationError(f"unknown role {value!r} (choose {choices})", "role") from None


def _get(session: Session, operator_id: int) -> Operator:
    operator = session.get(Operator, operator_id)
    if operator is None:
        raise NotFoundError(f"no operator with id {operator_id}")
    return operator


def whoami(ctx: ServiceContext) -> Actor:
    return ctx.actor()


def operators_are_logins(ctx: ServiceContext) -> bool:
    """On a PostgreSQL database `db upgrade` secured, each operator is a database login."""
    with ctx.db.read() as session:
        return roles.enforced(session)


def has_operators(ctx: ServiceContext) -> bool:
    with ctx.db.read() as session:
        return bool(session.scalar(select(func.count()).select_from(Operator)))


def display_name(ctx: ServiceContext, username: str) -> str:
    """The operator's full name for `username`, or the username when nobody by that name is known."""
    with ctx.db.read() as session:
        return operator_name(session, username)


def add_operator(
    ctx: ServiceContext,
    *,
    name: str,
    username: str,
    role: str,
    phone: str | None = None,
    email: str | None = None,
    login: str | None = None,
    password: str | None = None,
) -> OperatorView:
    """On PostgreSQL also the operator's database login (`login`, by default the username),
    member of its role's group, with `password` (None: libpq's other means, a certificate or
    GSSAPI). Creating logins needs CREATEROLE, which supervisors' logins get."""
    with ctx.writing(Permission.MANAGE_OPERATORS) as unit:
        parsed_role = parse_role(role)
        login_name = validation.username(login) if login is not None else None
        operator = Operator(
            name=validation.text(name, "name", validation.NAME_MAX),
            username=validation.username(username),
            role=parsed_role.value,
            phone=_phone(unit.settings, phone),
            email=validation.optional_email(email),
            active=True,
        )
        taken = ConflictError(f"username {operator.username!r} is already taken")
        if unit.session.scalar(select(Operator.id).where(Operator.username == operator.username)):
            raise taken
        if roles.enforced(unit.session):
            operator.login = login_name or operator.username
        unit.session.add(operator)
        try:
            unit.session.flush()
        except IntegrityError:  # another workstation added it since the check (PostgreSQL)
            raise taken from None
        unit.session.merge(Setting(key=HAD_OPERATORS_KEY, value="1"))
        if operator.login is not None:
            roles.create_login(unit.session, operator.login, password, parsed_role)
        return OperatorView.of(operator)


def _phone(settings: TeamSettings, phone: str | None) -> str | None:
    """Operators' phones get texts (time-off requests), so they obey the SMS rules."""
    return validation.optional_textable_phone(phone, settings.region, settings.texted_countries)


def list_operators(ctx: ServiceContext) -> list[OperatorView]:
    with ctx.reading() as unit:
        rows = unit.session.scalars(select(Operator).order_by(Operator.active.desc(), Operator.name))
        return [OperatorView.of(row) for row in rows]


def update_operator(
    ctx: ServiceContext,
    operator_id: int,
    *,
    name: str | None = None,
    role: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> OperatorView:
    """Change the given fields; an empty string clears phone or email."""
    with ctx.writing(Permission.MANAGE_OPERATORS) as unit:
        operator = _get(unit.session, operator_id)
        if name is not None:
            operator.name = validation.text(name, "name", validation.NAME_MAX)
        if role is not None:
            operator.role = parse_role(role).value
            if operator.login is not None:
                roles.set_login_role(unit.session, operator.login, Role(operator.role))
        if phone is not None:
            operator.phone = _phone(unit.settings, phone)
        if email is not None:
            operator.email = validation.optional_email(email)
        _keep_a_supervisor(unit.session)
        return OperatorView.of(operator)


def set_operator_active(ctx: ServiceContext, operator_id: int, active: bool) -> OperatorView:
    with ctx.writing(Permission.MANAGE_OPERATORS) as unit:
        operator = _get(unit.session, operator_id)
        operator.active = active
        _keep_a_supervisor(unit.session)
        if operator.login is not None:
            roles.set_login_active(unit.session, operator.login, active)
        return OperatorView.of(operator)


def _keep_a_supervisor(session: Session) -> None:
    session.flush()
    supervisors = session.scalar(
        select(func.count())
        .select_from(Operator)
        .where(Operator.role == Role.SUPERVISOR.value, Operator.active.is_(True))
    )
    if not supervisors:
        raise ConflictError("the team must keep at least one active supervisor")
