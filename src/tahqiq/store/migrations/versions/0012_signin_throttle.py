"""sign-in throttling: failed sign-ins per account and per address, and their locks

Revision ID: 0012_signin_throttle
Revises: 0011_audit_keys
Create Date: 2026-11-29 19:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_signin_throttle'
down_revision = '0011_audit_keys'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signin_throttle',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lockouts', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_signin_throttle'))
    )
    op.create_index(op.f('ix_signin_throttle_updated_at'), 'signin_throttle', ['updated_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_signin_throttle_updated_at'), table_name='signin_throttle')
    op.drop_table('signin_throttle')
