"""--self-check opens the real window on a fresh home and reports each check."""

import os
import subprocess
import sys
from pathlib import Path


def _self_check(home: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "dispatch_desktop", "--home", str(home), *extra, "--self-check"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_self_check_on_a_fresh_home(tmp_path: Path) -> None:
    home = tmp_path / "fresh"
    result = _self_check(home)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"dispatch-desktop self-check ({home})"
    assert [line.split(":")[0].strip() for line in lines[1:-1]] == [
        "ok   window",
        "ok   database",
        "ok   keyring",
        "ok   templates",
        "ok   resources",
    ]
    assert lines[-1] == "result: ok"
    assert (home / "dispatch.db").exists()


def test_self_check_fails_with_the_reason_when_the_database_is_unreachable(tmp_path: Path) -> None:
    result = _self_check(tmp_path / "home", "--database-url", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert result.returncode == 1
    assert "FAIL start: database unavailable (PostgreSQL 127.0.0.1:1/none)" in result.stdout
    assert result.stdout.splitlines()[-1] == "result: FAILED (start)"


def test_a_locked_keyring_fails_the_self_check_with_how_to_unlock_it(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "tests.servers.memory_keyring.LockedKeyring"}
    result = subprocess.run(
        [sys.executable, "-m", "dispatch_desktop", "--home", str(tmp_path / "home"), "--self-check"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "QT_QPA_PLATFORM": "offscreen"},
        cwd=Path(__file__).resolve().parents[2],  # where tests.servers is importable
    )
    lines = result.stdout.splitlines()
    [keyring_line] = [line for line in lines if " keyring: " in line]
    assert keyring_line.lstrip().startswith(
        "FAIL keyring: the OS keyring is locked; unlock it (log in to the desktop"
    )
    assert "gnome-keyring-daemon --replace --unlock" in keyring_line
    assert (result.returncode, lines[-1]) == (1, "result: FAILED (keyring)")
