"""The notifier runs in the command line and on worker threads: none of it may import Qt."""

import subprocess
import sys
import textwrap


def test_notifier_modules_import_with_pyside6_blocked() -> None:
    script = textwrap.dedent(
        """
        import importlib, pkgutil, sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "PySide6" or name.startswith("PySide6."):
                    raise ImportError("Qt is blocked: " + name)
        sys.meta_path.insert(0, Block())
        import dispatch_desktop.notify as notify
        names = ["dispatch_desktop.notify." + m.name for m in pkgutil.iter_modules(notify.__path__)]
        names += ["dispatch_desktop.services.outbox", "dispatch_desktop.storage.outbox", "dispatch_desktop.cli.commands.notifier"]
        for name in names:
            importlib.import_module(name)
        print(len(names))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 12
