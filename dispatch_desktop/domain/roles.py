"""Operator roles and what each may do. The services check these on every call."""

from enum import StrEnum


class Role(StrEnum):
    CALL_CENTER = "call-center"
    DISPATCHER = "dispatcher"
    SUPERVISOR = "supervisor"


class Permission(StrEnum):
    READ = "read"
    CREATE_UNASSIGNED_BOOKING = "create unassigned bookings"
    EDIT_UNASSIGNED_BOOKING = "edit unassigned bookings"
    MANAGE_BOOKINGS = "assign and manage bookings"
    MANAGE_AGENTS = "manage agents"
    MANAGE_TIME_OFF = "manage time off"
    MANAGE_OUTBOX = "retry or dismiss notifications"
    MANAGE_OPERATORS = "manage operators"
    MANAGE_SETTINGS = "change settings"
    ADMINISTER_DATABASE = "back up or upgrade the database"
    REPLY_INBOX = "reply to texts in the inbox"
    MANAGE_INBOX = "mark texts in the inbox read"


_CALL_CENTER = frozenset(
    {
        Permission.READ,
        Permission.CREATE_UNASSIGNED_BOOKING,
        Permission.EDIT_UNASSIGNED_BOOKING,
        Permission.REPLY_INBOX,
    }
)
_DISPATCHER = _CALL_CENTER | {
    Permission.MANAGE_BOOKINGS,
    Permission.MANAGE_AGENTS,
    Permission.MANAGE_TIME_OFF,
    Permission.MANAGE_OUTBOX,
    Permission.MANAGE_INBOX,
}
_SUPERVISOR = frozenset(Permission)

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CALL_CENTER: _CALL_CENTER,
    Role.DISPATCHER: _DISPATCHER,
    Role.SUPERVISOR: _SUPERVISOR,
}


def can(role: Role, permission: Permission) -> bool:
    return permission in PERMISSIONS[role]


def booking_edit_permission(assigned: bool) -> Permission:
    """Editing an unassigned booking is call-center work; once an agent has it, dispatch decides."""
    return Permission.MANAGE_BOOKINGS if assigned else Permission.EDIT_UNASSIGNED_BOOKING
