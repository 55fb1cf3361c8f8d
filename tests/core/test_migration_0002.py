"""Migration 0002 on a database with outbox rows from before it, and the models kept in step."""

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from dispatch_desktop.storage import schema
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import Base

ROW = (
    "INSERT INTO outbox (dedupe_key, event, channel, recipient, recipient_kind, body, status, attempts, "
    "next_attempt_at, environment, created_at, updated_at) VALUES (:key, 'booking_created', 'sms', "
    "'+13125550199', 'customer', 'hi', :status, 0, :now, :environment, :now, :now)"
)


@pytest.fixture
def old_db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    config = schema._config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    yield database
    database.dispose()


def test_rows_from_before_keep_their_environment_and_untouched_ones_become_production(
    old_db: Database,
) -> None:
    with old_db.engine.begin() as connection:
        for key, status, environment in (
            ("waiting", "queued", None),
            ("logged", "logged", "development"),
            ("held", "retry", "production"),
        ):
            connection.execute(
                text(ROW),
                {"key": key, "status": status, "environment": environment, "now": "2026-11-30 10:00:00"},
            )
    schema.upgrade(old_db)
    with old_db.engine.connect() as connection:
        stamped = dict(connection.execute(text("SELECT dedupe_key, queued_environment FROM outbox")).all())
    assert stamped == {"waiting": "production", "logged": "development", "held": "production"}


def test_the_migrated_schema_matches_the_models(old_db: Database) -> None:
    schema.upgrade(old_db)
    with old_db.engine.connect() as connection:
        dialect = connection.dialect.name

        def on_this_dialect(
            item: object, _name: object, _kind: object, _reflected: object, _to: object
        ) -> bool:
            """A model index made for one dialect only (`ddl_if`, e.g. 0011's trigram indexes)
            is compared only on that dialect, as only there it is created."""
            only = getattr(item, "_ddl_if", None)
            return only is None or only.dialect in (None, dialect)

        context = MigrationContext.configure(connection, opts={"include_object": on_this_dialect})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
