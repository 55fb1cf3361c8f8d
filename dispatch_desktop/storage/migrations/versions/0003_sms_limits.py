"""outbox.queued_by and the indexes the SMS caps count with

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queued_by', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_outbox_recipient_created', ['recipient', 'created_at'], unique=False)
        batch_op.create_index('ix_outbox_queued_by_created', ['queued_by', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_queued_by_created')
        batch_op.drop_index('ix_outbox_recipient_created')
        batch_op.drop_column('queued_by')
