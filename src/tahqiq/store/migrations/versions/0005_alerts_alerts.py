"""alerts: alerts, alert_actions, rule_feedback, control_room_routes, stream_checkpoints

Revision ID: 0005_alerts
Revises: 0002_govern
Create Date: 2026-11-29 01:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_alerts'
down_revision = '0002_govern'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('dedupe_key', sa.String(length=64), nullable=False),
    sa.Column('rule_id', sa.String(length=100), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('district', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('key_kind', sa.String(length=32), nullable=True),
    sa.Column('key_value', sa.String(length=200), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('case_ref', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_alerts_dedupe_key'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_case_ref'), ['case_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_rule_id'), ['rule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_status'), ['status'], unique=False)

    op.create_table('alert_actions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('audit_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_actions_alert_id_alerts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_actions'))
    )
    with op.batch_alter_table('alert_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_actions_alert_id'), ['alert_id'], unique=False)

    op.create_table('rule_feedback',
    sa.Column('rule_id', sa.String(length=100), nullable=False),
    sa.Column('verified', sa.Integer(), nullable=False),
    sa.Column('false_positive', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('rule_id', name=op.f('pk_rule_feedback'))
    )
    op.create_table('control_room_routes',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('district', sa.String(length=100), nullable=False),
    sa.Column('assigned_by', sa.String(length=64), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_control_room_routes_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'district', name=op.f('pk_control_room_routes'))
    )
    with op.batch_alter_table('control_room_routes', schema=None) as batch_op:
        batch_op.create_index('ix_control_room_routes_district', ['district'], unique=False)

    op.create_table('stream_checkpoints',
    sa.Column('consumer', sa.String(length=200), nullable=False),
    sa.Column('stream_seq', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('consumer', name=op.f('pk_stream_checkpoints'))
    )


def downgrade() -> None:
    op.drop_table('stream_checkpoints')
    with op.batch_alter_table('control_room_routes', schema=None) as batch_op:
        batch_op.drop_index('ix_control_room_routes_district')
    op.drop_table('control_room_routes')
    op.drop_table('rule_feedback')
    with op.batch_alter_table('alert_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_actions_alert_id'))
    op.drop_table('alert_actions')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_status'))
        batch_op.drop_index(batch_op.f('ix_alerts_rule_id'))
        batch_op.drop_index(batch_op.f('ix_alerts_district'))
        batch_op.drop_index(batch_op.f('ix_alerts_case_ref'))
    op.drop_table('alerts')
