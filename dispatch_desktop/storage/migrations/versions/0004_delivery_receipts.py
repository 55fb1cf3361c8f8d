"""delivery receipts on outbox rows, and the lease that elects one provider-sync leader

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dispatch_desktop.storage.types

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_at', dispatch_desktop.storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('delivery', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('delivery_error_code', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('delivery_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('delivery_checked_at', dispatch_desktop.storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_outbox_delivery_sent', ['channel', 'status', 'delivery', 'sent_at'], unique=False)
    # Texts sent before receipts existed: their send time is the time they were recorded.
    op.execute(sa.text("UPDATE outbox SET sent_at = updated_at WHERE status = 'sent'"))

    op.create_table('leases',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('expires_at', dispatch_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_leases'))
    )


def downgrade() -> None:
    op.drop_table('leases')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_delivery_sent')
        batch_op.drop_column('delivery_checked_at')
        batch_op.drop_column('delivery_reason')
        batch_op.drop_column('delivery_error_code')
        batch_op.drop_column('delivery')
        batch_op.drop_column('sent_at')
