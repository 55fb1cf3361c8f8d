"""The wheel (what pip, pipx and a plain `pip install .` get) carries the code and every resource."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dispatch_desktop.notify import templates

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "README.md", "dispatch_desktop", "resources")
SAMPLE = {
    "recipient_name": "Åsa",
    "sender_name": "Bo",
    "when": "09:00",
    "timezone": "UTC",
    "company_line": "",
}


def _shipped(folder: Path) -> set[str]:
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A copy of the tree: setuptools' build/ folder in a checkout may hold files deleted since.
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
        timeout=300,
    )
    (built,) = out.glob("dispatch_desktop-*.whl")
    return built


def test_the_wheel_carries_templates_icons_desktop_entry_and_systemd_unit(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    resources = {f"dispatch_desktop/resources/{name}" for name in _shipped(ROOT / "resources")}
    assert resources - names == set()
    for expected in (
        "dispatch_desktop/resources/templates/customer_confirmation/email.html",
        "dispatch_desktop/resources/templates/_booking.txt",
        "dispatch_desktop/resources/templates/es/customer_confirmation/sms.txt",
        "dispatch_desktop/resources/templates/es/_booking.txt",
        "dispatch_desktop/resources/icons/dispatch-desktop-256.png",
        "dispatch_desktop/resources/icons/dispatch-desktop.svg",
        "dispatch_desktop/resources/dispatch-desktop.desktop",
        "dispatch_desktop/resources/systemd/dispatch-notifier.service",
    ):
        assert expected in names


def test_the_wheel_carries_every_module_and_migration(wheel: Path) -> None:
    # pyproject.toml lists the packages by name: a new subpackage left out of it fails here
    names = set(zipfile.ZipFile(wheel).namelist())
    code = {f"dispatch_desktop/{name}" for name in _shipped(ROOT / "dispatch_desktop")}
    assert code - names == set()


def test_an_installed_wheel_reads_its_templates_and_icons_through_the_package(
    wheel: Path, tmp_path: Path
) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
    )
    probe = (
        "import json, sys; sys.path.insert(0, sys.argv[1]);"
        "from dispatch_desktop.config import resources;"
        "from dispatch_desktop.notify import templates;"
        "print(templates.compile_all());"
        "from dispatch_desktop.notify import languages; print(languages.offered());"
        "print(templates.render('test_message', **json.loads(sys.argv[2])).text.encode());"
        "print(resources().joinpath('icons', 'dispatch-desktop-256.png').read_bytes()[:4]);"
        "print(resources());"
        "from dispatch_desktop.ui.shell.app import ICON_SIZES, make_application;"
        "sizes = make_application().windowIcon().availableSizes();"
        "print(sorted(size.width() for size in sizes) == sorted(ICON_SIZES))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(target), json.dumps(SAMPLE)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONSAFEPATH": "1", "QT_QPA_PLATFORM": "offscreen"},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    count = sum(1 for _ in (ROOT / "resources" / "templates").rglob("*.*"))
    assert result.stdout.splitlines() == [
        str(count),
        "('en', 'es')",  # Spanish found in the installed package
        str(templates.render("test_message", **SAMPLE).text.encode()),  # as the checkout renders it
        "b'\\x89PNG'",
        str(target / "dispatch_desktop" / "resources"),
        "True",  # the window icon in every size, from the installed package
    ]
