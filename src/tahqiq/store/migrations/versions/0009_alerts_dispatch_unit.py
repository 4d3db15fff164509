"""alerts: the unit or police station an alert was dispatched to

Revision ID: 0009_alerts_dispatch
Revises: 0008_sessions
Create Date: 2026-11-30 09:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_alerts_dispatch'
down_revision = '0008_sessions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('alert_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('alert_actions', schema=None) as batch_op:
        batch_op.drop_column('unit')
