"""What every pane of the console is built with."""

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import QWidget

from dispatch_desktop.config import Config
from dispatch_desktop.domain.roles import Permission, can
from dispatch_desktop.services.context import Actor, ServiceContext
from dispatch_desktop.ui.kit.operations import Operations


@dataclass
class ConsoleContext:
    """The acting operator's services, the background runner, and this workstation's config.

    Panes call `ctx` only from work handed to `ops.run(...)`, never on the UI thread,
    and listen to `ops.changed` to refresh themselves.
    """

    ctx: ServiceContext
    ops: Operations
    home: Path
    config: Config
    actor: Actor
    # The one open window per thing (a booking's form), so a second request focuses it.
    open_windows: dict[tuple[str, int], QWidget] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.use_config(self.config)

    def use_config(self, config: Config) -> None:
        """This workstation's config from now on, also for the environment its changes are stamped with."""
        self.config = config
        self.ctx.config = config

    def can(self, permission: Permission) -> bool:
        return can(self.actor.role, permission)
