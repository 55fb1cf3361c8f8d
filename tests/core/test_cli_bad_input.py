"""The command line's front door: bad input is one `error: ` line, the right exit code, no write.

Each test here is a case the red-team pass (issue 12) saw end in a traceback, a partial
write or a misleading exit code.
"""

import io
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from dispatch_desktop.cli import main
from dispatch_desktop.cli.output import UNEXPECTED_EXIT
from dispatch_desktop.config import config_path, load_config
from dispatch_desktop.services import bookings
from dispatch_desktop.storage.engine import Database
from tests.core.helpers import row_counts
from tests.core.test_cli import Cli, _booking_args
from tests.servers.memory_keyring import MemoryKeyring

SID = "AC" + "3" * 32


@pytest.fixture
def cli(home: Path, database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(home, database_url, capsys)


def _set_twilio(home: Path, sid: str) -> int:
    return main(
        [
            "--home",
            str(home),
            "credentials",
            "set",
            "twilio",
            "--account-sid",
            sid,
            "--phone-number",
            "+13125550100",
        ]
    )


def _one_error(err: str, starts: str) -> None:
    assert err.startswith(starts), err
    assert err.count("\n") == 1 and err.count("error: ") == 1 and "Traceback" not in err


# --- tracebacks that were: numbers, times, URLs, paths, config values ----------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["booking", "show", "99999999999999999999"],
            "error: argument id: '99999999999999999999' is not an id",
        ),
        (["booking", "show", "١٢"], "error: argument id: '١٢' is not an id"),
        (["booking", "list", "--limit", "-1"], "error: argument --limit: '-1' is not a limit"),
        (["outbox", "list", "--limit", "0"], "error: argument --limit: '0' is not a limit"),
        (["booking", "assign", "1", "2", "--expect-version", "1e3"], "error: argument --expect-version:"),
        (["notifier", "run", "--once", "--interval", "nan"], "error: argument --interval: 'nan' is not"),
        (["notifier", "run", "--once", "--interval", "inf"], "error: argument --interval: 'inf' is not"),
        (["notifier", "run", "--once", "--interval", "-5"], "error: argument --interval: '-5' is not"),
        (["booking", "list", "--search", "x" * 131_000], "error: argument --search: is 131000 characters"),
    ],
)
def test_numbers_and_search_text_out_of_range_are_exit_2(
    cli: Cli, db: Database, args: list[str], message: str
) -> None:
    before = row_counts(db)
    code, out, err = cli(*args)
    assert (code, out) == (2, "")
    _one_error(err, message)
    assert row_counts(db) == before


def test_a_time_whose_utc_instant_leaves_years_1_to_9999_is_exit_2(cli: Cli, db: Database) -> None:
    assert cli("settings", "set", "--timezone", "America/New_York")[0] == 0
    before = row_counts(db)
    for start, end in (
        ("9999-12-31 20:00", "9999-12-31 21:00"),
        ("0001-01-01T00:00+09:00", "0001-01-01T01:00+09:00"),
    ):
        code, out, err = cli(*_booking_args(start, end))
        assert (code, out) == (2, "")
        _one_error(err, "error: start ")
        assert "is outside the years 1 to 9999" in err
    assert row_counts(db) == before


