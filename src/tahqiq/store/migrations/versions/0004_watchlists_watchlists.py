"""watchlists: entry kinds, expiry, removal, and the watchlist_keys table

Revision ID: 0004_watchlists
Revises: 0002_govern
Create Date: 2026-11-23 09:00:00

Entries made before this revision were person entries linked to a store entity, with no expiry:
they become kind 'person', expire with their case, take their label and keys (names, CNICs) from
the entity's statements, and keep matching exactly as before.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_watchlists'
down_revision = '0002_govern'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('watchlist_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('label', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('birth_date', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('father_name', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('indicator_type', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('stix_pattern', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('removed_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('removed_reason', sa.Text(), nullable=True))

    # Existing entries: person entries that expire with their case, labelled with the entity's name.
    op.execute(
        "UPDATE watchlist_entries SET kind = 'person', "
        "expires_at = (SELECT cases.expires_at FROM cases WHERE cases.id = watchlist_entries.case_id), "
        "label = COALESCE((SELECT MIN(statements.value) FROM statements WHERE statements.entity_id = "
        "watchlist_entries.entity_id AND statements.prop = 'name'), watchlist_entries.entity_id)"
    )

    with op.batch_alter_table('watchlist_entries', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=16), nullable=False)
        batch_op.alter_column('label', existing_type=sa.String(length=300), nullable=False)
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column('entity_id', existing_type=sa.String(length=32), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_watchlist_entries_removed_by_users'), 'users',
                                    ['removed_by'], ['id'])
        batch_op.create_index(batch_op.f('ix_watchlist_entries_expires_at'), ['expires_at'], unique=False)

    op.create_table('watchlist_keys',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('original', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['watchlist_entries.id'], name=op.f('fk_watchlist_keys_entry_id_watchlist_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_watchlist_keys')),
    sa.UniqueConstraint('entry_id', 'kind', 'value', name='uq_watchlist_keys_entry_kind_value')
    )
    with op.batch_alter_table('watchlist_keys', schema=None) as batch_op:
        batch_op.create_index('ix_watchlist_keys_kind_value', ['kind', 'value'], unique=False)

    # Keys of existing entries, from their entity's names and CNICs.
    for prop, kind in (('name', 'name'), ('alias', 'name'), ('cnic', 'cnic')):
        op.execute(
            "INSERT INTO watchlist_keys (entry_id, kind, value) "
            f"SELECT DISTINCT w.id, '{kind}', s.value FROM watchlist_entries w "
            f"JOIN statements s ON s.entity_id = w.entity_id AND s.prop = '{prop}' "
            "WHERE NOT EXISTS (SELECT 1 FROM watchlist_keys k WHERE k.entry_id = w.id "
            f"AND k.kind = '{kind}' AND k.value = s.value)"
        )


def downgrade() -> None:
    with op.batch_alter_table('watchlist_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_watchlist_keys_kind_value')
    op.drop_table('watchlist_keys')

    # Entries that 0002 cannot hold (no entity) are dropped.
    op.execute("DELETE FROM watchlist_entries WHERE entity_id IS NULL")
    with op.batch_alter_table('watchlist_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_watchlist_entries_expires_at'))
        batch_op.drop_constraint(batch_op.f('fk_watchlist_entries_removed_by_users'), type_='foreignkey')
        batch_op.alter_column('entity_id', existing_type=sa.String(length=32), nullable=False)
        for column in ('removed_reason', 'removed_by', 'expires_at', 'stix_pattern', 'indicator_type',
                       'father_name', 'birth_date', 'label', 'kind'):
            batch_op.drop_column(column)
