"""Persistence: ORM models, engine, migrations and the notification outbox."""
