"""Errors a user can cause or meet. Each carries the command-line exit code it maps to."""


class DispatchError(Exception):
    """Base of every error the product reports to a person as one line."""

    exit_code = 1


class ValidationError(DispatchError):
    """Bad input: a field that cannot be accepted as given."""

    exit_code = 2

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(ValidationError):
    """An id that names nothing."""


class ConflictError(DispatchError):
    """The change clashes with the schedule, another edit, or the status rules.

    `field` names what clashes when one field does (the agent, for a schedule clash), so a form
    shows the message next to it and the CLI can say which option to change.
    """

    exit_code = 3

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class StaleVersionError(ConflictError):
    """The row was changed by someone else after the caller read it."""


class PermissionDeniedError(DispatchError):
    exit_code = 4


class DatabaseUnavailableError(DispatchError):
    exit_code = 5


class DatabasePasswordNeededError(DatabaseUnavailableError):
    """PostgreSQL wants a password this workstation does not have (or has a wrong one):
    `dispatch-desktop login`, or the console's password dialog, stores it."""


class FileUnavailableError(DispatchError):
    """A file or folder the program needs cannot be read or written (read-only, full, wrong owner)."""

    exit_code = 5


class SchemaMismatchError(DatabaseUnavailableError):
    """The database schema is behind or ahead of this program."""


class WrongEnvironmentError(DispatchError):
    """A development tool asked for in production (or the reverse): the environment refuses it."""

    exit_code = 5


class AvailabilityWarning(ConflictError):
    """The agent is free but the booking is outside their hours or needs a skill they lack: a
    person may book anyway (an override, audited); `warnings` are the reasons in words."""

    exit_code = 6

    def __init__(self, warnings: tuple[str, ...]) -> None:
        super().__init__("; ".join(warnings) + " (book anyway with --override)", "agent")
        self.warnings = warnings
