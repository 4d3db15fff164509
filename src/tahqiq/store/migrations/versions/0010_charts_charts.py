"""saved link charts of a case

Revision ID: 0010_charts
Revises: 0009_alerts_dispatch
Create Date: 2026-11-29 15:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_charts'
down_revision = '0009_alerts_dispatch'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_charts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('nodes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('audit_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_case_charts_author_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_charts_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_charts'))
    )
    with op.batch_alter_table('case_charts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_charts_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_charts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_charts_case_id'))
    op.drop_table('case_charts')
