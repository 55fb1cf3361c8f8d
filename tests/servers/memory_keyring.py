"""An in-memory keyring backend for tests: `keyring.set_keyring(MemoryKeyring())`.

Set `locked = True` to behave like a locked Secret Service collection whose unlock prompt was
refused (or could not be shown): every call raises KeyringLocked, as the real backend does.
"""

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}
        self.locked = False

    def _unlock(self) -> None:
        if self.locked:
            raise KeyringLocked("Failed to unlock the collection!")

    def get_password(self, service: str, username: str) -> str | None:
        self._unlock()
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._unlock()
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._unlock()
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError(f"no {username} stored for {service}")


class LockedKeyring(MemoryKeyring):
    """Locked from the start, for a subprocess: PYTHON_KEYRING_BACKEND=tests.servers.memory_keyring.LockedKeyring."""

    def __init__(self) -> None:
        super().__init__()
        self.locked = True
