"""The domain, services, storage, notifier and CLI never import Qt."""

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


def test_ui_reaches_the_database_only_through_services() -> None:
    from pathlib import Path

    import dispatch_desktop.ui as ui

    offenders = [
        f"{path.name}: {line.strip()}"
        for path in Path(ui.__path__[0]).glob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith(("import ", "from "))
        and ("dispatch_desktop.storage" in line or "sqlalchemy" in line)
    ]
    assert offenders == []


def test_only_storage_outbox_touches_the_outbox_tables() -> None:
    """The outbox and sms_suppressions tables are read and written in storage/outbox/ alone."""
    import re
    from pathlib import Path

    import dispatch_desktop

    root = Path(dispatch_desktop.__path__[0])
    owners = [root / "storage" / "outbox", root / "storage" / "migrations"]
    named = re.compile(
        r"\b(OutboxMessage|SmsSuppression|sms_suppressions)\b"  # the models, the other table's name
        r"|\b(FROM|INTO|UPDATE|JOIN|TABLE)\s+[\"`]?outbox\b"  # SQL text on the outbox
        r"|(?i:\btables?\s*[\[(]\s*[\"']outbox[\"'])"  # sqlalchemy's table("outbox"), metadata.tables["outbox"]
    )
    offenders = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for path in sorted(root.rglob("*.py"))
        if path != root / "storage" / "models.py" and not any(owner in path.parents for owner in owners)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if named.search(line)
    ]
    assert offenders == []
