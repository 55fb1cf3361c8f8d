"""What `dispatch-desktop --self-check` verifies before a person relies on an installation."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from dispatch_desktop.config import resources_dir
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
    folder = templates.templates_dir()
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    if not files:
        return Check("templates", False, f"no templates in {folder}")
    parser = SandboxedEnvironment()
    try:
        for path in files:
            parser.parse(path.read_text(encoding="utf-8"), name=str(path.relative_to(folder)))
        sample = templates.render(
            "test_message",
            recipient_name="Self-check",
            sender_name="dispatch-desktop",
            when=datetime.now().strftime("%Y-%m-%d %H:%M"),
            timezone="local",
            company_line="",
        )
    except (TemplateError, OSError) as exc:
        return Check("templates", False, f"{type(exc).__name__}: {exc}")
    return Check(
        "templates", True, f"{len(files)} files parse; test message renders ({len(sample.sms)} SMS chars)"
    )


def check_resources() -> Check:
    root: Path = resources_dir()
    icon = root / "icons" / "dispatch-desktop-256.png"
    return Check("resources", icon.is_file(), str(root))


def run_checks(ctx: ServiceContext) -> list[Check]:
    return [check_database(ctx), check_keyring(), check_templates(), check_resources()]
