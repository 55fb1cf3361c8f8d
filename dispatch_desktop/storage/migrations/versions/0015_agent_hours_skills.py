"""agents' working hours per weekday, their skills, and the skill each service needs

Revision ID: 0015
Revises: 0014

No rows are written: an agent without hours works the team's day, Monday to Friday, and a
service without a row needs no skill, so nothing warns differently until someone sets them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('agent_hours',
    sa.Column('id', Id, nullable=False),
    sa.Column('agent_id', Id, nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('starts', sa.String(length=5), nullable=False),
    sa.Column('ends', sa.String(length=5), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_agent_hours_agent_id_agents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_hours'))
    )
    op.create_index(op.f('ix_agent_hours_agent_id'), 'agent_hours', ['agent_id'], unique=False)
    op.create_table('agent_skills',
    sa.Column('agent_id', Id, nullable=False),
    sa.Column('skill', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_agent_skills_agent_id_agents')),
    sa.PrimaryKeyConstraint('agent_id', 'skill', name=op.f('pk_agent_skills'))
    )
    op.create_table('service_skills',
    sa.Column('service', sa.String(length=200), nullable=False),
    sa.Column('skill', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('service', name=op.f('pk_service_skills'))
    )


def downgrade() -> None:
    op.drop_table('service_skills')
    op.drop_table('agent_skills')
    op.drop_index(op.f('ix_agent_hours_agent_id'), table_name='agent_hours')
    op.drop_table('agent_hours')
