"""networks: the stored scam campaigns (the latest clustering of the complaints)

Revision ID: 0013_networks_campaigns
Revises: 0012_signin_throttle
Create Date: 2026-12-06 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_networks_campaigns'
down_revision = '0012_signin_throttle'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('network_campaigns',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('complaints', sa.Integer(), nullable=False),
    sa.Column('first_time', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_time', sa.DateTime(timezone=True), nullable=True),
    sa.Column('total_lost', sa.Float(), nullable=False),
    sa.Column('district_keys', sa.Text(), nullable=False),
    sa.Column('phones', sa.Integer(), nullable=False),
    sa.Column('ibans', sa.Integer(), nullable=False),
    sa.Column('wallets', sa.Integer(), nullable=False),
    sa.Column('domains', sa.Integer(), nullable=False),
    sa.Column('devices', sa.Integer(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('run_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_campaigns'))
    )
    op.create_index(op.f('ix_network_campaigns_complaints'), 'network_campaigns', ['complaints'], unique=False)
    op.create_index(op.f('ix_network_campaigns_last_time'), 'network_campaigns', ['last_time'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_network_campaigns_last_time'), table_name='network_campaigns')
    op.drop_index(op.f('ix_network_campaigns_complaints'), table_name='network_campaigns')
    op.drop_table('network_campaigns')
