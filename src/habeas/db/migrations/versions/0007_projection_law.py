"""The law each projection was judged under: `projection_positions.law`.

A projection's rows are what the law said of the facts when they were written. When the
law package changes (a new edition, a corrected value, an overlay), they no longer are:
the digest of the law (`Law.digest`) is kept beside each position, and a projection
judged under another law, or under an unknown one (every position written before this
revision), is rebuilt by the next append, `habeas rebuild --catch-up`, or `habeas rebuild`.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projection_positions") as batch:
        batch.add_column(sa.Column("law", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("projection_positions") as batch:
        batch.drop_column("law")
