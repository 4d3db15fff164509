"""audit log: a key index derived from the entries (searched values' digests, disclosed record ids)

Revision ID: 0011_audit_keys
Revises: 0010_charts
Create Date: 2026-11-29 16:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_audit_keys'
down_revision = '0010_charts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_keys',
    sa.Column('key', sa.String(length=96), nullable=False),
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('key', 'seq', name=op.f('pk_audit_keys'))
    )
    op.create_table('audit_index_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indexed_upto', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_index_state'))
    )


def downgrade() -> None:
    op.drop_table('audit_index_state')
    op.drop_table('audit_keys')
