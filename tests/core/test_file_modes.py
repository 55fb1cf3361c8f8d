"""On SQLite the OS account is the boundary: the home is 0700 and every file in it 0600, from the
first run, after `credentials set` and `db backup`, and after a rewrite; what others can read warns."""

import os
import stat
from pathlib import Path

import pytest

from dispatch_desktop.cli.main import main
from tests.servers.memory_keyring import MemoryKeyring

SID = "AC" + "0" * 32
pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


class _Stdin:
    def __init__(self, text: str) -> None:
        self.text = text

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        return self.text


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _modes(home: Path) -> dict[str, int]:
    return {str(path.relative_to(home)): _mode(path) for path in sorted(home.rglob("*"))}


def _run(home: Path, *words: str) -> int:
    return main(["--home", str(home), *words])


def test_every_file_is_private_from_the_first_run(
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = tmp_path / "new-home"
    os.umask(0o022)
    assert _run(home, "whoami") == 0
    assert _mode(home) == 0o700
    assert _mode(home / "dispatch.db") == 0o600
    assert _run(home, "notify", "test", "--sms", "312-555-0123") == 0  # writes the notification log
    monkeypatch.setattr("sys.stdin", _Stdin("token-1234567890\n"))
    assert (
        _run(home, "credentials", "set", "twilio", "--account-sid", SID, "--phone-number", "+13125550100")
        == 0
    )
    assert _run(home, "db", "backup", str(home / "copy.db")) == 0
    assert (
        _run(
            home, "agent", "add", "--name", "Bo Field", "--phone", "312-555-0102", "--email", "bo@example.com"
        )
        == 0
    )
    modes = _modes(home)
    assert {"config.toml", "copy.db", "dispatch.db"} <= set(modes)
    assert any(name.startswith("logs/") for name in modes), modes
    assert {name: mode for name, mode in modes.items() if mode not in (0o600, 0o700)} == {}
    capsys.readouterr()
    assert _run(home, "db", "status") == 0
    assert "warning" not in capsys.readouterr().err


def test_a_rewrite_keeps_the_config_file_private(
    home: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(2):
        monkeypatch.setattr("sys.stdin", _Stdin("token-1234567890\n"))
        assert (
            _run(home, "credentials", "set", "twilio", "--account-sid", SID, "--phone-number", "+13125550100")
            == 0
        )
        assert _mode(home / "config.toml") == 0o600
        os.chmod(home / "config.toml", 0o644)  # someone loosened it: the next rewrite tightens it again


def test_a_world_readable_database_warns(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(home, "whoami") == 0
    os.chmod(home / "dispatch.db", 0o644)
    capsys.readouterr()
    assert _run(home, "db", "status") == 0
    database = home / "dispatch.db"
    warning = f"warning: {database} can be read by other users (mode 0644): chmod 600 {database}"
    assert warning in capsys.readouterr().err.splitlines()
    assert _run(home, "credentials", "show") == 0
    assert warning in capsys.readouterr().out.splitlines()
