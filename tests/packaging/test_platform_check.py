"""Starting the window on a machine without Qt's system libraries: one error line, no core dump."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dispatch_desktop.ui.shell import platform_check
from dispatch_desktop.ui.shell.platform_check import missing_libraries, qt_platform

# Runs the real start path in a fresh interpreter with the library tables pointed at names that
# do not exist, then reports whether Qt's GUI module was ever imported.
START = """
import sys
from dispatch_desktop.ui.shell import platform_check
platform_check.QT_LIBRARIES = {"libc.so.6": "libc6"}
platform_check.XCB_LIBRARIES = {
    "libm.so.6": "libc6",
    "libdispatch-test-absent.so.7": "libdispatch-test-absent7",
    "libdispatch-test-gone.so.1": "libdispatch-test-gone1",
}
from dispatch_desktop.cli import main
code = main(sys.argv[1:])
print(code, "PySide6.QtGui" in sys.modules)
"""
GLIBC = re.compile(r"^(libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s)\.so|^ld-linux")

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's xcb platform is Linux's")


def _start(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    return subprocess.run(
        [sys.executable, "-c", START, "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**environment, **env},
    )


@linux_only
def test_missing_xcb_libraries_are_one_line_with_the_apt_command_before_qt_loads(tmp_path: Path) -> None:
    result = _start(tmp_path / "home", QT_QPA_PLATFORM="xcb", DISPLAY=":99")
    sudo = "" if os.geteuid() == 0 else "sudo "
    assert result.stderr == (
        "error: the console cannot start: Qt needs system libraries that are missing "
        "(libdispatch-test-absent.so.7, libdispatch-test-gone.so.1); on Debian/Ubuntu install them with: "
        f"{sudo}apt-get install libdispatch-test-absent7 libdispatch-test-gone1\n"
    )
    assert result.stdout == "5 False\n"  # exit 5, and Qt's GUI never loaded
    assert not (tmp_path / "home").exists()


@linux_only
def test_the_default_platform_on_x11_is_checked_too(tmp_path: Path) -> None:
    result = _start(tmp_path / "home", DISPLAY=":99")
    assert "libdispatch-test-absent7 libdispatch-test-gone1\n" in result.stderr
    assert result.stdout == "5 False\n"


@linux_only
def test_offscreen_needs_no_xcb_libraries(tmp_path: Path) -> None:
    result = _start(tmp_path / "home", "--self-check", QT_QPA_PLATFORM="offscreen")
    assert "libdispatch-test" not in result.stderr
    assert result.stdout.splitlines()[-2:] == ["result: ok", "0 True"]


@linux_only
def test_no_display_is_one_line_instead_of_qt_aborting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platform_check, "QT_LIBRARIES", {"libc.so.6": "libc6"})
    monkeypatch.setattr(platform_check, "XCB_LIBRARIES", {"libm.so.6": "libc6"})
    with pytest.raises(platform_check.PlatformUnavailableError) as caught:
        platform_check.check_platform({"QT_QPA_PLATFORM": "xcb"})
    assert str(caught.value) == (
        "no X display (DISPLAY is not set): start it in a desktop session; the command line works without one"
    )
    assert caught.value.exit_code == 5


@linux_only
def test_libraries_every_platform_needs_are_checked_offscreen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platform_check, "QT_LIBRARIES", {"libdispatch-test-egl.so.1": "libdispatch-egl1"})
    monkeypatch.setattr(platform_check, "XCB_LIBRARIES", {"libdispatch-test-xcb.so.1": "libdispatch-xcb1"})
    assert missing_libraries({"QT_QPA_PLATFORM": "offscreen"}) == {
        "libdispatch-test-egl.so.1": "libdispatch-egl1"
    }


@pytest.mark.parametrize(
    ("env", "platform"),
    [
        ({}, "xcb"),
        ({"QT_QPA_PLATFORM": "xcb:nograb"}, "xcb"),
        ({"QT_QPA_PLATFORM": "wayland;xcb"}, "wayland"),
        ({"QT_QPA_PLATFORM": " Offscreen "}, "offscreen"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "wayland"),
        ({"WAYLAND_DISPLAY": "wayland-0", "QT_QPA_PLATFORM": "xcb"}, "xcb"),
    ],
)
def test_which_platform_qt_tries_first(env: dict[str, str], platform: str) -> None:
    assert qt_platform(env) == platform


def _needed(library: Path) -> list[str]:
    dynamic = subprocess.run(["readelf", "-d", str(library)], capture_output=True, text=True, check=True)
    return re.findall(r"\(NEEDED\)\s+Shared library: \[(.+)\]", dynamic.stdout)


@linux_only
def test_the_tables_are_what_the_installed_pyside6_needs() -> None:
    if shutil.which("readelf") is None:
        pytest.skip("readelf (binutils) is not installed")
    spec = importlib.util.find_spec("PySide6")
    assert spec is not None and spec.submodule_search_locations
    pyside = Path(spec.submodule_search_locations[0])
    bundled = {path.name: path for path in (pyside / "Qt" / "lib").iterdir()}
    bundled |= {path.name: path for path in pyside.parent.glob("*/lib*.so*")}  # libpyside, libshiboken
    todo = [
        pyside / "Qt" / "plugins" / "platforms" / "libqxcb.so",
        *(pyside / f"Qt{module}.abi3.so" for module in ("Core", "Gui", "Widgets")),
    ]
    seen: set[Path] = set()
    system: set[str] = set()
    while todo:
        library = todo.pop()
        if library in seen:
            continue
        seen.add(library)
        for name in _needed(library):
            if name in bundled:
                todo.append(bundled[name])
            elif not GLIBC.match(name):
                system.add(name)
    assert system == set(platform_check.QT_LIBRARIES) | set(platform_check.XCB_LIBRARIES)
