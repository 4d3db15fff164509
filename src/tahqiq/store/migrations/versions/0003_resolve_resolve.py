"""resolve: resolution runs, resolved entities, scored links, analysts' decisions

Revision ID: 0003_resolve
Revises: 0002_govern
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_resolve'
down_revision = '0002_govern'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('resolution_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('schema', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('backend', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('clusters', sa.Integer(), nullable=False),
    sa.Column('link_threshold', sa.Float(), nullable=False),
    sa.Column('model', sa.JSON(), nullable=False),
    sa.Column('stats', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resolution_runs'))
    )
    op.create_table('resolution_decisions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('left_id', sa.String(length=32), nullable=False),
    sa.Column('right_id', sa.String(length=32), nullable=False),
    sa.Column('decision', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('case_ref', sa.String(length=64), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('audit_seq', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resolution_decisions'))
    )
    op.create_index(op.f('ix_resolution_decisions_left_id'), 'resolution_decisions', ['left_id'], unique=False)
    op.create_index(op.f('ix_resolution_decisions_right_id'), 'resolution_decisions', ['right_id'], unique=False)
    op.create_table('match_links',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('left_id', sa.String(length=32), nullable=False),
    sa.Column('right_id', sa.String(length=32), nullable=False),
    sa.Column('match_weight', sa.Float(), nullable=False),
    sa.Column('match_probability', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['resolution_runs.id'], name=op.f('fk_match_links_run_id_resolution_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_links')),
    sa.UniqueConstraint('left_id', 'right_id', name=op.f('uq_match_links_left_id'))
    )
    op.create_index('ix_match_links_right', 'match_links', ['right_id'], unique=False)
    op.create_index(op.f('ix_match_links_run_id'), 'match_links', ['run_id'], unique=False)
    op.create_index(op.f('ix_match_links_status'), 'match_links', ['status'], unique=False)
    op.create_table('resolved_entities',
    sa.Column('entity_id', sa.String(length=32), nullable=False),
    sa.Column('cluster_id', sa.String(length=32), nullable=False),
    sa.Column('schema', sa.String(length=64), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['resolution_runs.id'], name=op.f('fk_resolved_entities_run_id_resolution_runs')),
    sa.PrimaryKeyConstraint('entity_id', name=op.f('pk_resolved_entities'))
    )
    op.create_index(op.f('ix_resolved_entities_cluster_id'), 'resolved_entities', ['cluster_id'], unique=False)
    op.create_index(op.f('ix_resolved_entities_run_id'), 'resolved_entities', ['run_id'], unique=False)


def downgrade() -> None:
    op.drop_table('resolved_entities')
    op.drop_table('match_links')
    op.drop_table('resolution_decisions')
    op.drop_table('resolution_runs')
