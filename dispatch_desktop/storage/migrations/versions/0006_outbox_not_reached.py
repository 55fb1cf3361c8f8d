"""a partial index of the outbox rows that did not reach their person, for the bookings' unreached

Revision ID: 0006
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# storage/models.py NOT_REACHED_ROWS, as it was when this revision was written.
NOT_REACHED_ROWS = "status = 'failed' OR delivery IN ('failed', 'undelivered')"


def upgrade() -> None:
    op.create_index(
        "ix_outbox_not_reached",
        "outbox",
        ["booking_id"],
        unique=False,
        sqlite_where=sa.text(NOT_REACHED_ROWS),
        postgresql_where=sa.text(NOT_REACHED_ROWS),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_not_reached", table_name="outbox")
