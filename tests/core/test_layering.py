"""The domain, services, storage, notifier and CLI never import Qt; the console never imports storage or notify."""

import subprocess
import sys
import textwrap

QT_FREE = [
    "dispatch_desktop.domain.errors",
    "dispatch_desktop.domain.statuses",
    "dispatch_desktop.domain.roles",
    "dispatch_desktop.domain.validation",
    "dispatch_desktop.domain.team",
    "dispatch_desktop.storage.models",
    "dispatch_desktop.storage.engine",
    "dispatch_desktop.storage.schema",
    "dispatch_desktop.services.bookings",
    "dispatch_desktop.services.timeoff",
    "dispatch_desktop.services.operators",
    "dispatch_desktop.services.agents",
    "dispatch_desktop.services.team_settings",
    "dispatch_desktop.notify.notifier",
    "dispatch_desktop.notify.async_notifier",
    "dispatch_desktop.cli",
]


def test_core_imports_with_pyside6_blocked() -> None:
    script = textwrap.dedent(
        f"""
        import importlib, pkgutil, sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "PySide6" or name.startswith("PySide6."):
                    raise ImportError("Qt is blocked in the core: " + name)
        sys.meta_path.insert(0, Block())
        import dispatch_desktop.services as services
        names = {QT_FREE!r} + [
            "dispatch_desktop.services." + m.name for m in pkgutil.iter_modules(services.__path__)
        ]
        for name in names:
            importlib.import_module(name)
        print("imported", len(names))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("imported")


FORBIDDEN_IN_UI = ("dispatch_desktop.storage", "dispatch_desktop.notify", "sqlalchemy", "alembic")


def _ui_imports() -> dict[str, list[str]]:
    """Every module of ui/ and its sub-folders, with the names it imports (top level or inside functions)."""
    import ast
    from pathlib import Path

    import dispatch_desktop.ui as ui

    root = Path(ui.__path__[0])
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        names: list[str] = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.append(node.module)
        found[path.relative_to(root).as_posix()] = names
    return found


def test_ui_reaches_the_database_and_the_notifier_only_through_services() -> None:
    modules = _ui_imports()
    assert "shell/main_window.py" in modules  # the feature folders are read, not only ui/*.py
    offenders = [
        f"{path}: {name}"
        for path, names in modules.items()
        for name in names
        if name.startswith(FORBIDDEN_IN_UI)
    ]
    assert offenders == []


def test_ui_imports_its_panes_plainly() -> None:
    """Every pane exists: no importlib loader that hides a missing one (or a typo) until it is opened."""
    offenders = [
        f"{path}: {name}" for path, names in _ui_imports().items() for name in names if name == "importlib"
    ]
    assert offenders == []
