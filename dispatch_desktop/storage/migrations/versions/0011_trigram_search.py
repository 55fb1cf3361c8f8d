"""trigram indexes for the bookings table's text filter on PostgreSQL

Revision ID: 0011
Revises: 0004

The filter (services/bookings._text_match) looks for a fragment anywhere in the customer's name
and phone, the address and the service. A B-tree cannot serve `ILIKE '%text%'`; pg_trgm's GIN
indexes can, so PostgreSQL combines them with the customer-id index instead of reading every
booking. SQLite has no such index and is left as it is. pg_trgm is a trusted extension
(PostgreSQL 13+): the database owner may create it. It goes into `public`, which every
workstation's search path includes, never into a team's own schema: dropping that schema would
take the extension, and every other schema's indexes on it, with it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ('ix_bookings_address_trgm', 'bookings', 'address'),
    ('ix_bookings_service_trgm', 'bookings', 'service'),
    ('ix_customers_name_trgm', 'customers', 'name'),
    ('ix_customers_phone_trgm', 'customers', 'phone'),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public')
    for name, table, column in INDEXES:
        op.create_index(
            name, table, [column], postgresql_using='gin', postgresql_ops={column: 'gin_trgm_ops'}
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)
