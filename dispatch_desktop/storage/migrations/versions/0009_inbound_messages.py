"""inbound text messages (two-way SMS) and the booking's reschedule request flag

Revision ID: 0009
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dispatch_desktop.storage.types

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('inbound_messages',
    sa.Column('id', Id, nullable=False),
    sa.Column('sid', sa.String(length=64), nullable=False),
    sa.Column('from_phone', sa.String(length=32), nullable=False),
    sa.Column('to_phone', sa.String(length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('received_at', dispatch_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('customer_id', Id, nullable=True),
    sa.Column('agent_id', Id, nullable=True),
    sa.Column('booking_id', Id, nullable=True),
    sa.Column('action', sa.String(length=300), nullable=False),
    sa.Column('read', sa.Boolean(), nullable=False),
    sa.Column('created_at', dispatch_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_inbound_messages_agent_id_agents')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_inbound_messages_booking_id_bookings')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_inbound_messages_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_messages')),
    sa.UniqueConstraint('sid', name='uq_inbound_messages_sid')
    )
    op.create_index('ix_inbound_messages_from_received', 'inbound_messages', ['from_phone', 'received_at'], unique=False)
    op.create_index('ix_inbound_messages_read_received', 'inbound_messages', ['read', 'received_at'], unique=False)
    op.create_index('ix_inbound_messages_received_at', 'inbound_messages', ['received_at'], unique=False)
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reschedule_requested_at', dispatch_desktop.storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('reschedule_requested_at')
    op.drop_index('ix_inbound_messages_received_at', table_name='inbound_messages')
    op.drop_index('ix_inbound_messages_read_received', table_name='inbound_messages')
    op.drop_index('ix_inbound_messages_from_received', table_name='inbound_messages')
    op.drop_table('inbound_messages')
