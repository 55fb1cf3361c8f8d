"""notifier visibility: the environment a row was queued in, and notifier heartbeats

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dispatch_desktop.storage.types

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queued_environment', sa.String(length=16), nullable=True))
    # Rows from before the stamp: the environment that handled them, and production for rows
    # nobody touched yet, so a waiting customer notification is never logged away by development.
    op.execute(sa.text("UPDATE outbox SET queued_environment = COALESCE(environment, 'production')"))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('queued_environment', existing_type=sa.String(length=16), nullable=False)

    op.create_table('notifier_heartbeats',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('environment', sa.String(length=16), nullable=False),
    sa.Column('channels', sa.String(length=32), nullable=False),
    sa.Column('started_at', dispatch_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen', dispatch_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_delivery', dispatch_desktop.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifier_heartbeats'))
    )


def downgrade() -> None:
    op.drop_table('notifier_heartbeats')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('queued_environment')
