"""intel: threat-intelligence indicators, kept STIX/MISP objects, import batches, quarantine, case links

Revision ID: 0014_intel
Revises: 0013_networks_campaigns
Create Date: 2026-12-20 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_intel'
down_revision = '0013_networks_campaigns'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('intel_batches',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=128), nullable=False),
    sa.Column('input_name', sa.Text(), nullable=False),
    sa.Column('input_sha256', sa.String(length=64), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('started', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intel_batches')),
    sa.UniqueConstraint('source', 'input_sha256', name='uq_intel_batches_source_sha256')
    )
    op.create_table('intel_case_indicators',
    sa.Column('case_ref', sa.String(length=64), nullable=False),
    sa.Column('indicator_id', sa.String(length=128), nullable=False),
    sa.Column('added_by', sa.String(length=64), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('case_ref', 'indicator_id', name=op.f('pk_intel_case_indicators'))
    )
    op.create_table('intel_indicators',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('pattern', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.Column('confidence', sa.Integer(), nullable=False),
    sa.Column('tlp', sa.String(length=16), nullable=False),
    sa.Column('owner_agency', sa.String(length=64), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=128), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('created', sa.DateTime(timezone=True), nullable=True),
    sa.Column('modified', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_batch', sa.Integer(), nullable=False),
    sa.Column('last_batch', sa.Integer(), nullable=False),
    sa.Column('false_positive', sa.Boolean(), nullable=False),
    sa.Column('fp_reason', sa.Text(), nullable=True),
    sa.Column('fp_by', sa.String(length=64), nullable=True),
    sa.Column('fp_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intel_indicators'))
    )
    op.create_index('ix_intel_indicators_kind_value', 'intel_indicators', ['kind', 'value'], unique=False)
    op.create_index(op.f('ix_intel_indicators_source'), 'intel_indicators', ['source'], unique=False)
    op.create_index(op.f('ix_intel_indicators_valid_until'), 'intel_indicators', ['valid_until'], unique=False)
    op.create_table('intel_objects',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('tlp', sa.String(length=16), nullable=False),
    sa.Column('owner_agency', sa.String(length=64), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=128), nullable=False),
    sa.Column('source_ref', sa.String(length=128), nullable=False),
    sa.Column('target_ref', sa.String(length=128), nullable=False),
    sa.Column('batch', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intel_objects'))
    )
    op.create_index(op.f('ix_intel_objects_source_ref'), 'intel_objects', ['source_ref'], unique=False)
    op.create_index(op.f('ix_intel_objects_target_ref'), 'intel_objects', ['target_ref'], unique=False)
    op.create_index(op.f('ix_intel_objects_type'), 'intel_objects', ['type'], unique=False)
    op.create_table('intel_quarantine',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('batch', sa.Integer(), nullable=False),
    sa.Column('ref', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('raw', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intel_quarantine'))
    )
    op.create_index(op.f('ix_intel_quarantine_batch'), 'intel_quarantine', ['batch'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_intel_quarantine_batch'), table_name='intel_quarantine')
    op.drop_table('intel_quarantine')
    op.drop_index(op.f('ix_intel_objects_type'), table_name='intel_objects')
    op.drop_index(op.f('ix_intel_objects_target_ref'), table_name='intel_objects')
    op.drop_index(op.f('ix_intel_objects_source_ref'), table_name='intel_objects')
    op.drop_table('intel_objects')
    op.drop_index(op.f('ix_intel_indicators_valid_until'), table_name='intel_indicators')
    op.drop_index(op.f('ix_intel_indicators_source'), table_name='intel_indicators')
    op.drop_index('ix_intel_indicators_kind_value', table_name='intel_indicators')
    op.drop_table('intel_indicators')
    op.drop_table('intel_case_indicators')
    op.drop_table('intel_batches')
