"""The domain, services, storage, notifier and CLI never import Qt; the CLI imports services only;
the console never imports storage or notify."""

import ast
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


# The command line is a thin shell: services, domain types and config only.
CLI_MAY_IMPORT = ("dispatch_desktop.services", "dispatch_desktop.domain", "dispatch_desktop.config")
# `dispatch-desktop` with no command, --demo or --self-check opens the Qt console, lazily, from here.
CLI_CONSOLE_START = ("console.py", "dispatch_desktop.ui")


def _project_imports(source: str, package: str) -> list[str]:
    """Every dispatch_desktop module a source imports, at the top or inside a function."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            # `from dispatch_desktop import storage` imports a module too; `__version__` does not.
            found += [f"{base}.{alias.name}" if base == "dispatch_desktop" else base for alias in node.names]
    return [name for name in found if name.split(".")[0] == "dispatch_desktop"]


def _cli_offenders(relative: str, source: str, package: str) -> list[str]:
    allowed = (*CLI_MAY_IMPORT, "dispatch_desktop.cli", "dispatch_desktop.__version__")
    if relative == CLI_CONSOLE_START[0]:
        allowed = (*allowed, CLI_CONSOLE_START[1])
    return [
        f"{relative}: {name}"
        for name in _project_imports(source, package)
        if not any(name == ok or name.startswith(ok + ".") for ok in allowed)
    ]


def test_the_cli_imports_only_services_domain_and_config() -> None:
    from pathlib import Path

    import dispatch_desktop.cli as cli

    root = Path(cli.__path__[0])
    modules = sorted(root.rglob("*.py"))
    assert len(modules) > 10 and (root / "commands" / "booking.py") in modules  # sub-folders too
    offenders = []
    for path in modules:
        relative = path.relative_to(root).as_posix()
        package = ".".join(["dispatch_desktop", "cli", *path.relative_to(root).parent.parts])
        offenders += _cli_offenders(relative, path.read_text(encoding="utf-8"), package)
    assert offenders == []
    # The check itself sees what it must refuse, lazy imports included.
    sneaky = "def f():\n    from dispatch_desktop.storage.engine import Database\nfrom dispatch_desktop import notify\n"
    assert sorted(_cli_offenders("commands/db.py", sneaky, "dispatch_desktop.cli.commands")) == [
        "commands/db.py: dispatch_desktop.notify",
        "commands/db.py: dispatch_desktop.storage.engine",
    ]
    assert _cli_offenders("commands/db.py", "from dispatch_desktop.ui import app\n", "x") != []
    assert _cli_offenders("console.py", "from dispatch_desktop.ui.shell.app import run_console\n", "x") == []


def _runtime_nodes(tree: "ast.Module") -> "list[ast.AST]":
    """Every node but those under `if TYPE_CHECKING:`, which only type checkers import."""
    hidden = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for statement in node.body
        for inner in ast.walk(statement)
    }
    return [node for node in ast.walk(tree) if id(node) not in hidden]


def _import_graph() -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports (anywhere in its file)."""
    from pathlib import Path

    import dispatch_desktop

    root = Path(dispatch_desktop.__path__[0])
    modules = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base])
                    base = base.rstrip(".")
                # `from package import module` imports the module, not only the package.
                targets.update(
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                )
        graph[name] = {target for target in targets if target in modules and target != name}
    return graph


def test_no_module_of_the_package_imports_in_a_circle() -> None:
    graph = _import_graph()
    assert "dispatch_desktop.notify.notifier" in graph
    cycles: list[list[str]] = []
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycles.append([*path[path.index(name) :], name])
            return
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    assert [" -> ".join(cycle) for cycle in cycles] == []


def test_the_notifier_is_infrastructure_and_imports_no_layer_above_it() -> None:
    """Who is told what is the services' (services/notices.py); notify never calls back up."""
    above = ("dispatch_desktop.services", "dispatch_desktop.ui", "dispatch_desktop.cli")
    graph = _import_graph()
    offenders = sorted(
        f"{name} -> {target}"
        for name, targets in graph.items()
        if name.startswith("dispatch_desktop.notify")
        for target in targets
        if target.startswith(above)
    )
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
