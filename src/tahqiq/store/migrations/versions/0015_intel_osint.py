"""intel: OSINT event trends (counts by district, ISO week and theme, per dataset)

Revision ID: 0015_intel_osint
Revises: 0014_intel
Create Date: 2026-12-20 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_intel_osint'
down_revision = '0014_intel'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('osint_trends',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('dataset', sa.String(length=100), nullable=False),
    sa.Column('district', sa.String(length=100), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('theme', sa.String(length=64), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('fatalities', sa.Integer(), nullable=False),
    sa.Column('sources', sa.Integer(), nullable=False),
    sa.Column('placed', sa.Integer(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('batch', sa.Integer(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_osint_trends')),
    sa.UniqueConstraint('district', 'week', 'theme', 'dataset', name=op.f('uq_osint_trends_district'))
    )
    op.create_index(op.f('ix_osint_trends_dataset'), 'osint_trends', ['dataset'], unique=False)
    op.create_index(op.f('ix_osint_trends_week'), 'osint_trends', ['week'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_osint_trends_week'), table_name='osint_trends')
    op.drop_index(op.f('ix_osint_trends_dataset'), table_name='osint_trends')
    op.drop_table('osint_trends')
