"""signed-out browser sessions, kept in the store

Revision ID: 0008_sessions
Revises: 0007_merge
Create Date: 2026-11-29 04:10:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_sessions'
down_revision = '0007_merge'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ended_sessions',
    sa.Column('session_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('session_id', name=op.f('pk_ended_sessions'))
    )
    with op.batch_alter_table('ended_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ended_sessions_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ended_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ended_sessions_expires_at'))
    op.drop_table('ended_sessions')