@pytest.mark.parametrize(
    ("url", "code", "message"),
    [
        ("[::1/db", 2, "error: database URL '[::1/db' is not a URL"),
        (
            "postgresql+psycopg://u@h:5432x/db",
            2,
            "error: database URL 'postgresql+psycopg://u@h:5432x/db' is not",
        ),
        (
            "postgresql+psycopg://u@127.0.0.1:1/db?foo=bar",
            2,
            "error: database URL option(s) foo: not a PostgreSQL",
        ),
        (
            "sqlite:///HOME/dispatch.db?timeout=5",
            2,
            "error: database URL option(s) timeout: SQLite URLs take no",
        ),
        (
            "sqlite:///HOME/notes.txt",
            5,
            "error: SQLite HOME/notes.txt cannot be used: file is not a database",
        ),
        (
            "sqlite:///HOME/notes.txt/dispatch.db",
            2,
            "error: SQLite database 'HOME/notes.txt/dispatch.db': Not a",
        ),
        ("sqlite:///HOME/" + "n" * 300, 2, "error: SQLite database 'HOME/nnn"),
    ],
)
def test_database_urls_that_cannot_work(
    home: Path, capsys: pytest.CaptureFixture[str], url: str, code: int, message: str
) -> None:
    (home / "notes.txt").write_text("not a database, just notes\n" * 100, encoding="utf-8")
    got = main(["--home", str(home), "--database-url", url.replace("HOME", str(home)), "booking", "list"])
    out, err = capsys.readouterr()
    assert (got, out) == (code, "")
    _one_error(err, message.replace("HOME", str(home)))
    assert (home / "notes.txt").read_text(encoding="utf-8").startswith("not a database")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("afile", "error: home folder 'HOME/afile' is a file, not a folder"),
        ("afile/sub", "error: home folder 'HOME/afile/sub': Not a directory"),
        ("h" * 300, "error: home folder 'HOME/hhh"),
    ],
)
def test_a_home_that_is_no_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    code = main(["--home", str(tmp_path / name), "agent", "list"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    _one_error(err, message.replace("HOME", str(tmp_path)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('log_max_bytes = "x"', "log_max_bytes must be an integer"),
        ("environment = [1, 2]", "environment must be a string"),
        ("[smtp]\ntimeout_seconds = -1", "smtp.timeout_seconds must be between 0.1 and 3600, not -1"),
        ("[twilio]\ntimeout_seconds = inf", "twilio.timeout_seconds must be between 0.1 and 3600, not inf"),
        ("[smtp]\nport = true", "smtp.port must be an integer"),
        ("smtp = 5", "smtp must be a table"),
    ],
)
def test_wrong_typed_config_values_name_the_file_and_key(
    home: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    config_path(home).write_text(content + "\n", encoding="utf-8")
    code = main(["--home", str(home), "agent", "list"])
    out, err = capsys.readouterr()
    assert (code, out, err) == (2, "", f"error: config file {config_path(home)}: {message}\n")


def test_an_unexpected_exception_is_one_line_naming_the_log_with_the_traceback(
    cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("division by zero\nsecond line")

    monkeypatch.setattr(bookings, "list_bookings", broken)
    code, out, err = cli("booking", "list")
    log = home / "logs" / "errors.log"
    assert (code, out) == (UNEXPECTED_EXIT, "")
    assert err == (
        f"error: unexpected ZeroDivisionError: division by zero (the traceback is in {log}; please report it)\n"
    )
    written = log.read_text(encoding="utf-8")
    assert log.stat().st_mode & 0o777 == 0o600  # a traceback may hold customer data
    assert (
        "Traceback (most recent call last)" in written
        and 'raise ZeroDivisionError("division by zero' in written
    )


def test_a_file_the_command_cannot_use_is_exit_5_with_the_file_and_reason(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", "/srv/dispatch/export.csv")

    monkeypatch.setattr(bookings, "list_bookings", locked)
    assert cli("booking", "list") == (
        5,
        "",
        "error: cannot use /srv/dispatch/export.csv: Permission denied\n",
    )


# --- committed, then crashed ---------------------------------------------------------------------


def _bookings(db: Database) -> int:
    return row_counts(db)["bookings"]


@pytest.mark.parametrize("breakage", ["logs is a file", "disk full"])
def test_a_log_that_cannot_be_written_after_the_commit_is_a_warning_and_exit_0(
    cli: Cli, db: Database, home: Path, breakage: str
) -> None:
    if breakage == "logs is a file":
        (home / "logs").write_text("", encoding="utf-8")
        reason = "File exists"
    else:
        if not Path("/dev/full").exists():
            pytest.skip("needs /dev/full")
        (home / "logs").mkdir()
        (home / "logs" / "notifications.log").symlink_to("/dev/full")
        reason = "No space left on device"
    code, out, err = cli(*_booking_args(), "--call-center")
    assert code == 0 and out.startswith("created BK-000001 pending v1")
    log = home / "logs" / "notifications.log"
    warning = f"warning: cannot write the notification log {log} ({reason}); its lines go to stderr only\n"
    assert err.count(warning) == 1 and "Traceback" not in err and "Logging error" not in err
    assert "[DEV] SMS (not sent) - To: +13125550199, Message: We have your request for " in err
    assert _bookings(db) == 1


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_credentials_set_on_a_full_home_is_exit_5_and_leaves_nothing(
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
) -> None:
    (home / "config.tmp").symlink_to("/dev/full")
    monkeypatch.setattr("sys.stdin", io.StringIO("token-5555-abcdef\n"))
    code = _set_twilio(home, SID)
    out, err = capsys.readouterr()
    assert (code, out) == (5, "")
    assert err == f"error: cannot write config file {config_path(home)}: No space left on device\n"
    assert sorted(p.name for p in home.iterdir()) == []
    assert memory_keyring.store == {}


def _run_in_read_only_home(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a process that cannot write `home`: a read-only bind mount as root, else chmod."""
    command = [sys.executable, "-m", "dispatch_desktop", "--home", str(home), *args]
    if os.geteuid() != 0:
        for path in (home, *home.rglob("*")):
            path.chmod(0o555 if path.is_dir() else 0o444)
        return subprocess.run(command, capture_output=True, text=True, timeout=120)
    if (
        shutil.which("unshare") is None
        or subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode
    ):
        pytest.skip("running as root without mount namespaces: cannot make a folder read-only")
    script = 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && shift && exec "$@"'
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", str(home), *command],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_read_only_home_can_still_list_and_show_bookings(
    home: Path, database_url: str, cli: Cli, db: Database
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("a read-only home concerns the SQLite file in it")
    assert cli(*_booking_args(), "--call-center", "--queue-only")[0] == 0
    db.dispose()
    listed = _run_in_read_only_home(home, "booking", "list")
    assert (listed.returncode, listed.stderr) == (0, "")
    assert "BK-000001" in listed.stdout and "Carla Customer" in listed.stdout
    changed = _run_in_read_only_home(home, "booking", "status", "1", "cancelled", "--reason", "x")
    assert (
        changed.returncode == 5 and changed.stderr.startswith("error: ") and "Traceback" not in changed.stderr
    )


# --- config written from input --------------------------------------------------------------------


def _set_smtp(home: Path, *extra: str) -> list[str]:
    return [
        "--home",
        str(home),
        "credentials",
        "set",
        "smtp",
        "--port",
        "587",
        "--from",
        "ops@example.com",
        *extra,
    ]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            "--host",
            "smtp.example.com\n[twilio]",
            "error: host 'smtp.example.com\\n[twilio]' is not a host name",
        ),
        ("--host", "smtp\x7f.example.com", "error: host 'smtp\\x7f.example.com' is not a host name"),
        ("--host", "smtp.exämple.com", "error: host 'smtp.exämple.com' is not a host name"),
        ("--user", "me\n@example.com", "error: user 'me\\n@example.com' must be 1 to 320 visible ASCII"),
        (
            "--user",
            "me\u202e@example.com",
            "error: user 'me\\u202e@example.com' must be 1 to 320 visible ASCII",
        ),
    ],
)
def test_hosts_and_users_that_would_break_the_config_file_are_refused(
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
    option: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("mail-password-0815\n"))
    others = {"--host": "smtp.example.com", "--user": "me@example.com"}
    others[option] = value
    code = main(_set_smtp(home, *(word for pair in others.items() for word in pair)))
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    _one_error(err, message)
    assert not config_path(home).exists() and memory_keyring.store == {}


def test_config_values_are_written_as_toml_that_reads_back(
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("mail-password-0815\n"))
    user = 'CORP\\ops"desk'
    assert main(_set_smtp(home, "--host", "smtp.example.com", "--user", user)) == 0
    data = tomllib.loads(config_path(home).read_text(encoding="utf-8"))
    assert data["smtp"]["user"] == user and data["smtp"]["host"] == "smtp.example.com"
    assert load_config(home).smtp.user == user


BROKEN_BY_AN_OLDER_VERSION = 'database_url = "sqlite:///HOME/team.db"\n\n[twilio]\naccount_sid = "ACX"\n\n[smtp]\nhost = "smtp.example.com\nrelay"\nuser = "me\x7f"\nport = 587\n'


def test_credentials_delete_and_help_work_on_a_config_file_a_section_broke(
    home: Path, capsys: pytest.CaptureFixture[str], memory_keyring: MemoryKeyring
) -> None:
    config_path(home).write_text(BROKEN_BY_AN_OLDER_VERSION.replace("HOME", str(home)), encoding="utf-8")
    assert main(["--home", str(home), "agent", "list"]) == 2
    assert "is not valid TOML" in capsys.readouterr().err
    assert main(["--home", str(home), "credentials", "delete", "--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: dispatch-desktop credentials delete")
    assert main(["--home", str(home), "credentials", "delete", "smtp"]) == 0
    assert capsys.readouterr().out == "smtp credentials deleted\n"
    config = load_config(home)
    assert (config.smtp.host, config.twilio.account_sid) == (None, "ACX")
    assert config.database_url == f"sqlite:///{home}/team.db"


# --- oversized input -------------------------------------------------------------------------------


def test_an_echoed_value_is_cut_to_80_characters(cli: Cli, db: Database) -> None:
    huge = "5" * 1_000_000
    code, _out, err = cli("agent", "add", "--name", "Ann", "--phone", huge, "--email", "ann@example.com")
    assert code == 2
    _one_error(err, f"error: phone '{'5' * 80}…'")
    assert len(err) < 200


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        ("t" * 10_000_000, "auth token must be 8 to 128 visible ASCII characters (not shown)"),
        ("token\x7f-5555-abcdef", "auth token must be 8 to 128 visible ASCII characters (not shown)"),
    ],
)
def test_secrets_are_checked_against_an_ascii_pattern_and_never_echoed(
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
    secret: str,
    problem: str,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(secret + "\n"))
    code = _set_twilio(home, SID)
    out, err = capsys.readouterr()
    assert (code, out, err) == (2, "", f"error: {problem}\n")
    assert memory_keyring.store == {} and not config_path(home).exists()


def test_a_sid_in_arabic_indic_digits_is_refused(
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("token-5555-abcdef\n"))
    sid = "AC" + "٣" * 32
    code = _set_twilio(home, sid)
    _out, err = capsys.readouterr()
    assert code == 2
    _one_error(
        err, f"error: account SID '{sid}' does not look like a Twilio account SID (AC and 32 hex digits)"
    )
    assert memory_keyring.store == {} and not config_path(home).exists()


# --- db backup and db upgrade ---------------------------------------------------------------------


def test_db_backup_and_upgrade_need_a_supervisor(
    cli: Cli, db: Database, home: Path, database_url: str
) -> None:
    assert cli("operator", "add", "--name", "Boss", "--username", "boss", "--role", "supervisor")[0] == 0
    assert (
        cli("--as", "boss", "operator", "add", "--name", "Dan", "--username", "dan", "--role", "dispatcher")[
            0
        ]
        == 0
    )
    target = home / "copy.db"
    for who, message in (
        ("dan", "error: dan (dispatcher) may not back up or upgrade the database\n"),
        ("stranger", "error: unknown operator 'stranger'; ask a supervisor to add you\n"),
    ):
        for command in (["db", "upgrade"], ["db", "backup", str(target)]):
            assert cli("--as", who, *command) == (4, "", message)
    assert not target.exists()
    assert cli("--as", "boss", "db", "upgrade")[0] == 0
    if database_url.startswith("sqlite"):
        assert cli("--as", "boss", "db", "backup", str(target))[0] == 0 and target.exists()


@pytest.fixture
def pg_stranger(pg_db: Database) -> Iterator[str]:
    """A login role that neither owns the database nor has rights on the tables: the URL for it."""
    role = f"dd_not_owner_{os.getpid()}"
    schema_name = pg_db.engine.dialect.default_schema_name
    with pg_db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema_name}" TO "{role}"'))
    try:
        yield pg_db.url.set(username=role).render_as_string(hide_password=False)
    finally:
        with pg_db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))


@pytest.mark.postgres
def test_postgresql_roles_without_rights_are_exit_4(
    pg_db: Database, pg_stranger: str, capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    role = make_url(pg_stranger).username
    with pg_db.read() as session:
        owner = session.scalar(
            text("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")
        )
    code = main(["--home", str(home), "--database-url", pg_stranger, "db", "upgrade"])
    assert (code, capsys.readouterr()) == (
        4,
        (
            "",
            f"error: db upgrade on PostgreSQL must run as the database owner '{owner}', not '{role}': "
            f"put {owner} in the database URL\n",
        ),
    )
    code = main(["--home", str(home), "--database-url", pg_stranger, "agent", "list"])
    out, err = capsys.readouterr()
    assert (code, out) == (4, "")
    _one_error(
        err, f"error: the database role in the URL may not do this ({pg_db.description}): permission denied"
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("b" * 300, "error: backup file 'HOME/bbbb"),
        ("afile/x.db", "error: backup file 'HOME/afile/x.db': Not a directory"),
        (".", "error: backup file 'HOME' is a folder, not a file"),
    ],
)
def test_a_backup_path_that_cannot_work_is_exit_2(
    cli: Cli, home: Path, database_url: str, target: str, message: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("db backup is for SQLite")
    (home / "afile").write_text("x", encoding="utf-8")
    code, out, err = cli("db", "backup", str(home / target))
    assert (code, out) == (2, "")
    _one_error(err, message.replace("HOME", str(home)))


def test_the_console_with_a_home_that_is_a_file_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    code = main(["--home", str(tmp_path / "afile"), "--self-check"])
    assert (code, capsys.readouterr().err) == (
        2,
        f"error: home folder '{tmp_path}/afile' is a file, not a folder\n",
    )
