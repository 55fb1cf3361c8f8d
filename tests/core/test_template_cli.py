"""dispatch-desktop template list | show | set | reset | preview, as a supervisor's script uses them."""

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import AuditEntry, MessageTemplate, OutboxMessage
from tests.core.helpers import row_counts
from tests.core.test_cli import Cli, _booking_args

KIND = "customer_confirmation"
OVERRIDE = "Booked: {{ ref }} on {{ when }}. See you then!\n"


@pytest.fixture
def cli(home: Path, database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> Cli:
    """A team with a supervisor (sam, acting) and a dispatcher (dana)."""
    runner = Cli(home, database_url, capsys)
    for name, username, role in (("Sam Rivera", "sam", "supervisor"), ("Dana Lee", "dana", "dispatcher")):
        code, _, err = runner(
            "--as", "sam", "operator", "add", "--name", name, "--username", username, "--role", role
        )
        assert code == 0, err
    return runner


def overrides(db: Database) -> int:
    with db.read() as session:
        return (
            session.scalar(
                select(func.count()).select_from(MessageTemplate).where(MessageTemplate.body.is_not(None))
            )
            or 0
        )


def test_set_from_a_file_then_the_next_booking_uses_it(cli: Cli, db: Database, tmp_path: Path) -> None:
    source = tmp_path / "sms.txt"
    source.write_text(OVERRIDE, encoding="utf-8")
    code, out, err = cli("--as", "sam", "template", "set", KIND, "--part", "sms", "--file", str(source))
    assert (code, err) == (0, "")
    assert out == "saved the confirmation SMS (en); every workstation uses it from now on\n"
    shown = cli.json("--as", "dana", "template", "show", KIND)
    assert isinstance(shown, dict)
    [sms] = [part for part in shown["parts"] if part["part"] == "sms"]
    assert sms["is_override"] and sms["text"] == OVERRIDE and sms["updated_by"] == "Sam Rivera"
    listed = cli.json("--as", "dana", "template", "list")
    assert isinstance(listed, list)
    assert [(t["kind"], t["languages"], t["updated_by"]) for t in listed if t["languages"]] == [
        (KIND, ["en"], "Sam Rivera")
    ]
    code, _, err = cli("--as", "sam", *_booking_args(), "--agent", _agent(cli))
    assert code == 0, err
    with db.read() as session:
        body = session.scalar(
            select(OutboxMessage.body).where(
                OutboxMessage.channel == "sms", OutboxMessage.recipient_kind == "customer"
            )
        )
    assert body == "Booked: BK-000001 on 2026-12-01 09:00. See you then! Reply STOP to opt out."


def _agent(cli: Cli) -> str:
    agent = cli.json(
        "--as",
        "sam",
        "agent",
        "add",
        "--name",
        "Ann Field",
        "--phone",
        "312-555-0101",
        "--email",
        "ann@example.com",
    )
    assert isinstance(agent, dict)
    return str(agent["id"])


def test_set_from_stdin_preview_and_reset(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Hola {{ ref }}, su cita está confirmada."))
    code, out, err = cli("--as", "sam", "template", "set", KIND, "--part", "sms", "--language", "es")
    assert (code, err) == (0, ""), err
    preview = cli.json("--as", "dana", "template", "preview", KIND, "--language", "es")
    assert isinstance(preview, dict)
    assert preview["sms"] == "Hola BK-000123, su cita está confirmada. Responda STOP para darse de baja."
    assert (preview["sms_encoding"], preview["first_ucs2_char"], preview["sms_segments"]) == ("UCS-2", "á", 2)
    assert preview["subject"] == "Confirmación de su cita" and preview["error"] is None
    code, out, _ = cli("--as", "dana", "template", "preview", KIND, "--language", "es")
    assert out.splitlines()[:3] == [
        "customer_confirmation (es) for sample",
        "--- SMS: 74 characters, UCS-2, first UCS-2 character 'á', 2 segment(s) ---",
        "Hola BK-000123, su cita está confirmada. Responda STOP para darse de baja.",
    ]
    code, out, _ = cli("--as", "sam", "template", "reset", KIND, "--language", "es")
    assert (code, out) == (0, "reset the confirmation SMS (es) to the shipped text\n")
    code, out, _ = cli("--as", "sam", "template", "reset", KIND, "--language", "es")
    assert (code, out) == (0, "nothing to reset: the confirmation (es) has no override there\n")


def test_a_preview_of_a_real_booking(cli: Cli) -> None:
    code, _, err = cli("--as", "sam", *_booking_args(), "--agent", _agent(cli))
    assert code == 0, err
    preview = cli.json("--as", "dana", "template", "preview", "agent_assignment", "--booking", "1")
    assert isinstance(preview, dict)
    assert preview["booking"] == "BK-000001"
    assert (
        preview["sms"]
        == "New job BK-000001: Boiler service on 2026-12-01 09:00 at 12 Elm Street. Customer: Carla Customer."
    )


def test_the_preview_of_an_email_names_its_calendar_invite(cli: Cli) -> None:
    code, _, err = cli("--as", "sam", *_booking_args(), "--agent", _agent(cli))
    assert code == 0, err
    shown = {
        (kind, language): cli.json(
            "--as", "dana", "template", "preview", kind, "--booking", "1", "--language", language
        )
        for kind, language in (
            ("agent_assignment", "en"),
            ("agent_unassignment", "en"),
            ("customer_confirmation", "es"),
            ("request_received", "en"),
        )
    }
    assert {key: preview["invite"] for key, preview in shown.items() if isinstance(preview, dict)} == {
        ("agent_assignment", "en"): "REQUEST 2026-12-01 09:00 to 2026-12-01 10:00 (America/Chicago)",
        ("agent_unassignment", "en"): "CANCEL 2026-12-01 09:00 to 2026-12-01 10:00 (America/Chicago)",
        ("customer_confirmation", "es"): (
            "REQUEST martes 1 de diciembre, 09:00 to martes 1 de diciembre, 10:00 (America/Chicago)"
        ),
        ("request_received", "en"): None,  # a request has no time with an agent to put in a calendar
    }
    code, out, _ = cli("--as", "dana", "template", "preview", "agent_assignment", "--booking", "1")
    assert out.splitlines()[-1] == (
        "--- calendar invite: REQUEST 2026-12-01 09:00 to 2026-12-01 10:00 (America/Chicago) ---"
    )


def test_a_dispatcher_is_refused_and_nothing_is_written(
    cli: Cli, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(OVERRIDE))
    code, out, err = cli("--as", "dana", "template", "set", KIND, "--part", "sms")
    assert (code, out) == (4, "")
    assert err == "error: dana (dispatcher) may not change settings\n"
    assert overrides(db) == 0


@pytest.mark.parametrize(
    ("args", "stdin", "line"),
    [
        (["nope", "--part", "sms"], OVERRIDE, "error: unknown message kind 'nope'; the kinds are: "),
        (
            [KIND, "--part", "body"],
            OVERRIDE,
            "error: customer_confirmation has no part 'body'; its parts are: sms, subject, text, html",
        ),
        (
            [KIND, "--part", "sms", "--language", "e1"],
            OVERRIDE,
            "error: language must be a two-letter code such as en or es, not 'e1'",
        ),
        (
            [KIND, "--part", "sms", "--language", "fr"],
            OVERRIDE,
            "error: template language must be one of en, es (the languages with messages), not 'fr'\n",
        ),
        (
            [KIND, "--part", "sms", "--file", "HOME/none.txt"],
            "",
            "error: cannot read the template file: No such file or directory",
        ),
        ([KIND, "--part", "sms"], "\udcff", "error: the template file is not UTF-8 text"),
        (
            [KIND, "--part", "sms"],
            "{{ ''.__class__ }}",
            "error: line 1: '__class__' is not allowed: a message may not reach Python internals",
        ),
        ([KIND, "--part", "sms"], "Hi {{ ref }\n", "error: line 1: unexpected '}'"),
    ],
)
def test_bad_input_is_one_error_line_and_writes_nothing(
    cli: Cli,
    db: Database,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    stdin: str,
    line: str,
) -> None:
    before = row_counts(db)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    argv = [arg.replace("HOME", str(home)) for arg in args]
    code, out, err = cli("--as", "sam", "template", "set", *argv)
    assert (code, out) == (2, "")
    assert err.startswith(line) and err.count("\n") == 1
    assert overrides(db) == 0 and row_counts(db) == before
    with db.read() as session:
        assert not session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "template")
        )
