"""What a command works with: home folder, config, database and the acting operator."""

import argparse
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from dispatch_desktop.cli import args as cli_args
from dispatch_desktop.cli import output
from dispatch_desktop.config import Config, load_config, resolve_home
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.services import workstation
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.display import phone_for_display


class App:
    """Opened lazily: a command that needs no database never connects to one."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.home: Path = resolve_home(args.home)
        self.json: bool = getattr(args, "json", False)

    @cached_property
    def config(self) -> Config:
        return load_config(self.home)

    @cached_property
    def connection(self) -> ServiceContext:
        """The database as it is, for the db commands that check, change or copy its schema."""
        read_only = cli_args.is_read_only(self.args.func)
        return workstation.connect(
            self.home, self.config, self.args.database_url, self.args.operator, read_only=read_only
        )

    @property
    def db(self) -> Any:
        return self.connection.db

    @cached_property
    def ctx(self) -> ServiceContext:
        """The database made ready for this program (see workstation.make_ready)."""
        workstation.make_ready(self.connection)
        return self.connection

    @cached_property
    def team(self) -> TeamSettings:
        return self.ctx.team_settings()

    def close(self) -> None:
        if "connection" in self.__dict__:
            workstation.close_workstation(self.connection)

    def emit(self, payload: Any, text: str) -> None:
        output.emit(self.json, payload, text)

    def local(self, moment: datetime | None) -> str:
        return self.team.local(moment) if moment else "-"

    def phone(self, e164: str | None) -> str:
        """A stored number as people read it: national for the team's region (an email passes)."""
        return phone_for_display(e164, self.team.region) if e164 else "-"


Handler = Callable[[App, argparse.Namespace], int]
