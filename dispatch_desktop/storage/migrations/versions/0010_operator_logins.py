"""operators as database logins: operators.login, and the memory that the team once had operators

Revision ID: 0010
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('operators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('login', sa.String(length=63), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_operators_login'), ['login'])
    # A team that has operators never falls back to the fresh-install bootstrap, even when
    # every operator row is later deleted (storage/roles.HAD_OPERATORS).
    op.execute(
        sa.text(
            "INSERT INTO settings (key, value) SELECT 'had_operators', '1'"
            " WHERE EXISTS (SELECT 1 FROM operators)"
            " AND NOT EXISTS (SELECT 1 FROM settings WHERE key = 'had_operators')"
        )
    )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM settings WHERE key = 'had_operators'"))
    with op.batch_alter_table('operators', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_operators_login'), type_='unique')
        batch_op.drop_column('login')
