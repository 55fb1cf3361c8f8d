"""Database passwords never travel in a URL: refused with advice, masked wherever a URL is shown,
and kept in the OS keyring by `dispatch-desktop login` after the server accepted them."""

import logging
from pathlib import Path

import keyring
import pytest

from dispatch_desktop.cli.main import main
from dispatch_desktop.storage.engine import mask_url
from tests.conftest import PG_URL
from tests.servers.memory_keyring import MemoryKeyring

SECRET = "Sup3r-Secret-pw"


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://carla:{SECRET}@db.example.com/dispatch",
        f"postgresql://carla@db.example.com/dispatch?password={SECRET}",
    ],
)
def test_a_password_in_the_database_url_is_refused_and_never_echoed(
    home: Path, url: str, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        code = main(["--home", str(home), "--database-url", url, "whoami"])
    _, err = capsys.readouterr()
    assert code == 2
    assert err == (
        "error: a password in the database URL is refused: run 'dispatch-desktop login' to keep it in the "
        "OS keyring, or use ~/.pgpass, a client certificate or GSSAPI\n"
    )
    assert SECRET not in caplog.text
    assert not any(SECRET in path.read_text(errors="replace") for path in home.rglob("*") if path.is_file())


def test_a_url_that_is_no_url_is_shown_with_its_password_masked(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--home", str(home), "--database-url", f"postgresql://carla:{SECRET}@db:54x2/d", "whoami"])
    err = capsys.readouterr().err
    assert code == 2
    assert SECRET not in err
    assert "postgresql://carla:***@db:54x2/d" in err


def test_mask_url_hides_every_form_of_password() -> None:
    assert mask_url(f"postgresql://u:{SECRET}@h/d") == "postgresql://u:***@h/d"
    assert mask_url("postgresql://u:p@ss/w@h/d") == "postgresql://u:***@h/d"
    assert mask_url(f"postgresql://u@h/d?sslmode=require&password={SECRET}") == (
        "postgresql://u@h/d?sslmode=require&password=***"
    )


def test_login_on_sqlite_says_there_is_nothing_to_log_in_to(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--home", str(home), "login"]) == 2
    assert "SQLite has no database logins" in capsys.readouterr().err


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL-only: set DISPATCH_TEST_DATABASE_URL")
def test_login_keeps_the_password_in_the_keyring_after_a_successful_connection(
    home: Path,
    pg_db: object,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert PG_URL
    monkeypatch.setattr("sys.stdin", _Stdin(f"{SECRET}\n"))
    assert main(["--home", str(home), "--database-url", PG_URL, "login"]) == 0
    assert "the password is in the OS keyring" in capsys.readouterr().out
    assert keyring.get_password("dispatch-desktop", "database postgres@127.0.0.1:5432/test") == SECRET
    assert not any(SECRET in path.read_text(errors="replace") for path in home.rglob("*") if path.is_file())


class _Stdin:
    def __init__(self, text: str) -> None:
        self.text = text

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        return self.text
