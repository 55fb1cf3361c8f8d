"""ARCHITECTURE.md stays true: the layers it names keep their rules, and its code map covers the tree."""

import ast
import re
from pathlib import Path

import dispatch_desktop

PACKAGE = Path(dispatch_desktop.__path__[0])
ARCHITECTURE = (PACKAGE.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
LONG_FILE = 400


def _project_imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            names.append(".")  # relative: inside its own package
    return [name for name in names if name.startswith("dispatch_desktop")]


def test_domain_imports_nothing_of_the_project() -> None:
    offenders = [
        f"{path.name}: {name}"
        for path in sorted((PACKAGE / "domain").glob("*.py"))
        for name in _project_imports(path)
        if not name.startswith("dispatch_desktop.domain")
    ]
    assert offenders == []


def test_every_folder_of_the_package_is_in_the_code_map() -> None:
    folders = sorted(
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("__init__.py")
        if "migrations" not in path.parts and path.parent != PACKAGE
    )
    assert len(folders) > 10
    missing = [
        folder
        for folder in (path.removesuffix("/__init__.py") for path in folders)
        if f"`{folder.split('/')[-1]}/`" not in ARCHITECTURE
        and f"`dispatch_desktop/{folder}/`" not in ARCHITECTURE
    ]
    assert missing == []


def test_every_file_over_400_lines_is_named_with_its_reason() -> None:
    long_files = [
        path.relative_to(PACKAGE).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts and len(path.read_text(encoding="utf-8").splitlines()) > LONG_FILE
    ]
    unexplained = [
        name for name in long_files if f"`{name.split('/')[-1]}` is over 400 lines" not in ARCHITECTURE
    ]
    assert unexplained == []
    stale = [
        name
        for name in re.findall(r"`([a-z_]+\.py)` is over 400 lines", ARCHITECTURE)
        if not any(long.split("/")[-1] == name for long in long_files)
    ]
    assert stale == [], "ARCHITECTURE.md says these files are over 400 lines; they are not any more"


def _code_map_section(module: Path) -> str:
    """The code map's text for a module's top-level folder; the whole file for a top-level module."""
    parts = module.relative_to(PACKAGE).parts
    if len(parts) == 1:
        return ARCHITECTURE
    heading = f"### `dispatch_desktop/{parts[0]}/`\n"
    start = ARCHITECTURE.index(heading)
    following = re.search(r"^##", ARCHITECTURE[start + len(heading) :], re.MULTILINE)
    return (
        ARCHITECTURE[start : start + len(heading) + following.start()] if following else ARCHITECTURE[start:]
    )


def test_every_module_of_the_package_is_in_the_code_map() -> None:
    modules = [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.relative_to(PACKAGE).parts and path.name != "__init__.py"
    ]
    assert len(modules) > 100
    missing = [
        path.relative_to(PACKAGE).as_posix()
        for path in modules
        if not re.search(rf"[`/]{re.escape(path.name)}", _code_map_section(path))
    ]
    assert missing == []


def test_every_test_the_architecture_names_exists() -> None:
    root = PACKAGE.parent
    unresolved: list[str] = []
    named_file: str | None = None
    for match in re.finditer(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`", ARCHITECTURE):
        file, test = match.groups()
        named_file = file or named_file
        if file and not (root / file).is_file():
            unresolved.append(file)
        elif test and (
            named_file is None or not re.search(rf"def {test}\(", (root / named_file).read_text("utf-8"))
        ):
            unresolved.append(f"{named_file}::{test}")
    assert len(re.findall(r"::\w+`", ARCHITECTURE)) > 40
    assert unresolved == []
