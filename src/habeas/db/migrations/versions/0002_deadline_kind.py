"""Deadlines carry their kind (deadline or violation) so alerts compute status in SQL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadlines") as batch:
        batch.add_column(sa.Column("kind", sa.String(12), nullable=False, server_default="deadline"))
    # Existing rows: the kind is in the stored finding (JSON written with sort_keys).
    op.execute("""UPDATE deadlines SET kind = 'violation' WHERE finding LIKE '%"kind": "violation"%'""")


def downgrade() -> None:
    with op.batch_alter_table("deadlines") as batch:
        batch.drop_column("kind")
