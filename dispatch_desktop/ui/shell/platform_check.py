"""Before Qt loads: the system libraries Qt and its xcb platform plugin need, and a display.

Without them Qt aborts the process (a core dump), and its message may blame a library that is
installed. This module imports no Qt. The tables are the NEEDED entries of PySide6's libQt6Core,
libQt6Gui, libQt6DBus, libQt6Widgets (any platform) and libQt6XcbQpa, libqxcb.so (xcb), outside
what the PySide6 wheel bundles; tests/packaging/test_platform_check.py re-reads them from the
installed PySide6, and scripts/install-debian-deps.sh installs the same packages.
"""

import ctypes
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from dispatch_desktop.domain.errors import DispatchError

# soname -> the Debian/Ubuntu package that ships it (apt picks the t64 variant on newer releases)
QT_LIBRARIES: dict[str, str] = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libX11.so.6": "libx11-6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libz.so.1": "zlib1g",
    "libzstd.so.1": "libzstd1",
}
XCB_LIBRARIES: dict[str, str] = {
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


class PlatformUnavailableError(DispatchError):
    """The window cannot be shown on this machine: system libraries or the display are missing."""

    exit_code = 5


def qt_platform(env: Mapping[str, str]) -> str:
    """The platform plugin Qt tries first: QT_QPA_PLATFORM ('xcb:arg', 'wayland;xcb'), else its default."""
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip().lower()
    if chosen:
        return chosen
    return "wayland" if env.get("WAYLAND_DISPLAY") else "xcb"


def _loadable(soname: str) -> bool:
    bundle = getattr(sys, "_MEIPASS", None)  # PyInstaller may carry some of them next to the program
    if bundle and (Path(bundle) / soname).exists():
        return True
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_libraries(env: Mapping[str, str]) -> dict[str, str]:
    """The needed sonames that cannot be loaded, each with its Debian package (empty off Linux)."""
    if not sys.platform.startswith("linux"):
        return {}
    wanted = QT_LIBRARIES | (XCB_LIBRARIES if qt_platform(env) == "xcb" else {})
    return {soname: package for soname, package in wanted.items() if not _loadable(soname)}


def check_platform(env: Mapping[str, str] = os.environ) -> None:
    missing = missing_libraries(env)
    if missing:
        packages = " ".join(dict.fromkeys(missing.values()))
        sudo = "" if os.geteuid() == 0 else "sudo "
        raise PlatformUnavailableError(
            f"Qt needs system libraries that are missing ({', '.join(missing)}); "
            f"on Debian/Ubuntu install them with: {sudo}apt-get install {packages}"
        )
    if sys.platform.startswith("linux") and qt_platform(env) == "xcb" and not env.get("DISPLAY"):
        raise PlatformUnavailableError(
            "no X display (DISPLAY is not set): start it in a desktop session; "
            "the command line works without one"
        )
