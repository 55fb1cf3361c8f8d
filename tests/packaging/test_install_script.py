"""scripts/install-debian-deps.sh, the README's first step, run against a recording apt-get."""

import os
import subprocess
import tomllib
from pathlib import Path

import pytest

from dispatch_desktop.ui.shell import platform_check

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "install-debian-deps.sh"
UPDATE = "env DEBIAN_FRONTEND=noninteractive apt-get update -qq"
INSTALL = "env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends"
# Stand-ins for the system's tools: each records how it was called in $CALLS.
FAKES = {
    # FAKE_MISSING: not installed under any name; FAKE_RENAMED: installed only as NAMEt64
    "dpkg-query": 'for p in $FAKE_MISSING; do [ "${3%t64}" = "$p" ] && exit 1; done;'
    ' for p in $FAKE_RENAMED; do [ "$3" = "$p" ] && exit 1; done; echo "install ok installed"',
    "apt-get": 'echo "apt-get $*" >> "$CALLS"',
    "env": 'echo "env $1 " | tr -d "\\n" >> "$CALLS"; shift; "$@"',
    "sudo": 'echo "sudo " | tr -d "\\n" >> "$CALLS"; "$@"',
    "id": 'echo "$FAKE_UID"',
    "python3": 'echo "$FAKE_PYTHON"',  # the script asks only for "major.minor"
}


def _run(
    tmp_path: Path,
    *args: str,
    missing: str = "",
    renamed: str = "",
    uid: int = 1000,
    python: str = "3.11",
    tools: tuple[str, ...] = (),
) -> tuple[int, list[str], str]:
    fakes = tmp_path / "bin"
    fakes.mkdir(exist_ok=True)
    for name, body in FAKES.items():
        if name in tools or not tools:
            (fakes / name).write_text(f"#!/bin/sh\n{body}\n")
            (fakes / name).chmod(0o755)
    calls = tmp_path / "calls"
    calls.write_text("")
    for needed in ("sh", "grep", "tr", "echo", "dash"):
        target = Path("/bin") / needed
        if target.exists() and not (fakes / needed).exists():
            (fakes / needed).symlink_to(target)
    result = subprocess.run(
        ["/bin/sh", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": str(fakes),
            "CALLS": str(calls),
            "FAKE_MISSING": missing,
            "FAKE_RENAMED": renamed,
            "FAKE_UID": str(uid),
            "FAKE_PYTHON": python,
        },
    )
    return result.returncode, calls.read_text().splitlines(), result.stdout + result.stderr


def test_installs_only_the_missing_packages_with_sudo(tmp_path: Path) -> None:
    code, calls, output = _run(tmp_path, missing="libxcb-icccm4 libxcb-keysyms1 python3-venv")
    assert code == 0, output
    assert calls == [f"sudo {UPDATE}", f"sudo {INSTALL} python3-venv libxcb-icccm4 libxcb-keysyms1"]
    assert output == "install-debian-deps: installing python3-venv libxcb-icccm4 libxcb-keysyms1\n"


def test_as_root_it_needs_no_sudo(tmp_path: Path) -> None:
    code, calls, _ = _run(tmp_path, missing="libxcb-icccm4", uid=0)
    assert (code, calls) == (0, [UPDATE, f"{INSTALL} libxcb-icccm4"])


def test_without_root_or_sudo_it_says_so(tmp_path: Path) -> None:
    code, calls, output = _run(tmp_path, missing="libgl1", tools=("dpkg-query", "apt-get", "env", "id"))
    assert (code, calls) == (4, [])
    assert output == (
        f"error: installing libgl1 needs root: run  su -c '{SCRIPT}'  (or install sudo), then this command again\n"
    )


def test_without_sudo_the_su_command_keeps_the_test_option(tmp_path: Path) -> None:
    code, _, output = _run(
        tmp_path, "--test", missing="binutils", tools=("dpkg-query", "apt-get", "env", "id")
    )
    assert code == 4
    assert f"run  su -c '{SCRIPT} --test'  (or install sudo)" in output


@pytest.mark.parametrize("missing", ["", "libgl1"])
def test_a_python_older_than_3_11_stops_it_before_apt(tmp_path: Path, missing: str) -> None:
    code, calls, output = _run(tmp_path, missing=missing, python="3.10")
    assert (code, calls) == (3, [])
    assert output == (
        "error: Dispatch Desktop needs Python 3.11 or newer and this system's python3 is 3.10: "
        "use Debian 12, Ubuntu 24.04 or a newer release\n"
    )


def test_the_oldest_python_it_takes_is_the_packages_requires_python(tmp_path: Path) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    oldest = project["project"]["requires-python"].removeprefix(">=")
    major, minor = oldest.split(".")
    assert _run(tmp_path, python=oldest) == (0, [], "")
    assert _run(tmp_path, python=f"{major}.{int(minor) - 1}")[0] == 3
    assert _run(tmp_path, python="3.13") == (0, [], "")
    assert _run(tmp_path, python="4.0") == (0, [], "")


def test_nothing_missing_asks_for_nothing(tmp_path: Path) -> None:
    assert _run(tmp_path) == (0, [], "")


def test_a_t64_renamed_library_counts_as_installed(tmp_path: Path) -> None:
    assert _run(tmp_path, renamed="libglib2.0-0 libxcb-cursor0") == (0, [], "")


def test_the_test_suite_adds_readelf(tmp_path: Path) -> None:
    _, calls, _ = _run(tmp_path, "--test", missing="binutils")
    assert calls[-1] == f"sudo {INSTALL} binutils"
    _, calls, _ = _run(tmp_path, missing="binutils")
    assert calls == []


def test_off_debian_it_does_nothing(tmp_path: Path) -> None:
    code, calls, output = _run(tmp_path, tools=("id",))
    assert (code, calls) == (0, [])
    assert "not Debian/Ubuntu, nothing to install" in output


@pytest.mark.parametrize("table", ["QT_LIBRARIES", "XCB_LIBRARIES"])
def test_it_installs_every_package_the_start_check_asks_for(tmp_path: Path, table: str) -> None:
    wanted = set(getattr(platform_check, table).values())
    _, calls, _ = _run(tmp_path, missing=" ".join(sorted(wanted)))
    assert calls[-1].startswith(f"sudo {INSTALL} ")
    assert set(calls[-1].removeprefix(f"sudo {INSTALL} ").split()) == wanted


def test_the_script_is_executable() -> None:
    assert os.access(SCRIPT, os.X_OK)


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [block.split("```", 1)[0].strip() for block in text.split("```bash\n")[1:3]]


def test_the_readmes_two_commands_install_the_system_packages_first() -> None:
    start, tests = _readme_commands()
    assert start.startswith("scripts/install-debian-deps.sh && python3 -m venv .venv && ")
    assert tests.startswith("scripts/install-debian-deps.sh --test && python3 -m venv .venv && ")


def test_ci_runs_the_readmes_test_command_verbatim() -> None:
    _, tests = _readme_commands()
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_the_test_command_type_checks_the_package_before_the_tests() -> None:
    _, tests = _readme_commands()
    assert tests.endswith(" && .venv/bin/ruff check . && .venv/bin/mypy && .venv/bin/python -m pytest")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(need.startswith("mypy") for need in project["project"]["optional-dependencies"]["test"])
    settings = project["tool"]["mypy"]
    assert settings["files"] == ["dispatch_desktop"]
    assert settings["check_untyped_defs"] and settings["warn_unused_ignores"]
