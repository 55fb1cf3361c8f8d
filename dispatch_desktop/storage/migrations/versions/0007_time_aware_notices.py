"""time-aware notices: why a row is held, and which newer row superseded it

Revision ID: 0007
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hold_reason', sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column('superseded_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('superseded_by')
        batch_op.drop_column('hold_reason')
