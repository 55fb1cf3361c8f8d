"""`settings set --week-start mon|sun`: the board's week starts Monday (the default) or Sunday."""

from pathlib import Path

import pytest

from dispatch_desktop.storage.engine import Database
from tests.core.test_cli import Cli


@pytest.fixture
def cli(home: Path, database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(home, database_url, capsys)


def test_the_week_starts_monday_until_set_to_sunday(cli: Cli) -> None:
    shown = cli.json("settings", "show")
    assert isinstance(shown, dict) and shown["week_start"] == "mon"
    shown = cli.json("settings", "set", "--week-start", "sun")
    assert isinstance(shown, dict) and shown["week_start"] == "sun"
    code, out, _err = cli("settings", "show")
    assert code == 0 and "week starts: Sunday" in out.splitlines()


def test_a_week_start_other_than_mon_or_sun_is_one_error_line_and_changes_nothing(cli: Cli) -> None:
    code, out, err = cli("settings", "set", "--week-start", "tue")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "error:" in err and "mon" in err and "sun" in err
    shown = cli.json("settings", "show")
    assert isinstance(shown, dict) and shown["week_start"] == "mon"
