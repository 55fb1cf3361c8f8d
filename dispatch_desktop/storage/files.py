"""This workstation's files readable by its OS account alone: on SQLite that account is the boundary.

The home and logs folders are created 0700; the database (SQLite gives its -wal and -shm files
the database file's mode), config.toml, the log files and backups are created 0600 and stay so
when rewritten. `exposed` names what another user could read or change anyway.
"""

import os
import stat
from pathlib import Path

from dispatch_desktop.domain.errors import ValidationError

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def private_folder(path: Path) -> Path:
    """Create `path` (0700) and its missing parents (as usual) unless it exists; a file there raises."""
    created = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
    if created:
        os.chmod(path, PRIVATE_FOLDER)  # mkdir's mode is masked by the umask; this is exact
    return path


def private_file(path: Path) -> Path:
    """Create an empty `path` 0600 unless it exists (whatever opens it next keeps the mode)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE)
    os.close(fd)
    return path


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` (created or truncated) as a 0600 file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        if hasattr(os, "fchmod"):
            os.fchmod(handle.fileno(), PRIVATE_FILE)  # an existing file keeps its old mode otherwise
        handle.write(text)


def _mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None


def exposed(home: Path, files: list[Path]) -> list[str]:
    """Warnings for a home other users may change and for files other users may read."""
    if os.name != "posix":
        return []
    warnings = []
    mode = _mode(home)
    if mode is not None and mode & 0o022:
        warnings.append(
            f"the home folder {home} can be changed by other users (mode {mode:04o}): chmod 700 {home}"
        )
    for path in files:
        mode = _mode(path)
        if mode is not None and mode & 0o077:
            warnings.append(f"{path} can be read by other users (mode {mode:04o}): chmod 600 {path}")
    return warnings


def check_local_path(path: Path, what: str, *, folder: bool) -> None:
    """Refuse, as invalid input, a path the program could never use: too long, under a file, wrong kind."""
    try:
        path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ValidationError(f"{what} {str(path)!r}: {exc.strerror}") from None
    except ValueError:  # a NUL character, which no file name can hold
        raise ValidationError(f"{what} {str(path)!r} contains a NUL character") from None
    wanted, found = ("a folder", "a file") if folder else ("a file", "a folder")
    if path.is_dir() != folder:
        raise ValidationError(f"{what} {str(path)!r} is {found}, not {wanted}")
