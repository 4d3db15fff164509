"""merge the resolution, watchlist, alert and notes branches (built in parallel) into one head

Revision ID: 0007_merge
Revises: 0003_resolve, 0004_watchlists, 0005_alerts, 0006_notes
"""

revision = '0007_merge'
down_revision = ('0003_resolve', '0004_watchlists', '0005_alerts', '0006_notes')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
