"""A damaged installation (a template missing or broken) refuses with one line and writes nothing."""

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dispatch_desktop.cli import main
from dispatch_desktop.notify import templates
from dispatch_desktop.services.self_check import check_templates
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import Booking
from tests.core.helpers import row_counts

SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "templates"
NOTHING = {"bookings": 0, "customers": 0, "time_off": 0, "audit_log": 0, "outbox": 0}


@pytest.fixture
def damaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the shipped templates that a test may break; compiled templates are forgotten."""
    folder = tmp_path / "templates"
    shutil.copytree(SHIPPED, folder)
    monkeypatch.setattr(templates, "templates_root", lambda: folder)
    templates._environment.cache_clear()
    yield folder
    templates._environment.cache_clear()


BOOKING_ARGS = [
    "booking",
    "add",
    "--customer-name",
    "Carla Customer",
    "--customer-phone",
    "312-555-0199",
    "--customer-email",
    "carla@example.com",
    "--address",
    "12 Elm Street",
    "--service",
    "Boiler service",
    "--start",
    "2026-12-01 09:00",
    "--end",
    "2026-12-01 10:00",
    "--call-center",
]


def _booking_add(home: Path, url: str) -> int:
    return main(["--home", str(home), "--database-url", url, *BOOKING_ARGS])


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        ("request_received/email.html", "request_received/email.html is missing"),  # a call-center booking
        ("_booking.txt", "_booking.txt is missing"),  # included by the email text, rendered third
    ],
)
def test_booking_add_with_a_missing_template_says_so_and_saves_nothing(
    damaged: Path,
    home: Path,
    database_url: str,
    db: Database,
    capsys: pytest.CaptureFixture[str],
    damage: str,
    problem: str,
) -> None:
    (damaged / damage).unlink()
    code = _booking_add(home, database_url)
    out, err = capsys.readouterr()
    assert code == 5
    assert out == ""
    assert err == f"error: message template {problem} ({damaged}); reinstall dispatch-desktop\n"
    assert row_counts(db) == NOTHING


def test_booking_add_with_a_broken_template_names_the_line_and_saves_nothing(
    damaged: Path, home: Path, database_url: str, db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    (damaged / "request_received" / "sms.txt").write_text("Booked {{ ref }}\n{% if %}\n", "utf-8")
    code = _booking_add(home, database_url)
    out, err = capsys.readouterr()
    assert (code, out) == (5, "")
    assert err == (
        "error: message template request_received/sms.txt is broken at line 2: "
        f"Expected an expression, got 'end of statement block' ({damaged}); reinstall dispatch-desktop\n"
    )
    assert row_counts(db) == NOTHING


def test_a_template_that_is_not_utf8_is_named(damaged: Path) -> None:
    (damaged / "test_message" / "subject.txt").write_bytes(b"Test \xff\n")
    with pytest.raises(templates.TemplateUnavailableError) as caught:
        templates.render("test_message", recipient_name="A", sender_name="B", when="now", timezone="UTC")
    assert str(caught.value).startswith("message template test_message/subject.txt cannot be read: ")


def test_self_check_fails_on_a_broken_template_it_would_not_render_today(damaged: Path) -> None:
    # agent_status is not the self-check's sample message: only compiling every file finds it
    (damaged / "agent_status" / "email.html").write_text("{% for x in %}", "utf-8")
    check = check_templates()
    assert check.line() == (
        "FAIL templates: message template agent_status/email.html is broken at line 1: "
        f"Expected an expression, got 'end of statement block' ({damaged}); reinstall dispatch-desktop"
    )


def test_self_check_fails_when_no_templates_are_installed(damaged: Path) -> None:
    shutil.rmtree(damaged)
    assert check_templates().line() == (
        f"FAIL templates: no message templates in {damaged}; reinstall dispatch-desktop"
    )


def test_self_check_counts_every_shipped_template() -> None:
    shipped = sum(1 for path in SHIPPED.rglob("*") if path.is_file())
    check = check_templates()
    assert check.ok, check.line()
    assert check.detail.startswith(f"{shipped} files parse; test message renders (")


def test_an_install_without_the_resources_package_is_one_error_line(tmp_path: Path) -> None:
    # What an editable install made before resources/ was mapped into the package looks like.
    script = (
        "import sys; sys.modules['dispatch_desktop.resources'] = None;"
        "from dispatch_desktop.cli import main; from dispatch_desktop.services import self_check;"
        "print(self_check.check_resources().line()); print(self_check.check_templates().line());"
        "sys.exit(main(sys.argv[1:]))"
    )
    home = tmp_path / "home"
    result = subprocess.run(
        [sys.executable, "-c", script, "--home", str(home), *BOOKING_ARGS],
        capture_output=True,
        text=True,
        timeout=120,
    )
    problem = (
        "the package dispatch_desktop.resources is not installed; reinstall dispatch-desktop"
        " (in a checkout: .venv/bin/pip install -e .)"
    )
    assert result.returncode == 5
    assert result.stderr == f"error: {problem}\n"
    assert result.stdout.splitlines() == [f"FAIL resources: {problem}", f"FAIL templates: {problem}"]
    with Database(f"sqlite:///{home / 'dispatch.db'}").read() as session:
        assert session.scalar(select(func.count()).select_from(Booking)) == 0
