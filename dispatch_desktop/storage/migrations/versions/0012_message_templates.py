"""message templates: a supervisor's text of a message part per language, over the shipped files

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dispatch_desktop.storage.types

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('message_templates',
    sa.Column('id', Id, nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('part', sa.String(length=8), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', dispatch_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_templates')),
    sa.UniqueConstraint('kind', 'part', 'language', name='uq_message_templates_kind_part_language')
    )


def downgrade() -> None:
    op.drop_table('message_templates')
