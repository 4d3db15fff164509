"""forecast: stored forecasts and their ranked cells (places and numbers, no personal data)

Revision ID: 0016_forecast
Revises: 0015_intel_osint
Create Date: 2026-12-27 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0016_forecast'
down_revision = '0015_intel_osint'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('forecasts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('model', sa.String(length=64), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('train_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('train_to', sa.DateTime(timezone=True), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('window_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cell_size', sa.Float(), nullable=False),
    sa.Column('crs', sa.String(length=200), nullable=False),
    sa.Column('grid', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('cells', sa.Integer(), nullable=False),
    sa.Column('evaluation', sa.JSON(), nullable=True),
    sa.Column('audit', sa.JSON(), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecasts'))
    )
    op.create_index(op.f('ix_forecasts_model'), 'forecasts', ['model'], unique=False)
    op.create_index(op.f('ix_forecasts_window_start'), 'forecasts', ['window_start'], unique=False)
    op.create_table('forecast_cells',
    sa.Column('forecast_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('cell', sa.Integer(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('expected', sa.Float(), nullable=False),
    sa.Column('district', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['forecast_id'], ['forecasts.id'], name=op.f('fk_forecast_cells_forecast_id_forecasts'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('forecast_id', 'rank', name=op.f('pk_forecast_cells'))
    )
    op.create_index('ix_forecast_cells_district', 'forecast_cells', ['forecast_id', 'district', 'rank'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_forecast_cells_district', table_name='forecast_cells')
    op.drop_table('forecast_cells')
    op.drop_index(op.f('ix_forecasts_window_start'), table_name='forecasts')
    op.drop_index(op.f('ix_forecasts_model'), table_name='forecasts')
    op.drop_table('forecasts')
