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


def _import_graph() -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports (anywhere in its file)."""
    import ast
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
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
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
