"""What `dispatch-desktop --self-check` verifies before a person relies on an installation."""

from dataclasses import dataclass
from datetime import datetime

from dispatch_desktop.config import resources
from dispatch_desktop.domain.errors import DispatchError
from dispatch_desktop.notify import credentials, templates
from dispatch_desktop.services import maintenance, revision
from dispatch_desktop.services.context import ServiceContext


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


def check_database(ctx: ServiceContext) -> Check:
    try:
        status = maintenance.schema_status(ctx.db)
        revision.current_revision(ctx)
    except DispatchError as exc:
        return Check("database", False, str(exc))
    if not status.up_to_date:
        return Check(
            "database", False, f"{status.database} schema {status.current}, program needs {status.head}"
        )
    return Check("database", True, f"{status.database}, schema {status.current}")


def check_keyring() -> Check:
    problem = credentials.keyring_problem()
    if problem == credentials.KEYRING_LOCKED:  # secrets may be in there, but nothing can read them
        return Check("keyring", False, problem)
    if problem:  # the program still works through environment variables, so this is a warning
        return Check("keyring", True, f"not usable ({problem})")
    return Check("keyring", True, "usable")


def check_templates() -> Check:
    try:
        count = templates.compile_all()
        sample = templates.render(
            "test_message",
            recipient_name="Self-check",
            sender_name="dispatch-desktop",
            when=datetime.now().strftime("%Y-%m-%d %H:%M"),
            timezone="local",
            company_line="",
        )
    except DispatchError as exc:
        return Check("templates", False, str(exc))
    return Check(
        "templates", True, f"{count} files parse; test message renders ({len(sample.sms)} SMS chars)"
    )


SHIPPED = ("icons/dispatch-desktop-256.png", "dispatch-desktop.desktop", "systemd/dispatch-notifier.service")


def check_resources() -> Check:
    try:
        root = resources()
    except DispatchError as exc:
        return Check("resources", False, str(exc))
    missing = [name for name in SHIPPED if not root.joinpath(*name.split("/")).is_file()]
    return Check(
        "resources", not missing, f"missing {', '.join(missing)} in {root}" if missing else str(root)
    )


def run_checks(ctx: ServiceContext) -> list[Check]:
    return [check_database(ctx), check_keyring(), check_templates(), check_resources()]
